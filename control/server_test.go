package control_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// fakeMonitor is a health monitor with fixed target details and an
// override table in memory.
type fakeMonitor struct {
	ready   chan struct{}
	states  []control.TargetState
	details map[health.Target]health.Detail

	mu        sync.Mutex
	overrides map[health.OverrideKey]health.Override
}

var _ control.Monitor = (*fakeMonitor)(nil)

func newFakeMonitor(ready bool) *fakeMonitor {
	m := &fakeMonitor{
		ready:     make(chan struct{}),
		details:   map[health.Target]health.Detail{},
		overrides: map[health.OverrideKey]health.Override{},
	}
	if ready {
		close(m.ready)
	}
	return m
}

// probed records a target with status st.
func (m *fakeMonitor) probed(check, addr string, st health.Status) {
	t := health.Target{Check: check, Addr: netip.MustParseAddr(addr)}
	m.details[t] = health.Detail{Status: st, Since: now.Add(-time.Minute)}
	m.states = append(m.states, control.TargetState{
		Target: t, Type: health.CheckHTTP, Interval: 5 * time.Second,
		State: health.State{Status: st, Since: now.Add(-time.Minute)},
	})
}

func (m *fakeMonitor) Snapshot() *health.Snapshot {
	return health.NewDetailedSnapshot(m.details, m.Overrides())
}
func (m *fakeMonitor) Ready() <-chan struct{}        { return m.ready }
func (m *fakeMonitor) States() []control.TargetState { return m.states }

func (m *fakeMonitor) Overrides() []health.Override {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []health.Override
	for _, o := range m.overrides {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b health.Override) int { return a.Key().Compare(b.Key()) })
	return out
}

func (m *fakeMonitor) SetOverride(o health.Override) error {
	if err := o.Validate(now); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.overrides[o.Key()] = o
	return nil
}

func (m *fakeMonitor) ClearOverride(k health.OverrideKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.overrides[k]; !ok {
		return fmt.Errorf("clear override %s: %w", k, control.ErrNotFound)
	}
	delete(m.overrides, k)
	return nil
}

// fixedZones serves one zone set.
type fixedZones struct{ set *zones.Set }

func (z fixedZones) Zones() *zones.Set { return z.set }

// testZones is example.com. with pool web (ams: two IPv4 addresses and
// one IPv6; iad: one IPv4) and pool cdn (a CNAME member, no check).
func testZones() fixedZones {
	addrs := func(ss ...string) (out []netip.Addr) {
		for _, s := range ss {
			out = append(out, netip.MustParseAddr(s))
		}
		return out
	}
	ams := pick.Datacenter{Name: "ams", Lat: 52.37, Lon: 4.90}
	iad := pick.Datacenter{Name: "iad", Lat: 38.95, Lon: -77.45}
	web := &pick.Pool{Name: "web", Check: "web", UpFraction: 0.5, Members: []pick.Member{
		{Datacenter: ams, V4: addrs("192.0.2.10", "192.0.2.11"), V6: addrs("2001:db8::10")},
		{Datacenter: iad, V4: addrs("198.51.100.10")},
	}}
	cdn := &pick.Pool{Name: "cdn", Members: []pick.Member{
		{Datacenter: ams, CNAME: "ams.cdn.example.net."},
		{Datacenter: iad, V4: addrs("198.51.100.20")},
	}}
	z := &zones.Zone{
		Origin: "example.com.", File: "zones/example.com.toml", Serial: 2026112501, Loaded: now.Add(-time.Hour),
		Pools: map[string]*pick.Pool{"web": web, "cdn": cdn},
	}
	return fixedZones{zones.NewSet([]*zones.Zone{z})}
}

// start serves the API of cfg on a loopback test server and returns a
// client of it.
func start(t *testing.T, cfg control.Config) *control.Client {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	ts := httptest.NewServer(control.New(cfg))
	t.Cleanup(ts.Close)
	return &control.Client{Addr: strings.TrimPrefix(ts.URL, "http://"), Token: cfg.Token}
}

