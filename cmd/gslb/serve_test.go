package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health/store"
)

// backend is an HTTP health endpoint on a loopback address that can be
// stopped and started again on the same address.
type backend struct {
	t    *testing.T
	addr string // host:port
	srv  *http.Server
	done chan struct{}
}

func newBackend(t *testing.T, host string, port int) *backend {
	b := &backend{t: t, addr: net.JoinHostPort(host, fmt.Sprint(port))}
	b.start()
	t.Cleanup(b.stop)
	return b
}

func (b *backend) start() {
	if err := b.tryStart(); err != nil {
		b.t.Fatalf("backend %s: %v", b.addr, err)
	}
}

// tryStart starts serving on b.addr, or says why it cannot.
func (b *backend) tryStart() error {
	ln, err := net.Listen("tcp", b.addr)
	if err != nil {
		return err
	}
	b.addr = ln.Addr().String()
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })}
	b.done = make(chan struct{})
	go func() { b.srv.Serve(ln); close(b.done) }()
	return nil
}

func (b *backend) stop() {
	if b.srv != nil {
		b.srv.Close()
		<-b.done
		b.srv = nil
	}
}

func (b *backend) port() int {
	_, p, _ := net.SplitHostPort(b.addr)
	var n int
	fmt.Sscan(p, &n)
	return n
}

// harness is a gslb server running in the test process.
type harness struct {
	t      *testing.T
	dir    string
	cancel context.CancelFunc
	done   chan error
	run    running
	logs   *syncBuffer
}

type syncBuffer struct {
	mu chan struct{}
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.String()
}

