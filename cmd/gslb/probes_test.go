package main

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gslb/gslb/health"
)

// TestReloadHealthLimits: [health] applies on reload: the probe slots
// (gslb_probe_slots) follow max_in_flight, and no restart is asked for.
func TestReloadHealthLimits(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gslb.toml")
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")))
	writeFile(t, filepath.Join(dir, "zones", "example.com.toml"), reloadZone)
	h := startServer(t, dir)
	if got := scrape(t, h, "")["gslb_probe_slots{}"]; got != 64 {
		t.Fatalf("gslb_probe_slots = %v at start, want the default 64", got)
	}

	src := strings.Replace(reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")),
		"[health]\n", "[health]\nmax_in_flight = 3\nstaleness = \"2m\"\n", 1)
	writeFile(t, cfgPath, src)
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	m := scrape(t, h, "")
	if got := m["gslb_probe_slots{}"]; got != 3 {
		t.Errorf("gslb_probe_slots = %v after the reload, want 3", got)
	}
	if _, ok := m["gslb_probes_in_flight{}"]; !ok {
		t.Errorf("no gslb_probes_in_flight in /metrics")
	}
	logs := h.logs.String()
	if strings.Contains(logs, "restart needed") {
		t.Errorf("[health] reloads, but the log says a restart is needed:\n%s", logs)
	}
	if !strings.Contains(logs, `msg="health limits changed" component=health max_in_flight=3 staleness=2m0s`) {
		t.Errorf("the log does not say the limits changed:\n%s", logs)
	}
}

// TestProbeRefusesControlListener: the configuration check at load cannot
// know the port of control.listen = "127.0.0.1:0"; a check that probes
// that port on 127.0.0.1 is refused when it dials, and its target is down
// with the reason.
func TestProbeRefusesControlListener(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gslb.toml")
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")))
	writeFile(t, filepath.Join(dir, "zones", "example.com.toml"), reloadZone)
	h := startServer(t, dir)
	ctl := netip.MustParseAddrPort(h.run.Control)

	checks := fmt.Sprintf("[checks.ctl]\ntype = \"tcp\"\nport = %d\ninterval = \"200ms\"\ntimeout = \"100ms\"\nfall = 1\n", ctl.Port())
	pool := "[pools.edge]\ncheck = \"ctl\"\nmembers = [{ datacenter = \"ams\", addresses = [\"127.0.0.1\"] }]"
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", "", checks, pool))
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	h.waitLog(`msg="target down" component=health target=ctl/127.0.0.1`)
	st := h.targets()["ctl/127.0.0.1"]
	if st.State.Status != health.Down || !strings.Contains(st.State.Last.Error, "probe refused") || !strings.Contains(st.State.Last.Error, "control listener") {
		t.Errorf("ctl/127.0.0.1 = %v, last %q; want down, refused as the control listener", st.State.Status, st.State.Last.Error)
	}
}