// apiStatus returns the HTTP status code of an *APIError, 0 for nil and -1
// for any other error.
func apiStatus(err error) int {
	var e *control.APIError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &e):
		return e.StatusCode
	default:
		return -1
	}
}

func TestStatus(t *testing.T) {
	mon := newFakeMonitor(true)
	mon.probed("web", "192.0.2.10", health.Up)
	mon.probed("web", "192.0.2.11", health.Down)
	mon.probed("web", "198.51.100.10", health.Up)
	mon.SetOverride(health.Override{Datacenter: "iad", Action: health.Drain, Reason: "maintenance"})
	c := start(t, control.Config{Monitor: mon, Zones: testZones()})

	doc, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Ready || !doc.Time.Equal(now) || len(doc.Targets) != 3 || len(doc.Overrides) != 1 {
		t.Errorf("Status() = ready %v, time %v, %d targets, %d overrides; want true, %v, 3, 1",
			doc.Ready, doc.Time, len(doc.Targets), len(doc.Overrides), now)
	}
	wantZones := []control.ZoneStatus{{Origin: "example.com.", File: "zones/example.com.toml", Serial: 2026112501, Loaded: now.Add(-time.Hour)}}
	if !reflect.DeepEqual(doc.Zones, wantZones) {
		t.Errorf("Status().Zones = %+v, want %+v", doc.Zones, wantZones)
	}
	addr := netip.MustParseAddr
	wantPools := []control.PoolStatus{
		{Zone: "example.com.", Pool: "cdn", Policy: "nearest", Datacenters: []control.DatacenterStatus{
			{Datacenter: "ams", CNAME: "ams.cdn.example.net.", State: control.StateUp, Why: "CNAME ams.cdn.example.net."},
			{Datacenter: "iad", IPv4: &control.FamilyStatus{AddrsUp: 0, Drained: true, Addrs: []control.AddrStatus{
				{Addr: addr("198.51.100.20"), Status: "no check"},
			}}, Override: "drained: maintenance", State: control.StateDrained, Why: "drained in every pool: maintenance"},
		}},
		{Zone: "example.com.", Pool: "web", Check: "web", Policy: "nearest", Datacenters: []control.DatacenterStatus{
			{Datacenter: "ams",
				IPv4: &control.FamilyStatus{Up: true, AddrsUp: 1, Addrs: []control.AddrStatus{
					{Addr: addr("192.0.2.10"), Up: true, Status: "up"},
					{Addr: addr("192.0.2.11"), Status: "down"},
				}},
				IPv6: &control.FamilyStatus{Up: true, AddrsUp: 1, Addrs: []control.AddrStatus{
					{Addr: addr("2001:db8::10"), Up: true, Status: "unknown"},
				}},
				State: control.StateUp, Why: "IPv4 1/2, IPv6 1/1 up",
			},
			{Datacenter: "iad", IPv4: &control.FamilyStatus{Drained: true, Addrs: []control.AddrStatus{
				{Addr: addr("198.51.100.10"), Status: "up"},
			}}, Override: "drained: maintenance", State: control.StateDrained, Why: "drained in every pool: maintenance"},
		}},
	}
	if !reflect.DeepEqual(doc.Pools, wantPools) {
		t.Errorf("Status().Pools =\n%s\nwant\n%s", dump(doc.Pools), dump(wantPools))
	}
	wantDCs := []control.DatacenterSummary{
		{Name: "ams", Lat: 52.37, Lon: 4.90, State: control.StateUp, Why: "up in cdn, web", Pools: 2},
		{Name: "iad", Lat: 38.95, Lon: -77.45, State: control.StateDrained, Why: "drained in cdn, web", Pools: 2},
	}
	if !reflect.DeepEqual(doc.Datacenters, wantDCs) {
		t.Errorf("Status().Datacenters = %+v, want %+v", doc.Datacenters, wantDCs)
	}
	if !doc.Answering || len(doc.ZoneErrors) != 0 || len(doc.GeoIP) != 0 {
		t.Errorf("Status() = answering %v, zone errors %v, geoip %v; want true (Monitor.Ready stands for it), none, none", doc.Answering, doc.ZoneErrors, doc.GeoIP)
	}
}