func geoipPath(t *testing.T, name string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "geoip", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeSetup writes a config and one zone into dir. Its "web" check
// probes every 300 ms with a 280 ms timeout: fast transitions, with room
// for a loaded machine (-race, CI) so that a healthy backend whose probe
// runs late does not read as down.
func writeSetup(t *testing.T, dir string, checkPort int, extraConfig, zone string) {
	t.Helper()
	cfg := fmt.Sprintf(`listen = ["127.0.0.1:0"]
zones = "zones"
state = "gslb.db"
[geoip]
city = %q
[control]
listen = "127.0.0.1:0"
[health]
max_start_wait = "5s"
[datacenters.ams]
lat = 52.37
lon = 4.90
[datacenters.iad]
lat = 38.95
lon = -77.45
[datacenters.sin]
lat = 1.35
lon = 103.82
[checks.web]
type = "http"
port = %d
path = "/healthz"
interval = "300ms"
timeout = "280ms"
rise = 2
fall = 2
%s
`, geoipPath(t, "GeoIP2-City-Test.mmdb"), checkPort, extraConfig)
	os.MkdirAll(filepath.Join(dir, "zones"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "gslb.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "zones", "example.com.toml"), []byte(zone), 0o644); err != nil {
		t.Fatal(err)
	}
}

const e2eZone = `origin = "example.com."
ttl = "1h"
records = ["@ NS ns1", "ns1 A 192.0.2.53", "static A 192.0.2.80"]
[gslb.www]
pool = "web"
ttl = "30s"
[pools.web]
check = "web"
when_all_down = "%s"
members = [
  { datacenter = "ams", addresses = ["127.0.0.1"] },
  { datacenter = "iad", addresses = ["127.0.0.2"] },
]
`

func startServer(t *testing.T, dir string) *harness {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "gslb.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return startConfig(t, cfg)
}

// startConfig runs serve with cfg and returns once it answers queries.
func startConfig(t *testing.T, cfg *config.Config) *harness {
	t.Helper()
	return startWith(t, cfg, serveOptions{})
}

// startWith is startConfig with serve's options.
func startWith(t *testing.T, cfg *config.Config, opts serveOptions) *harness {
	t.Helper()
	h := &harness{t: t, dir: filepath.Dir(cfg.File), done: make(chan error, 1), logs: &syncBuffer{mu: make(chan struct{}, 1)}}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	started := make(chan running, 1)
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	go func() { h.done <- serveWith(ctx, cfg, logger, started, opts) }()
	select {
	case h.run = <-started:
	case err := <-h.done:
		t.Fatalf("serve: %v\n%s", err, h.logs.String())
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	if err := <-h.done; err != nil {
		h.t.Errorf("serve returned %v", err)
	}
	h.cancel = nil
}

// query asks the server over UDP (or TCP) with an optional ECS subnet.
func (h *harness) query(name string, qtype uint16, subnet string, tcp bool) *mdns.Msg {
	h.t.Helper()
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, false)
	o := m.IsEdns0()
	if subnet != "" {
		p := netip.MustParsePrefix(subnet)
		fam := uint16(1)
		if p.Addr().Is6() {
			fam = 2
		}
		o.Option = append(o.Option, &mdns.EDNS0_SUBNET{Code: mdns.EDNS0SUBNET, Family: fam, SourceNetmask: uint8(p.Bits()), Address: p.Addr().AsSlice()})
	}
	c := &mdns.Client{Timeout: 2 * time.Second}
	if tcp {
		c.Net = "tcp"
	}
	// Three tries, as dig and stub resolvers make: on a loaded machine
	// (-race, CI) an answer can be later than one try waits. The tests of
	// lost queries count them with a load of their own (startUDPLoad).
	var err error
	for range 3 {
		var r *mdns.Msg
		if r, _, err = c.Exchange(m, h.run.DNS[0]); err == nil {
			return r
		}
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			break
		}
	}
	h.t.Fatalf("query %s: %v\nserver log:\n%s", name, err, h.logs.String())
	return nil
}

func answerText(r *mdns.Msg) string {
	var parts []string
	for _, rr := range r.Answer {
		switch v := rr.(type) {
		case *mdns.A:
			parts = append(parts, v.A.String())
		case *mdns.AAAA:
			parts = append(parts, v.AAAA.String())
		case *mdns.CNAME:
			parts = append(parts, "CNAME "+v.Target)
		}
	}
	if len(parts) == 0 {
		return mdns.RcodeToString[r.Rcode]
	}
	return strings.Join(parts, " ")
}

// waitAnswer queries until the answer is want, or fails after a deadline.
func (h *harness) waitAnswer(name, subnet, want string) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if got = answerText(h.query(name, mdns.TypeA, subnet, false)); got == want {
			return
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not readiness
	}
	h.t.Fatalf("%s from %s = %s, want %s\n%s", name, subnet, got, want, h.logs.String())
}

// waitLog waits until the server's log contains s.
func (h *harness) waitLog(s string) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(h.logs.String(), s) {
		if time.Now().After(deadline) {
			h.t.Fatalf("log lacks %q:\n%s", s, h.logs.String())
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not readiness
	}
}

// twoBackends starts health endpoints on 127.0.0.1 and 127.0.0.2 with one port.
func twoBackends(t *testing.T) (*backend, *backend) {
	bs := backendsOnOnePort(t, "127.0.0.1", "127.0.0.2")
	return bs[0], bs[1]
}

// backendsOnOnePort starts a health endpoint on each host, all on one
// port: the first host's free port, tried again with another one when a
// process on this machine holds it on another host.
func backendsOnOnePort(t *testing.T, hosts ...string) []*backend {
	t.Helper()
	for try := 0; ; try++ {
		var bs []*backend
		var err error
		for _, h := range hosts {
			port := 0
			if len(bs) > 0 {
				port = bs[0].port()
			}
			b := &backend{t: t, addr: net.JoinHostPort(h, fmt.Sprint(port))}
			if err = b.tryStart(); err != nil {
				break
			}
			bs = append(bs, b)
		}
		if err == nil {
			for _, b := range bs {
				t.Cleanup(b.stop)
			}
			return bs
		}
		for _, b := range bs {
			b.stop()
		}
		if try == 20 {
			t.Fatalf("no port free on all of %v: %v", hosts, err)
		}
	}
}

