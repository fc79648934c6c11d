package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/health"
)

// apiClient talks to the control API of a running server.
type apiClient struct {
	base  string
	token string
	http  *http.Client
}

// clientFlags adds -control, -token-file and -config to a command's flags.
func clientFlags(fs *flag.FlagSet) func() (*apiClient, error) {
	control := fs.String("control", "", "control API `address` (default: the config's control.listen, else 127.0.0.1:8053)")
	tokenFile := fs.String("token-file", "", "bearer token `file` (default: the config's control.token_file)")
	configFile := fs.String("config", "", "server configuration `file` to take the control address and token from")
	return func() (*apiClient, error) {
		addr, tf := *control, *tokenFile
		if *configFile != "" {
			cfg, err := config.Load(*configFile)
			if err != nil {
				return nil, err
			}
			if addr == "" {
				addr = cfg.Control.Listen
			}
			if tf == "" {
				tf = cfg.Control.TokenFile
			}
		}
		if addr == "" {
			addr = "127.0.0.1:8053"
		}
		return newAPIClient(addr, tf)
	}
}

func newAPIClient(addr, tokenFile string) (*apiClient, error) {
	c := &apiClient{base: "http://" + addr, http: &http.Client{Timeout: 5 * time.Second}}
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, fmt.Errorf("read token: %w", err)
		}
		c.token = strings.TrimSpace(string(b))
	}
	return c, nil
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (c *apiClient) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("control API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("control API: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error  string   `json:"error"`
			Errors []string `json:"errors"`
		}
		if json.Unmarshal(data, &e) == nil && (e.Error != "" || len(e.Errors) > 0) {
			return fmt.Errorf("%s: %s%s", resp.Status, e.Error, strings.Join(e.Errors, "\n"))
		}
		return fmt.Errorf("control API: %s", resp.Status)
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// staticHealth serves one fixed snapshot.
type staticHealth struct{ s *health.Snapshot }

func (h staticHealth) Snapshot() *health.Snapshot { return h.s }

// fetchHealth builds a health snapshot from a running server's status.
func fetchHealth(addr, tokenFile string) (*health.Snapshot, error) {
	c, err := newAPIClient(addr, tokenFile)
	if err != nil {
		return nil, err
	}
	c.http.Timeout = time.Second
	var doc statusDoc
	if err := c.do("GET", "/v1/status", nil, &doc); err != nil {
		return nil, err
	}
	details := map[health.Target]health.Detail{}
	for _, t := range doc.Targets {
		details[t.Target] = t.State.Detail()
	}
	return health.NewDetailedSnapshot(details, doc.Overrides), nil
}

// statusCmd prints the health of every target and pool of a running server.
func statusCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := clientFlags(fs)
	asJSON := fs.Bool("json", false, "print the raw JSON document")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c, err := client()
	if err != nil {
		fmt.Fprintf(stderr, "gslb status: %v\n", err)
		return 1
	}
	var raw json.RawMessage
	if err := c.do("GET", "/v1/status", nil, &raw); err != nil {
		fmt.Fprintf(stderr, "gslb status: %v\n", err)
		return 1
	}
	if *asJSON {
		stdout.Write(raw)
		return 0
	}
	var doc statusDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		fmt.Fprintf(stderr, "gslb status: %v\n", err)
		return 1
	}
	printStatus(stdout, doc)
	return 0
}