func dump(ps []control.PoolStatus) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s %s check=%q policy=%s\n", p.Zone, p.Pool, p.Check, p.Policy)
		for _, dc := range p.Datacenters {
			fmt.Fprintf(&b, "  %s cname=%q override=%q state=%s why=%q until=%v ramp=%v\n", dc.Datacenter, dc.CNAME, dc.Override, dc.State, dc.Why, dc.Until, dc.Ramp)
			for _, f := range []*control.FamilyStatus{dc.IPv4, dc.IPv6} {
				if f != nil {
					fmt.Fprintf(&b, "    %+v\n", *f)
				}
			}
		}
	}
	return b.String()
}

func TestStatusJSON(t *testing.T) {
	c := start(t, control.Config{Monitor: newFakeMonitor(false), Zones: testZones()})
	raw, err := c.StatusJSON(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ready": false`, `"time": "2026-11-25T12:00:00Z"`, `"origin": "example.com."`, `"pool": "web"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("StatusJSON() lacks %s:\n%s", want, raw)
		}
	}
}

func TestToken(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"none", "", http.StatusUnauthorized},
		{"wrong", "Bearer nope", http.StatusUnauthorized},
		{"not bearer", "Basic s3cret", http.StatusUnauthorized},
		{"prefix of the token", "Bearer s3cre", http.StatusUnauthorized},
		{"right", "Bearer s3cret", http.StatusOK},
		{"scheme in lower case", "bearer s3cret", http.StatusOK},
		{"scheme in upper case", "BEARER s3cret", http.StatusOK},
		{"two spaces", "Bearer  s3cret", http.StatusOK},
		{"scheme only", "Bearer", http.StatusUnauthorized},
	}
	ts := httptest.NewServer(control.New(control.Config{Token: "s3cret"}))
	defer ts.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/v1/status", "/v1/overrides", "/metrics", "/no/such/path"} {
				req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := tt.want
				if want == http.StatusOK && path == "/no/such/path" {
					want = http.StatusNotFound
				}
				if resp.StatusCode != want {
					t.Errorf("GET %s with %q = %d, want %d", path, tt.header, resp.StatusCode, want)
				}
				if want == http.StatusUnauthorized && !strings.Contains(string(body), `"error": "missing or wrong bearer token"`) {
					t.Errorf("GET %s with %q: body %s", path, tt.header, body)
				}
			}
		})
	}
	// The Client sends its token.
	c := &control.Client{Addr: strings.TrimPrefix(ts.URL, "http://")}
	if _, err := c.Status(context.Background()); apiStatus(err) != http.StatusUnauthorized {
		t.Errorf("Status() without a token: %v, want 401", err)
	}
	c.Token = "s3cret"
	if _, err := c.Status(context.Background()); err != nil {
		t.Errorf("Status() with the token: %v", err)
	}
}