func TestFailoverAndRecoveryOverDNS(t *testing.T) {
	ams, _ := twoBackends(t)
	dir := t.TempDir()
	writeSetup(t, dir, ams.port(), "", fmt.Sprintf(e2eZone, "servfail"))
	h := startServer(t, dir)
	const amsClient, iadClient = "192.0.2.0/24", "198.51.100.0/24"

	h.waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	h.waitAnswer("www.example.com.", iadClient, "127.0.0.2")
	r := h.query("www.example.com.", mdns.TypeA, amsClient, false)
	if r.Answer[0].Header().Ttl != 30 || !r.Authoritative {
		t.Errorf("healthy answer: ttl %d aa %v, want 30 and AA", r.Answer[0].Header().Ttl, r.Authoritative)
	}

	h.waitLog(`msg="target up" component=health target=web/127.0.0.1 from=unknown to=up`)
	// A loaded machine's first probes may have failed over once before.
	start := len(h.logs.String())
	ams.stop() // Amsterdam goes down: its clients fail over to iad, with the degraded TTL
	h.waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	r = h.query("www.example.com.", mdns.TypeA, amsClient, true)
	if r.Answer[0].Header().Ttl != 15 {
		t.Errorf("failover TTL = %d, want 15 (half the name's TTL)", r.Answer[0].Header().Ttl)
	}
	h.waitLog(`msg="pool failing over" component=pools pool=web zone=example.com. family=IPv4`)
	ams.start() // and comes back
	h.waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	if !strings.Contains(h.logs.String(), "target down") || !strings.Contains(h.logs.String(), "target up") {
		t.Errorf("transitions not logged:\n%s", h.logs.String())
	}
	h.waitLog(`msg="pool recovered" component=pools pool=web zone=example.com. family=IPv4`)
	if n := strings.Count(h.logs.String()[start:], `msg="pool failing over"`); n != 1 {
		t.Errorf("failover logged %d times for one outage, want once:\n%s", n, h.logs.String())
	}
}

func TestAllDownPolicies(t *testing.T) {
	tests := []struct {
		policy string
		want   string
	}{
		{"fail-open", "127.0.0.1"},
		{"servfail", "SERVFAIL"},
		{"nodata", "NOERROR"},
		{"cname:sorry.example.net.", "CNAME sorry.example.net."},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			dead := newBackend(t, "127.0.0.1", 0)
			port := dead.port()
			dead.stop() // nothing listens: every target is down
			dir := t.TempDir()
			writeSetup(t, dir, port, "", fmt.Sprintf(e2eZone, tt.policy))
			h := startServer(t, dir)
			h.waitAnswer("www.example.com.", "192.0.2.0/24", tt.want)
			if got := answerText(h.query("static.example.com.", mdns.TypeA, "", false)); got != "192.0.2.80" {
				t.Errorf("static name = %s", got)
			}
		})
	}
}

