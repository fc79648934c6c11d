package control_test

import (
	"fmt"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/browsertest"
)

// pageDOM is what the status page rendered, read from its DOM by
// pageSummary.
type pageDOM struct {
	Loaded  string
	URL     string
	Ready   string
	Problem string
	Markers []struct{ DC, Class, State, CX, CY, Label string }
	Pools   []struct {
		Pool string
		Rows []struct{ DC, State, Text string }
	}
	Targets []struct {
		Target, Status, Text string
		History              []string
	}
	Overrides []struct{ DC, Action, Text string }
	Zones     []struct{ Zone, Serial string }
	GeoIP     []string
}

// pageSummary reads the rendered page once it has drawn a status document
// (body[data-loaded]) at least n times; until then it is false, which
// keeps chromedp.Poll polling.
const pageSummary = `(() => {
  const n = Number(document.body.dataset.loaded || 0);
  if (n < %d) return false;
  const all = (sel, root) => [...(root || document).querySelectorAll(sel)];
  return {
    loaded: String(n),
    url: location.href,
    ready: document.querySelector("#readiness").textContent,
    problem: document.querySelector("#problem").hidden ? "" : document.querySelector("#problem").textContent,
    markers: all("#markers .dc").map((g) => ({dc: g.dataset.dc, class: g.getAttribute("class"), state: g.dataset.state,
      cx: g.querySelector("circle").getAttribute("cx"), cy: g.querySelector("circle").getAttribute("cy"), label: g.querySelector("text").textContent})),
    pools: all(".pool").map((p) => ({pool: p.dataset.pool,
      rows: all("tbody tr", p).map((r) => ({dc: r.dataset.dc, state: r.dataset.state, text: r.innerText}))})),
    targets: all("#targets tbody tr").map((r) => ({target: r.dataset.target, status: r.dataset.status, text: r.innerText,
      history: all(".history span", r).map((s) => s.className)})),
    overrides: all("#overrides tbody tr").map((r) => ({dc: r.dataset.datacenter, action: r.dataset.action, text: r.innerText})),
    zones: all("#zones tbody tr").map((r) => ({zone: r.dataset.zone, serial: r.querySelector(".serial").textContent})),
    geoip: all("#geoip tbody tr").map((r) => r.innerText),
  };
})()`

func summary(n int) chromedp.Action[pageDOM] {
	return chromedp.Poll[pageDOM](fmt.Sprintf(pageSummary, n), chromedp.WithPollingInterval(50*time.Millisecond))
}