func printStatus(w io.Writer, doc statusDoc) {
	fmt.Fprintf(w, "ready: %v\n\nzones:\n", doc.Ready)
	for _, z := range doc.Zones {
		fmt.Fprintf(w, "  %s serial %d (%s, loaded %s)\n", z.Origin, z.Serial, z.File, z.Loaded.Format(time.RFC3339))
	}
	fmt.Fprintln(w, "\ntargets:")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  TARGET\tSTATUS\tSINCE\tLAST RESULT")
	for _, t := range doc.Targets {
		since := "-"
		if !t.State.Since.IsZero() {
			since = t.State.Since.Format(time.RFC3339)
		}
		last := "-"
		if !t.State.Last.At.IsZero() {
			last = "ok"
			if t.State.Last.Error != "" {
				last = t.State.Last.Error
			}
		}
		status := t.State.Status.String()
		if d := t.State.Detail(); d.Status != t.State.Status {
			status = d.Status.String() + " (undecided: last probe)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Target, status, since, last)
	}
	tw.Flush()
	fmt.Fprintln(w, "\npools:")
	for _, p := range doc.Pools {
		check := p.Check
		if check == "" {
			check = "none"
		}
		fmt.Fprintf(w, "  %s %s (check %s)\n", p.Zone, p.Pool, check)
		for _, dc := range p.Datacenters {
			var parts []string
			if dc.CNAME != "" {
				parts = append(parts, "cname "+dc.CNAME)
			}
			for _, f := range []struct {
				name string
				s    *familyStatus
			}{{"ipv4", dc.IPv4}, {"ipv6", dc.IPv6}} {
				if f.s == nil {
					continue
				}
				state := "down"
				if f.s.Up {
					state = "up"
				}
				if f.s.Drained {
					state = "drained"
				}
				parts = append(parts, fmt.Sprintf("%s %s %d/%d", f.name, state, f.s.AddrsUp, len(f.s.Addrs)))
			}
			if dc.Override != "" {
				parts = append(parts, "override: "+dc.Override)
			}
			fmt.Fprintf(w, "    %-6s %s\n", dc.Datacenter, strings.Join(parts, "; "))
		}
	}
	if len(doc.Overrides) > 0 {
		fmt.Fprintln(w, "\noverrides:")
		for _, o := range doc.Overrides {
			fmt.Fprintf(w, "  %s\n", describeOverride(o))
		}
	}
}

func describeOverride(o health.Override) string {
	s := fmt.Sprintf("%s %s", o.Action, o.Key())
	if !o.Until.IsZero() {
		s += " until " + o.Until.Format(time.RFC3339)
	}
	if o.Reason != "" {
		s += ": " + o.Reason
	}
	return s
}

// adminCmd changes a running server: overrides and reload.
func adminCmd(args []string, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprint(stderr, `usage:
  gslb admin [flags] drain      DATACENTER|ADDRESS [-pool P] [-for 2h | -until TIME] [-reason TEXT]
  gslb admin [flags] force-down DATACENTER|ADDRESS [-pool P] [-for 2h | -until TIME] [-reason TEXT]
  gslb admin [flags] force-up   DATACENTER|ADDRESS [-pool P] [-for 2h | -until TIME] [-reason TEXT]
  gslb admin [flags] clear      DATACENTER|ADDRESS [-pool P]
  gslb admin [flags] overrides
  gslb admin [flags] reload
flags: -control ADDR, -token-file FILE, -config FILE
`)
		return 2
	}
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := clientFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		return usage()
	}
	c, err := client()
	if err != nil {
		fmt.Fprintf(stderr, "gslb admin: %v\n", err)
		return 1
	}
	verb, rest := fs.Arg(0), fs.Args()[1:]
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gslb admin %s: %v\n", verb, err)
		return 1
	}
	switch verb {
	case "overrides":
		var os []health.Override
		if err := c.do("GET", "/v1/overrides", nil, &os); err != nil {
			return fail(err)
		}
		for _, o := range os {
			fmt.Fprintln(stdout, describeOverride(o))
		}
		return 0
	case "reload":
		if err := c.do("POST", "/v1/reload", nil, nil); err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, "reloaded")
		return 0
	case "drain", "force-down", "force-up", "clear":
	default:
		return usage()
	}
	vfs := flag.NewFlagSet(verb, flag.ContinueOnError)
	vfs.SetOutput(stderr)
	pool := vfs.String("pool", "", "only in this `pool` (default: every pool)")
	forD := vfs.String("for", "", "lapse after this `duration` (e.g. 2h)")
	until := vfs.String("until", "", "lapse at this RFC 3339 `time`")
	reason := vfs.String("reason", "", "why, for the record")
	if len(rest) == 0 {
		return usage()
	}
	what := rest[0]
	if err := vfs.Parse(rest[1:]); err != nil {
		return 2
	}
	req := overrideRequest{Pool: *pool, Action: verb, For: *forD, Until: *until, Reason: *reason}
	if _, err := netip.ParseAddr(what); err == nil {
		req.Addr = what
	} else {
		req.Datacenter = what
	}
	if verb == "clear" {
		q := url.Values{}
		for k, v := range map[string]string{"pool": req.Pool, "datacenter": req.Datacenter, "addr": req.Addr} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if err := c.do("DELETE", "/v1/overrides?"+q.Encode(), nil, nil); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "cleared %s\n", what)
		return 0
	}
	var o health.Override
	if err := c.do("POST", "/v1/overrides", req, &o); err != nil {
		return fail(err)
	}
	fmt.Fprintln(stdout, describeOverride(o))
	return 0
}