func TestRestartRemembersHealth(t *testing.T) {
	ams, _ := twoBackends(t)
	dir := t.TempDir()
	writeSetup(t, dir, ams.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	h := startServer(t, dir)
	ams.stop()
	h.waitAnswer("www.example.com.", "192.0.2.0/24", "127.0.0.2")
	h.stop()

	// A second server on the same state file while the first runs fails at once.
	h2 := startServer(t, dir)
	cfg, _ := config.Load(filepath.Join(dir, "gslb.toml"))
	start := time.Now()
	err := serve(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err == nil || !strings.Contains(err.Error(), "state file") || time.Since(start) > 3*time.Second {
		t.Errorf("second instance: %v after %v, want a quick state file error", err, time.Since(start))
	}
	// The restarted server knew at once that ams was down: its very first
	// answer fails over, with no probe round in between.
	if got := answerText(h2.query("www.example.com.", mdns.TypeA, "192.0.2.0/24", false)); got != "127.0.0.2" {
		t.Errorf("first answer after restart = %s, want the failover 127.0.0.2", got)
	}
}

func TestControlAPI(t *testing.T) {
	ams, _ := twoBackends(t)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("s3cret\n"), 0o600)
	writeSetup(t, dir, ams.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	cfgPath := filepath.Join(dir, "gslb.toml")
	b, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, bytes.Replace(b, []byte("[control]\n"), []byte(fmt.Sprintf("[control]\ntoken_file = %q\n", tokenFile)), 1), 0o644)
	h := startServer(t, dir)
	h.waitAnswer("www.example.com.", "192.0.2.0/24", "127.0.0.1")

	run := func(args ...string) (string, int) {
		var out, errOut bytes.Buffer
		code := adminCmd(append([]string{"-control", h.run.Control, "-token-file", tokenFile}, args...), &out, &errOut)
		return out.String() + errOut.String(), code
	}
	// without the token: refused
	noToken := &control.Client{Addr: h.run.Control}
	var apiErr *control.APIError
	if _, err := noToken.Status(context.Background()); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Errorf("status without token: %v, want 401", err)
	}
	// drain ams in every pool for an hour: Amsterdam clients go to iad
	if out, code := run("drain", "ams", "-for", "1h", "-reason", "maintenance"); code != 0 || !strings.Contains(out, "drain pool=* dc=ams") {
		t.Fatalf("drain: %d %s", code, out)
	}
	h.waitAnswer("www.example.com.", "192.0.2.0/24", "127.0.0.2")
	if out, _ := run("overrides"); !strings.Contains(out, "maintenance") {
		t.Errorf("overrides = %s", out)
	}
	var status bytes.Buffer
	statusCmd([]string{"-control", h.run.Control, "-token-file", tokenFile}, &status, io.Discard)
	for _, want := range []string{"ready: true", "web/127.0.0.1", "ams    ipv4 drained 0/1", "override: drain"} {
		if !strings.Contains(status.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, status.String())
		}
	}
	// force the address down, clear the drain: still down by the address override
	run("force-down", "127.0.0.1")
	run("clear", "ams")
	h.waitAnswer("www.example.com.", "192.0.2.0/24", "127.0.0.2")
	run("clear", "127.0.0.1")
	h.waitAnswer("www.example.com.", "192.0.2.0/24", "127.0.0.1")
	if out, code := run("clear", "127.0.0.1"); code == 0 || !strings.Contains(out, "404") {
		t.Errorf("clearing twice: %d %s, want a 404", code, out)
	}
	// a drain that expires by itself, and survives a restart while in force
	if out, code := run("drain", "ams", "-until", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)); code != 0 {
		t.Fatal(out)
	}
	h.stop()
	h2 := startServer(t, dir)
	if got := answerText(h2.query("www.example.com.", mdns.TypeA, "192.0.2.0/24", false)); got != "127.0.0.2" {
		t.Errorf("after restart with a drain in force: %s, want 127.0.0.2", got)
	}
	// reload through the API
	var out bytes.Buffer
	if code := adminCmd([]string{"-control", h2.run.Control, "-token-file", tokenFile, "reload"}, &out, &out); code != 0 {
		t.Errorf("reload: %s", out.String())
	}
}

