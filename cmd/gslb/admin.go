package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
)

const adminUsage = `usage:
  gslb admin drain      DATACENTER|ADDRESS [-pool P] [-for 2h | -until TIME] [-reason TEXT]
  gslb admin force-down DATACENTER|ADDRESS [-pool P] [-for 2h | -until TIME] [-reason TEXT]
  gslb admin force-up   DATACENTER|ADDRESS [-pool P] [-for 2h | -until TIME] [-reason TEXT]
  gslb admin clear      DATACENTER|ADDRESS [-pool P]
  gslb admin overrides  [-json]
  gslb admin reload

Flags may come anywhere on the line. Names are matched exactly (ams is not
AMS); the server refuses datacenters, pools and addresses it does not have.
The control API's address and token come from -control and -token-file, else
from the server configuration (-config, default gslb.toml when it exists),
else 127.0.0.1:8053 without a token.

flags:
`

// adminCmd changes a running server: overrides and reload. It exits 0 on
// success and for -h, 2 for a command line it does not understand, and 1
// for anything that failed (the server's message is printed).
func adminCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	client := clientFlags(fs)
	pool := fs.String("pool", "", "only in this `pool` (default: every pool)")
	forD := fs.String("for", "", "lapse after this `duration` (e.g. 2h)")
	until := fs.String("until", "", "lapse at this RFC 3339 `time`")
	reason := fs.String("reason", "", "why, for the record")
	asJSON := fs.Bool("json", false, "overrides: print the JSON document")
	usage := func(w io.Writer) {
		fmt.Fprint(w, adminUsage)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "gslb admin: "+format+"\n", a...)
		usage(stderr)
		return 2
	}
	fs.Usage = func() {} // printed below, to stdout for -h
	fs.SetOutput(io.Discard)
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		usage(stdout)
		return 0
	}
	if err != nil {
		return bad("%v", err)
	}
	if len(pos) == 0 {
		return bad("no subcommand")
	}
	verb, targets := pos[0], pos[1:]
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	allowed := map[string][]string{
		"drain":      {"pool", "for", "until", "reason"},
		"force-down": {"pool", "for", "until", "reason"},
		"force-up":   {"pool", "for", "until", "reason"},
		"clear":      {"pool"},
		"overrides":  {"json"},
		"reload":     nil,
	}
	verbFlags, ok := allowed[verb]
	if !ok {
		return bad("unknown subcommand %q", verb)
	}
	for _, f := range []string{"pool", "for", "until", "reason", "json"} {
		if set[f] && !slices.Contains(verbFlags, f) {
			return bad("%s does not take -%s", verb, f)
		}
	}
	switch verb {
	case "overrides", "reload":
		if len(targets) > 0 {
			return bad("%s takes no arguments, got %s", verb, strings.Join(targets, " "))
		}
	default:
		if len(targets) != 1 {
			return bad("%s takes exactly one datacenter or address, got %d (%s)", verb, len(targets), strings.Join(targets, " "))
		}
		if set["for"] && set["until"] {
			return bad("give -for or -until, not both")
		}
	}

	c, err := client()
	if err != nil {
		fmt.Fprintf(stderr, "gslb admin: %v\n", err)
		return 1
	}
	ctx := context.Background()
	fail := func(err error) int {
		fmt.Fprintf(stderr, "gslb admin %s: %v\n", verb, err)
		return 1
	}
	switch verb {
	case "overrides":
		list, err := c.Overrides(ctx)
		if err != nil {
			return fail(err)
		}
		if *asJSON {
			return printJSON(stdout, orEmpty(list))
		}
		for _, o := range list {
			fmt.Fprintln(stdout, describeOverride(o))
		}
		return 0
	case "reload":
		if err := c.Reload(ctx); err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, "reloaded")
		return 0
	}
	what := targets[0]
	addr, err := netip.ParseAddr(what)
	isAddr := err == nil
	if verb == "clear" {
		k := health.OverrideKey{Pool: *pool, Datacenter: what}
		if isAddr {
			k = health.OverrideKey{Pool: *pool, Addr: addr}
		}
		if err := c.ClearOverride(ctx, k); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "cleared %s\n", what)
		return 0
	}
	req := control.OverrideRequest{Pool: *pool, Action: verb, For: *forD, Until: *until, Reason: *reason}
	if isAddr {
		req.Addr = what
	} else {
		req.Datacenter = what
	}
	o, err := c.SetOverride(ctx, req)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintln(stdout, describeOverride(o))
	return 0
}

// printJSON writes v as indented JSON and returns the exit status.
func printJSON(w io.Writer, v any) int {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return 1
	}
	return 0
}

// orEmpty returns s, or an empty slice for nil: JSON output shows an empty
// list as [], never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