func TestOverrides(t *testing.T) {
	mon := newFakeMonitor(true)
	c := start(t, control.Config{Monitor: mon, Zones: testZones()})
	ctx := context.Background()

	o, err := c.SetOverride(ctx, control.OverrideRequest{Datacenter: "ams", Action: "drain", For: "1h", Reason: "maintenance"})
	want := health.Override{Datacenter: "ams", Action: health.Drain, Until: now.Add(time.Hour), Reason: "maintenance"}
	if err != nil || !reflect.DeepEqual(o, want) {
		t.Errorf("SetOverride(drain ams for 1h) = %+v, %v; want %+v", o, err, want)
	}
	if _, err := c.SetOverride(ctx, control.OverrideRequest{Pool: "web", Addr: "::ffff:192.0.2.10", Action: "force-down"}); err != nil {
		t.Errorf("SetOverride(force-down address): %v", err)
	}
	list, err := c.Overrides(ctx)
	if err != nil || len(list) != 2 || list[0].Datacenter != "ams" || list[1].Addr != netip.MustParseAddr("192.0.2.10") {
		t.Errorf("Overrides() = %+v, %v; want the drain of ams and the unmapped address", list, err)
	}
	if err := c.ClearOverride(ctx, health.OverrideKey{Datacenter: "ams"}); err != nil {
		t.Errorf("ClearOverride(ams): %v", err)
	}
	if err := c.ClearOverride(ctx, health.OverrideKey{Pool: "web", Addr: netip.MustParseAddr("192.0.2.10")}); err != nil {
		t.Errorf("ClearOverride(web 192.0.2.10): %v", err)
	}
	err = c.ClearOverride(ctx, health.OverrideKey{Datacenter: "ams"})
	if apiStatus(err) != http.StatusNotFound || !strings.Contains(err.Error(), "404 Not Found: clear override pool=* dc=ams: not found") {
		t.Errorf("ClearOverride(ams) twice: %v, want a 404 with the monitor's message", err)
	}
	if list, err := c.Overrides(ctx); err != nil || len(list) != 0 {
		t.Errorf("Overrides() after clearing = %+v, %v; want none", list, err)
	}
}

func TestOverrideRefused(t *testing.T) {
	c := start(t, control.Config{Monitor: newFakeMonitor(true), Zones: testZones()})
	tests := []struct {
		name string
		req  control.OverrideRequest
		want string
	}{
		{"bad action", control.OverrideRequest{Datacenter: "ams", Action: "pause"}, `parse action "pause": invalid override action`},
		{"bad address", control.OverrideRequest{Addr: "192.0.2", Action: "drain"}, `address "192.0.2"`},
		{"until and for", control.OverrideRequest{Datacenter: "ams", Action: "drain", For: "1h", Until: "2027-01-01T00:00:00Z"}, "give until or for, not both"},
		{"bad until", control.OverrideRequest{Datacenter: "ams", Action: "drain", Until: "tomorrow"}, "until: "},
		{"bad for", control.OverrideRequest{Datacenter: "ams", Action: "drain", For: "soon"}, "for: "},
		{"expired", control.OverrideRequest{Datacenter: "ams", Action: "drain", Until: "2020-01-01T00:00:00Z"}, "already expired"},
		{"nothing named", control.OverrideRequest{Action: "drain"}, "no datacenter or address"},
		{"unknown datacenter", control.OverrideRequest{Datacenter: "nosuchdc", Action: "drain"}, `datacenter "nosuchdc" is not a member of any pool`},
		{"datacenter in another case", control.OverrideRequest{Datacenter: "AMS", Action: "drain"}, `datacenter "AMS" is not a member of any pool (did you mean ams?)`},
		{"unknown pool", control.OverrideRequest{Pool: "WEB", Datacenter: "ams", Action: "drain"}, `pool "WEB" does not exist (did you mean web?)`},
		{"datacenter not in the pool", control.OverrideRequest{Pool: "web", Datacenter: "fra", Action: "drain"}, `datacenter "fra" is not a member of pool web`},
		{"unknown address", control.OverrideRequest{Addr: "192.0.2.99", Action: "force-down"}, "address 192.0.2.99 is not an address of any pool"},
		{"address not in the pool", control.OverrideRequest{Pool: "cdn", Addr: "192.0.2.10", Action: "force-down"}, "address 192.0.2.10 is not an address of pool cdn"},
		{"NUL in a datacenter", control.OverrideRequest{Datacenter: "ams\x00web", Action: "drain"}, "has a control character"},
		{"newline in a pool", control.OverrideRequest{Pool: "web\n", Datacenter: "ams", Action: "drain"}, "has a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SetOverride(context.Background(), tt.req)
			if apiStatus(err) != http.StatusBadRequest || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("SetOverride(%+v) = %v, want a 400 saying %q", tt.req, err, tt.want)
			}
		})
	}
}