func TestReadmeExampleLoads(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The README shows testdata/example verbatim: check both ways round.
	for _, f := range []string{"testdata/example/gslb.toml", "testdata/example/zones/example.com.toml"} {
		src, err := os.ReadFile(filepath.Join("..", "..", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(readme, []byte("```toml\n"+string(src)+"```")) {
			t.Errorf("README.md does not show %s verbatim in a toml block", f)
		}
	}
	var out bytes.Buffer
	if code := checkCmd([]string{"-config", filepath.Join("..", "..", "testdata", "example", "gslb.toml")}, &out, &out); code != 0 {
		t.Errorf("gslb check of the example: %d\n%s", code, out.String())
	}
}

func TestCheckReportsEverything(t *testing.T) {
	dir := t.TempDir()
	writeSetup(t, dir, 80, "bogus = 1", e2eZone)
	var out bytes.Buffer
	if code := checkCmd([]string{"-config", filepath.Join(dir, "gslb.toml")}, &out, &out); code != 1 {
		t.Errorf("check exit = %d, want 1", code)
	}
	if !strings.Contains(out.String(), "gslb.toml:27:9: checks.web.bogus: unknown key") {
		t.Errorf("check output:\n%s", out.String())
	}
}

// TestStartupFirstRound: a fresh server (no state file) answers only after a
// first probe round, and its very first answer already avoids a datacenter
// whose first probe failed, long before fall failures would decide it.
func TestStartupFirstRound(t *testing.T) {
	ams, _ := twoBackends(t) // iad (127.0.0.2) answers; ams is stopped before the server starts
	ams.stop()
	dir := t.TempDir()
	writeSetup(t, dir, ams.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	h := startServer(t, dir)
	if got := answerText(h.query("www.example.com.", mdns.TypeA, "192.0.2.0/24", false)); got != "127.0.0.2" {
		t.Errorf("first answer for an Amsterdam client = %s, want iad's 127.0.0.2 (ams failed its first probe)\n%s", got, h.logs.String())
	}
	if !strings.Contains(h.logs.String(), `msg="health ready" component=health why="first probe round done"`) {
		t.Errorf("served before the first round:\n%s", h.logs.String())
	}
}

func TestExplain(t *testing.T) {
	var out, errOut bytes.Buffer
	cfg := filepath.Join("..", "..", "testdata", "example", "gslb.toml")
	code := explainCmd([]string{"-config", cfg, "www.example.com", "2001:db8:9::/48", "AAAA", "-no-health"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("explain: %d %s", code, errOut.String())
	}
	for _, want := range []string{
		"location  São Paulo, SP, BR, SA",
		"database network 2001:db8:9::/48",
		"ranking   precomputed table (as the server answers)",
		"1  gru         0 km      -      -    no IPv6 addresses",
		"2  iad         7654 km   up     1/1  chosen",
		"answer    www.example.com. 30 IN AAAA 2001:db8:30::10",
		"ecs scope /48",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	explainCmd([]string{"-config", cfg, "-no-health", "mail.example.com", "192.0.2.1"}, &out, &errOut)
	if !strings.Contains(out.String(), "is not a GSLB name") {
		t.Errorf("explain of a static name:\n%s", out.String())
	}
}

// TestSIGHUPReloads sends the test process SIGHUP (serve has registered for
// it) and sees the zones reloaded with a new serial.
func TestSIGHUPReloads(t *testing.T) {
	dead := newBackend(t, "127.0.0.1", 0)
	dir := t.TempDir()
	writeSetup(t, dir, dead.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	h := startServer(t, dir)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	h.waitLog("SIGHUP: reloading the server configuration, zones and GeoIP databases")
	if got := answerText(h.query("static.example.com.", mdns.TypeA, "", false)); got != "192.0.2.80" {
		t.Errorf("after SIGHUP: static = %s", got)
	}
}

// TestServeFailsCleanly: when a step fails, serve says which and releases
// what the earlier steps opened (the state file is free for the next run).
func TestServeFailsCleanly(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	writeSetup(t, dir, 80, "", fmt.Sprintf(e2eZone, "fail-open"))
	cfgPath := filepath.Join(dir, "gslb.toml")
	b, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, bytes.Replace(b, []byte(`listen = "127.0.0.1:0"`), []byte(fmt.Sprintf("listen = %q", busy.Addr())), 1), 0o644)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	err = serve(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "control API: ") {
		t.Fatalf("serve with a busy control port = %v, want a control API error", err)
	}
	st, err := store.Open(cfg.State, store.Options{})
	if err != nil {
		t.Fatalf("state file after a failed serve: %v", err)
	}
	st.Close()
}

// TestMessagesSayItOnce: errors of serve's steps name the operation once,
// and a configuration that cannot be read has no empty position prefix.
func TestMessagesSayItOnce(t *testing.T) {
	var stdout, stderr bytes.Buffer
	missing := filepath.Join(t.TempDir(), "missing.toml")
	if code := run([]string{"serve", "-config", missing}, &stdout, &stderr); code != 1 || !strings.HasPrefix(stderr.String(), "read config: open "+missing) {
		t.Errorf("serve with a missing config: exit %d, stderr %q; want 1 and `read config: open %s...`", code, &stderr, missing)
	}

	dir := t.TempDir()
	writeSetup(t, dir, 80, "", fmt.Sprintf(e2eZone, "fail-open"))
	cfg, err := config.Load(filepath.Join(dir, "gslb.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.State = filepath.Join(dir, "no", "such", "dir", "gslb.db")
	err = serve(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err == nil || strings.Count(err.Error(), "state file") != 1 {
		t.Errorf("serve with a state file in a missing directory = %v, want `state file` said once", err)
	}

	busy, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg.State = filepath.Join(dir, "gslb.db")
	cfg.Listen = []string{busy.LocalAddr().String()}
	err = serve(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err == nil || strings.Count(err.Error(), "listen udp") != 1 || !strings.HasPrefix(err.Error(), "listen udp "+busy.LocalAddr().String()) {
		t.Errorf("serve on a busy port = %v, want `listen udp ADDR: ...` once", err)
	}
}

// TestZoneErrorsVisible: a zone file that fails to load at start is in the
// log, in /v1/status and in `gslb status`; one that breaks later shows the
// serial still serving.
func TestZoneErrorsVisible(t *testing.T) {
	dir := t.TempDir()
	up := newBackend(t, "127.0.0.1", 0)
	writeSetup(t, dir, up.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	broken := filepath.Join(dir, "zones", "broken.toml")
	os.WriteFile(broken, []byte("origin = \"broken.example.\"\nrecords = [\"@ NS ns1.example.net.\", \"www A 1.2.3\"]\n"), 0o644)
	h := startServer(t, dir)
	h.waitLog("some zone files have errors")
	if !strings.Contains(h.logs.String(), broken+":2:") {
		t.Errorf("log does not name the broken file's error:\n%s", h.logs.String())
	}

	c := &control.Client{Addr: h.run.Control}
	doc, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, z := range doc.Zones {
		if z.File == broken {
			found = true
			if z.Serial != 0 || !strings.Contains(z.Error, `bad A address: "1.2.3"`) {
				t.Errorf("status of the broken file = %+v", z)
			}
		} else if z.Error != "" || z.Serial == 0 {
			t.Errorf("status of a good file = %+v", z)
		}
	}
	if !found {
		t.Errorf("/v1/status zones lack %s: %+v", broken, doc.Zones)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"status", "-control", h.run.Control}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "NOT SERVED ("+broken+")") ||
		!strings.Contains(stdout.String(), "nothing is served from it") ||
		!strings.Contains(stdout.String(), `bad A address: "1.2.3"`) {
		t.Errorf("gslb status: exit %d\n%s%s", code, &stdout, &stderr)
	}

	// Break the served zone: its serial keeps serving, with the error.
	good := filepath.Join(dir, "zones", "example.com.toml")
	var serving uint32
	for _, z := range doc.Zones {
		if z.File == good {
			serving = z.Serial
		}
	}
	os.WriteFile(good, []byte("origin = \"example.com.\"\nrecords = [\"@ NS ns1\", \"ns1 A 192.0.2\"]\n"), 0o644)
	if err := h.run.Reload(); err == nil {
		t.Fatal("reload with two broken files: no error")
	}
	stdout.Reset()
	run([]string{"status", "-control", h.run.Control}, &stdout, &stderr)
	if want := fmt.Sprintf("example.com. serial %d (%s, loaded ", serving, good); !strings.Contains(stdout.String(), want) || !strings.Contains(stdout.String(), "the serial above keeps serving") {
		t.Errorf("gslb status after breaking example.com.: want %q and a note\n%s", want, &stdout)
	}
}