// TestStatusPageInBrowser opens the status page in headless Chromium with
// a token in its address, and checks what it drew from the JSON: the map's
// markers, the pools, a down target with its history, a drained datacenter
// with its expiry, the zone's serial; then that it refreshes by itself.
func TestStatusPageInBrowser(t *testing.T) {
	mon := newFakeMonitor(true)
	mon.probed("web", "192.0.2.10", health.Up)
	mon.probed("web", "198.51.100.10", health.Up)
	down := health.Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.11")}
	fail := health.Result{At: now.Add(-2 * time.Second), Error: "connect: connection refused", Duration: 3 * time.Millisecond}
	ok := health.Result{At: now.Add(-time.Minute), OK: true, Duration: 2 * time.Millisecond}
	mon.details[down] = health.Detail{Status: health.Down, Since: now.Add(-30 * time.Second), Reason: "2 consecutive failures: connect: connection refused"}
	mon.states = append(mon.states, control.TargetState{
		Target: down, Type: health.CheckHTTP, Interval: 5 * time.Second,
		State: health.State{
			Status: health.Down, Since: now.Add(-30 * time.Second), Failures: 2, Last: fail,
			Results:     []health.Result{ok, ok, fail, fail},
			Transitions: []health.Transition{{From: health.Up, To: health.Down, At: now.Add(-30 * time.Second), Reason: "2 consecutive failures: connect: connection refused"}},
		},
	})
	mon.SetOverride(health.Override{Datacenter: "iad", Action: health.Drain, Until: now.Add(2 * time.Hour), Reason: "kernel upgrade", Created: now.Add(-5 * time.Minute)})

	ts := httptest.NewServer(control.New(control.Config{
		Monitor: mon, Zones: testZones(), Token: "s3cret",
		Now: func() time.Time { return now },
	}))
	defer ts.Close()

	ctx := browsertest.New(t, 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/?token=s3cret")); err != nil {
		t.Fatal(err)
	}
	dom, err := chromedp.Run(ctx, summary(1))
	if err != nil {
		t.Fatalf("the page did not render a status: %v", err)
	}

	if dom.URL != ts.URL+"/" || dom.Problem != "" || dom.Ready != "answering" {
		t.Errorf("page at %s, problem %q, readiness %q; want the token gone from the address, no problem, answering", dom.URL, dom.Problem, dom.Ready)
	}
	markers := map[string]string{}
	for _, m := range dom.Markers {
		markers[m.DC] = m.Class
		if m.Label != m.DC {
			t.Errorf("marker %s is labelled %q", m.DC, m.Label)
		}
	}
	if markers["ams"] != "dc state-up" || markers["iad"] != "dc state-drained" || len(markers) != 2 {
		t.Errorf("map markers = %v, want ams up and iad drained", markers)
	}
	for _, m := range dom.Markers {
		if m.DC == "iad" && (m.CX != "-77.45" || m.CY != "-38.95") {
			t.Errorf("iad marker at (%s, %s), want (-77.45, -38.95): x = longitude, y = −latitude", m.CX, m.CY)
		}
	}

	rows := map[string]string{}
	var pools []string
	for _, p := range dom.Pools {
		pools = append(pools, p.Pool)
		for _, r := range p.Rows {
			rows[p.Pool+"/"+r.DC] = r.State + " | " + r.Text
		}
	}
	if strings.Join(pools, ",") != "cdn,web" {
		t.Errorf("pools = %v, want cdn, web", pools)
	}
	iad := rows["web/iad"]
	for _, want := range []string{"drained |", "drained in every pool: kernel upgrade", "until 2026-11-25 14:00:00 UTC (in 2h)"} {
		if !strings.Contains(iad, want) {
			t.Errorf("pool web, datacenter iad = %q, want it to contain %q", iad, want)
		}
	}
	if ams := rows["web/ams"]; !strings.HasPrefix(ams, "up |") || !strings.Contains(ams, "192.0.2.11") {
		t.Errorf("pool web, datacenter ams = %q, want up with its addresses", ams)
	}
	if cdn := rows["cdn/ams"]; !strings.Contains(cdn, "CNAME ams.cdn.example.net.") {
		t.Errorf("pool cdn, datacenter ams = %q, want its CNAME", cdn)
	}

	var found bool
	for _, tg := range dom.Targets {
		if tg.Target != "web/192.0.2.11" {
			continue
		}
		found = true
		if tg.Status != "down" || !strings.Contains(tg.Text, "connect: connection refused") || !strings.Contains(tg.Text, "up → down 30s ago") {
			t.Errorf("target web/192.0.2.11 = %s %q, want down with its last error and transition", tg.Status, tg.Text)
		}
		if strings.Join(tg.History, " ") != "ok ok fail fail" {
			t.Errorf("target web/192.0.2.11 history = %v, want ok ok fail fail", tg.History)
		}
	}
	if !found || len(dom.Targets) != 3 {
		t.Errorf("targets = %+v, want 3 with web/192.0.2.11", dom.Targets)
	}

	if len(dom.Overrides) != 1 || dom.Overrides[0].DC != "iad" || dom.Overrides[0].Action != "drain" || !strings.Contains(dom.Overrides[0].Text, "in 2h") {
		t.Errorf("overrides = %+v, want iad drained, expiring in 2h", dom.Overrides)
	}
	if len(dom.Zones) != 1 || dom.Zones[0].Zone != "example.com." || dom.Zones[0].Serial != "2026112501" {
		t.Errorf("zones = %+v, want example.com. serial 2026112501", dom.Zones)
	}
	if len(dom.GeoIP) != 1 || !strings.Contains(dom.GeoIP[0], "No GeoIP database") {
		t.Errorf("GeoIP = %v, want the empty-table message", dom.GeoIP)
	}

	// The page refreshes itself: lift the drain and wait for the next draw.
	if err := mon.ClearOverride(health.OverrideKey{Datacenter: "iad"}); err != nil {
		t.Fatal(err)
	}
	dom, err = chromedp.Run(ctx, summary(2))
	if err != nil {
		t.Fatalf("the page did not refresh: %v", err)
	}
	for _, m := range dom.Markers {
		if m.DC == "iad" && m.State != "up" {
			t.Errorf("after the drain was lifted, the iad marker is %s, want up", m.State)
		}
	}
}