// TestBadRequests sends what the Client never sends.
func TestBadRequests(t *testing.T) {
	ts := httptest.NewServer(control.New(control.Config{Monitor: newFakeMonitor(true), Zones: testZones()}))
	defer ts.Close()
	tests := []struct {
		method, path, body string
		want               int
		msg                string
	}{
		{"POST", "/v1/overrides", `{"datacenter": "ams", "action": "drain", "bogus": 1}`, 400, `decode override: json: unknown field \"bogus\"`},
		{"POST", "/v1/overrides", `{"datacenter": `, 400, "decode override: "},
		{"POST", "/v1/overrides", `{"datacenter": "ams", "action": "drain"} {"datacenter": "iad", "action": "drain"}`, 400, "trailing data"},
		{"POST", "/v1/overrides", `{"datacenter": "ams", "action": "drain"} x`, 400, "trailing data"},
		{"POST", "/v1/overrides", `{"datacenter": "ams", "action": "drain"}` + "\n", 200, `"datacenter": "ams"`},
		{"POST", "/v1/overrides", `{"datacenter": "` + strings.Repeat("a", 70<<10) + `"}`, 413, "request body too large"},
		{"DELETE", "/v1/overrides?addr=nonsense", "", 400, `address \"nonsense\"`},
		{"DELETE", "/v1/overrides?datacenter=ams%00x", "", 400, "control character"},
		{"PUT", "/v1/overrides", "", 405, `"error": "method PUT not allowed on /v1/overrides; allowed: DELETE, GET, HEAD, POST"`},
		{"GET", "/v1/reload", "", 405, `"error": "method GET not allowed on /v1/reload; allowed: POST"`},
		{"GET", "/v1/nothing", "", 404, `"error": "no such path: /v1/nothing"`},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want || !strings.Contains(string(body), tt.msg) {
			t.Errorf("%s %s = %d %s, want %d with %q", tt.method, tt.path, resp.StatusCode, body, tt.want, tt.msg)
		}
		if ct := resp.Header.Get("Content-Type"); tt.want != 200 && ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q, want application/json", tt.method, tt.path, ct)
		}
	}
}

// TestReadToken checks the read-only token: it reads every GET endpoint,
// is refused 403 on what changes something, and a wrong token is refused
// 401 with the connection closed.
func TestReadToken(t *testing.T) {
	srv := control.New(control.Config{Token: "fu11-t0ken", ReadToken: "ro", Monitor: newFakeMonitor(true), Zones: testZones(),
		Reload: func() error { return nil }})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tests := []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/v1/status", "ro", 200},
		{"GET", "/v1/overrides", "ro", 200},
		{"GET", "/metrics", "ro", 200},
		{"GET", "/", "ro", 200},
		{"GET", "/healthz", "ro", 200},
		{"GET", "/readyz", "ro", 200},
		{"HEAD", "/v1/status", "ro", 200},
		{"POST", "/v1/overrides", "ro", 403},
		{"DELETE", "/v1/overrides?datacenter=ams", "ro", 403},
		{"POST", "/v1/reload", "ro", 403},
		{"POST", "/v1/reload", "fu11-t0ken", 200},
		{"POST", "/v1/overrides", "fu11-t0ken", 400}, // past authentication: the empty body is the problem
		{"GET", "/v1/status", "r", 401},
		{"GET", "/v1/status", "", 401},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s with %q = %d %s, want %d", tt.method, tt.path, tt.token, resp.StatusCode, body, tt.want)
		}
		if tt.want == 403 && !strings.Contains(string(body), "read-only token cannot") {
			t.Errorf("%s %s with the read-only token: body %s", tt.method, tt.path, body)
		}
		if tt.want == 401 && !resp.Close {
			t.Errorf("%s %s with %q: 401 without Connection: close", tt.method, tt.path, tt.token)
		}
		if strings.Contains(string(body), "fu11-t0ken") {
			t.Errorf("%s %s: the answer shows the token: %s", tt.method, tt.path, body)
		}
	}
	// A reload takes the read-only token away.
	srv.SetReadToken("")
	req, _ := http.NewRequest("GET", ts.URL+"/v1/status", nil)
	req.Header.Set("Authorization", "Bearer ro")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("read-only token after SetReadToken(\"\") = %d, want 401", resp.StatusCode)
	}
}

func TestReload(t *testing.T) {
	var fail error
	c := start(t, control.Config{Reload: func() error { return fail }})
	if err := c.Reload(context.Background()); err != nil {
		t.Errorf("Reload() = %v, want nil", err)
	}
	fail = errors.Join(errors.New("a.toml:1:1: bad"), errors.New("geoip: gone"))
	err := c.Reload(context.Background())
	var e *control.APIError
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnprocessableEntity || !reflect.DeepEqual(e.Messages, []string{"a.toml:1:1: bad", "geoip: gone"}) {
		t.Fatalf("Reload() failing = %#v, want a 422 with both problems", err)
	}
	if got, want := err.Error(), "422 Unprocessable Entity: a.toml:1:1: bad\ngeoip: gone"; got != want {
		t.Errorf("Reload() error = %q, want %q", got, want)
	}
}

// TestZeroConfig: the zero Config serves an empty API and refuses what
// needs a part it does not have.
func TestZeroConfig(t *testing.T) {
	c := start(t, control.Config{})
	ctx := context.Background()
	doc, err := c.Status(ctx)
	if err != nil || doc.Ready || len(doc.Targets) != 0 || len(doc.Pools) != 0 || len(doc.Zones) != 0 {
		t.Errorf("Status() = %+v, %v; want an empty, unready document", doc, err)
	}
	if list, err := c.Overrides(ctx); err != nil || len(list) != 0 {
		t.Errorf("Overrides() = %v, %v; want none", list, err)
	}
	if _, err := c.SetOverride(ctx, control.OverrideRequest{Datacenter: "ams", Action: "drain"}); apiStatus(err) != http.StatusServiceUnavailable {
		t.Errorf("SetOverride() = %v, want a 503", err)
	}
	if err := c.ClearOverride(ctx, health.OverrideKey{Datacenter: "ams"}); apiStatus(err) != http.StatusServiceUnavailable {
		t.Errorf("ClearOverride() = %v, want a 503", err)
	}
	if err := c.Reload(ctx); apiStatus(err) != http.StatusServiceUnavailable {
		t.Errorf("Reload() = %v, want a 503", err)
	}
}

// TestEmptyListsAreEmpty: every list of every document is [] when empty,
// never null.
func TestEmptyListsAreEmpty(t *testing.T) {
	for _, cfg := range []control.Config{{}, {Monitor: newFakeMonitor(true), Zones: testZones()}} {
		ts := httptest.NewServer(control.New(cfg))
		for _, path := range []string{"/v1/status", "/v1/overrides"} {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "null") {
				t.Errorf("GET %s = %s, want [] for empty lists", path, body)
			}
			if path == "/v1/overrides" && strings.TrimSpace(string(body)) != "[]" {
				t.Errorf("GET %s = %s, want []", path, body)
			}
		}
		ts.Close()
	}
}

// TestTwoServers: nothing is shared between two APIs in one process.
func TestTwoServers(t *testing.T) {
	a := start(t, control.Config{Monitor: newFakeMonitor(true), Zones: testZones(), Token: "a"})
	b := start(t, control.Config{Monitor: newFakeMonitor(true), Zones: testZones(), Token: "b"})
	ctx := context.Background()
	if _, err := a.SetOverride(ctx, control.OverrideRequest{Datacenter: "ams", Action: "drain"}); err != nil {
		t.Fatal(err)
	}
	if list, err := b.Overrides(ctx); err != nil || len(list) != 0 {
		t.Errorf("second server's Overrides() = %v, %v; want none", list, err)
	}
	b.Token = "a"
	if _, err := b.Status(ctx); apiStatus(err) != http.StatusUnauthorized {
		t.Errorf("second server with the first one's token: %v, want 401", err)
	}
}
