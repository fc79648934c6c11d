package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
)

// reloadSetup is a server configuration for the reload tests: datacenters
// ams and iad (and more), checks, and server pools; extra goes at the end.
func reloadSetup(t *testing.T, listen, datacenters, checks, pools string) string {
	return fmt.Sprintf(`listen = [%q]
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
%s
%s
%s
`, listen, geoipPath(t, "GeoIP2-City-Test.mmdb"), datacenters, checks, pools)
}

// reloadZone uses the server pool edge for www and has a pool of its own
// on ams and iad.
const reloadZone = `origin = "example.com."
records = ["@ NS ns1", "ns1 A 192.0.2.53"]
[gslb.www]
pool = "edge"
[gslb.local]
pool = "local"
[pools.local]
members = [
  { datacenter = "ams", addresses = ["127.0.0.1"] },
  { datacenter = "iad", addresses = ["127.0.0.2"] },
]
`

const edgePool = `[pools.edge]
members = [
  { datacenter = "ams", addresses = ["127.0.0.1"] },
  { datacenter = "iad", addresses = ["127.0.0.2"] },
  %s
]`

func writeFile(t *testing.T, path, src string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// postReload calls POST /v1/reload and returns the status code and result.
func (h *harness) postReload() (int, control.ReloadResult) {
	h.t.Helper()
	resp, err := http.Post("http://"+h.run.Control+"/v1/reload", "application/json", nil)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var res control.ReloadResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		h.t.Fatalf("reload result: %v", err)
	}
	return resp.StatusCode, res
}

func (h *harness) answer(name, subnet string) string {
	h.t.Helper()
	return answerText(h.query(name, mdns.TypeA, subnet, false))
}

// TestReloadServerConfig reloads the server configuration as SIGHUP does:
// a new datacenter and pool member answer at once; a broken configuration
// or one that would break a zone keeps the running one, and the API says
// 422 with positions; a changed listen address needs a restart.
func TestReloadServerConfig(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gslb.toml")
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")))
	writeFile(t, filepath.Join(dir, "zones", "example.com.toml"), reloadZone)
	h := startServer(t, dir)
	const singapore, amsterdam = "203.0.113.1/24", "192.0.2.0/24"
	if got := h.answer("www.example.com.", singapore); got != "127.0.0.1" {
		t.Fatalf("www from Singapore = %s, want ams 127.0.0.1", got)
	}

	// sin joins the configuration and the pool: Singapore goes there
	sin := "[datacenters.sin]\nlat = 1.35\nlon = 103.82\n"
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", sin, "", fmt.Sprintf(edgePool, `{ datacenter = "sin", addresses = ["127.0.0.3"] },`)))
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if got := h.answer("www.example.com.", singapore); got != "127.0.0.3" {
		t.Errorf("www from Singapore after the reload = %s, want sin 127.0.0.3", got)
	}
	if got := h.answer("www.example.com.", amsterdam); got != "127.0.0.1" {
		t.Errorf("www from Amsterdam after the reload = %s, want ams 127.0.0.1", got)
	}
	if r := h.run.ConfigReload(); !r.OK || r.LastSuccess != r.At {
		t.Errorf("ConfigReload() = %+v after a good reload", r)
	}
	good := h.run.ConfigReload().LastSuccess

	// a broken file: nothing changes, 422 with every error and its position
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", "[datacenters.sin]\nlat = 135\nlon = 103.82\nfoo = 1\n", "", fmt.Sprintf(edgePool, `{ datacenter = "sin", addresses = ["127.0.0.3"] },`)))
	code, res := h.postReload()
	positioned := regexp.MustCompile(`gslb\.toml:\d+:\d+: `)
	if code != http.StatusUnprocessableEntity || len(res.Errors) < 2 || !positioned.MatchString(res.Errors[0]) || !positioned.MatchString(res.Errors[1]) {
		t.Errorf("reload of a broken file = %d %q, want 422 with two positioned errors", code, res.Errors)
	}
	if got := h.answer("www.example.com.", singapore); got != "127.0.0.3" {
		t.Errorf("www from Singapore after a broken reload = %s, want sin 127.0.0.3 still", got)
	}
	if r := h.run.ConfigReload(); r.OK || r.Err == nil || r.LastSuccess != good {
		t.Errorf("ConfigReload() = %+v after a broken file, want not OK, last success kept", r)
	}
	h.waitLog("server configuration not applied")

	// a valid file without iad, which the zone's own pool uses: refused
	// with the zone file's position
	noIAD := strings.Replace(reloadSetup(t, "127.0.0.1:0", sin, "", `[pools.edge]
members = [{ datacenter = "sin", addresses = ["127.0.0.3"] }]`), "[datacenters.iad]\nlat = 38.95\nlon = -77.45\n", "", 1)
	writeFile(t, cfgPath, noIAD)
	code, res = h.postReload()
	if code != http.StatusUnprocessableEntity || len(res.Errors) != 1 || !regexp.MustCompile(`example\.com\.toml:\d+:\d+: .*iad`).MatchString(res.Errors[0]) {
		t.Errorf("reload without a datacenter a zone uses = %d %q, want 422 naming the zone file's line", code, res.Errors)
	}
	if got := h.answer("local.example.com.", "198.51.100.0/24"); got != "127.0.0.2" {
		t.Errorf("local from Ashburn after a refused reload = %s, want iad 127.0.0.2", got)
	}

	// a new listen address: applied at the next start only
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.2:0", sin, "", fmt.Sprintf(edgePool, "")))
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload with a new listen address: %v", err)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "restart needed") || !strings.Contains(logs, "key=listen") {
		t.Errorf("a changed listen address was not logged as needing a restart:\n%s", logs)
	}
	if got := h.answer("www.example.com.", singapore); got != "127.0.0.1" {
		t.Errorf("www from Singapore without sin in the pool = %s, want ams 127.0.0.1", got)
	}
}

// TestReloadChecks: a removed check stops probing (its targets leave the
// status), a changed check applies to its kept targets, and an unchanged
// one keeps its state.
func TestReloadChecks(t *testing.T) {
	live, _ := twoBackends(t) // 127.0.0.1 and 127.0.0.2, one port
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := dead.Addr().(*net.TCPAddr).Port
	dead.Close() // nothing listens: connections are refused

	check := func(name string, port int) string {
		return fmt.Sprintf("[checks.%s]\ntype = \"tcp\"\nport = %d\ninterval = \"1s\"\ntimeout = \"900ms\"\nrise = 1\nfall = 1\n", name, port)
	}
	pools := func(otherCheck string) string {
		return `[pools.api]
check = "web"
when_all_down = "servfail"
members = [
  { datacenter = "ams", addresses = ["127.0.0.1"] },
  { datacenter = "iad", addresses = ["127.0.0.2"] },
]
[pools.other]
` + otherCheck + `
members = [{ datacenter = "ams", addresses = ["127.0.0.1"] }]
[pools.stay]
check = "stay"
members = [{ datacenter = "iad", addresses = ["127.0.0.2"] }]
`
	}
	zone := `origin = "example.com."
records = ["@ NS ns1", "ns1 A 192.0.2.53"]
[gslb.api]
pool = "api"
[gslb.other]
pool = "other"
[gslb.stay]
pool = "stay"
`
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gslb.toml")
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", "", check("web", deadPort)+check("extra", live.port())+check("stay", live.port()), pools(`check = "extra"`)))
	writeFile(t, filepath.Join(dir, "zones", "example.com.toml"), zone)
	h := startServer(t, dir)
	const amsterdam = "192.0.2.0/24"
	h.waitAnswer("api.example.com.", amsterdam, "SERVFAIL") // web probes a closed port: all down
	before := h.waitTargetsUp("extra/127.0.0.1", "stay/127.0.0.2")

	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", "", check("web", live.port())+check("stay", live.port()), pools("")))
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	after := h.targets()
	if _, ok := after["extra/127.0.0.1"]; ok {
		t.Errorf("extra/127.0.0.1 is still a target after its check was removed")
	}
	if b, a := before["stay/127.0.0.2"], after["stay/127.0.0.2"]; a.State.Status != health.Up || !a.State.Since.Equal(b.State.Since) {
		t.Errorf("stay/127.0.0.2 after the reload: %s since %v, want up since %v (kept); %+v", a.State.Status, a.State.Since, b.State.Since, a)
	}
	h.waitAnswer("api.example.com.", amsterdam, "127.0.0.1") // web now probes the live port
	if got := h.answer("other.example.com.", amsterdam); got != "127.0.0.1" {
		t.Errorf("other (no check now) = %s, want 127.0.0.1", got)
	}
}

// waitTargetsUp waits until the named targets are up and returns the
// states of /v1/status by target.
func (h *harness) waitTargetsUp(names ...string) map[string]control.TargetState {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		st, up := h.targets(), 0
		for _, n := range names {
			if st[n].State.Status == health.Up {
				up++
			}
		}
		if up == len(names) {
			return st
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("targets %q not up: %v", names, st)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not readiness
	}
}

// targets returns the states of /v1/status by target.
func (h *harness) targets() map[string]control.TargetState {
	h.t.Helper()
	st, err := (&control.Client{Addr: h.run.Control}).Status(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]control.TargetState{}
	for _, ts := range st.Targets {
		out[ts.Target.String()] = ts
	}
	return out
}

// TestReloadDNSLimits: nsid, version and max_udp_size reload without a
// restart.
func TestReloadDNSLimits(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gslb.toml")
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")))
	writeFile(t, filepath.Join(dir, "zones", "example.com.toml"), reloadZone)
	h := startServer(t, dir)
	nsidOf := func() (string, uint16) {
		m := new(mdns.Msg)
		m.SetQuestion("www.example.com.", mdns.TypeA)
		m.SetEdns0(4096, false)
		m.IsEdns0().Option = append(m.IsEdns0().Option, &mdns.EDNS0_NSID{Code: mdns.EDNS0NSID})
		r, err := mdns.Exchange(m, h.run.DNS[0])
		if err != nil {
			t.Fatal(err)
		}
		nsid := ""
		for _, o := range r.IsEdns0().Option {
			if n, ok := o.(*mdns.EDNS0_NSID); ok {
				b, _ := hex.DecodeString(n.Nsid)
				nsid = string(b)
			}
		}
		return nsid, r.IsEdns0().UDPSize()
	}
	if nsid, size := nsidOf(); nsid != "" || size != 1232 {
		t.Fatalf("before: nsid %q, udp size %d; want none, 1232", nsid, size)
	}
	chaos := func(name string) string { // the TXT answer of a CH query, or its rcode
		m := new(mdns.Msg)
		m.SetQuestion(name, mdns.TypeTXT)
		m.Question[0].Qclass = mdns.ClassCHAOS
		r, err := mdns.Exchange(m, h.run.DNS[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Answer) == 1 {
			return strings.Join(r.Answer[0].(*mdns.TXT).Txt, "")
		}
		return mdns.RcodeToString[r.Rcode]
	}
	if id, v := chaos("id.server."), chaos("version.bind."); id != "REFUSED" || v != "REFUSED" {
		t.Errorf("before: id.server. %s, version.bind. %s; want REFUSED for both", id, v)
	}
	writeFile(t, cfgPath, "nsid = \"reloaded\"\nversion = \"v2\"\nmax_udp_size = 1400\n"+reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")))
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if nsid, size := nsidOf(); nsid != "reloaded" || size != 1400 {
		t.Errorf("after the reload: nsid %q, udp size %d; want reloaded, 1400", nsid, size)
	}
	if id, v := chaos("hostname.bind."), chaos("version.server."); id != "reloaded" || v != "v2" {
		t.Errorf("after the reload: hostname.bind. %s, version.server. %s; want reloaded, v2", id, v)
	}
	if strings.Contains(h.logs.String(), "restart needed") {
		t.Errorf("nsid and max_udp_size reload, but the log says a restart is needed:\n%s", h.logs.String())
	}
}

// TestReloadGeoIPFiles: other GeoIP files in [geoip] load on reload; a
// file that does not load keeps the running configuration and databases.
func TestReloadGeoIPFiles(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gslb.toml")
	city := geoipPath(t, "GeoIP2-City-Test.mmdb")
	writeFile(t, cfgPath, reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")))
	writeFile(t, filepath.Join(dir, "zones", "example.com.toml"), reloadZone)
	h := startServer(t, dir)
	cityFile := func() string {
		resp, err := http.Get("http://" + h.run.Control + "/v1/status")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st control.Status
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		for _, db := range st.GeoIP {
			if db.Database == "city" {
				return db.Path
			}
		}
		return ""
	}
	if got := cityFile(); got != city {
		t.Fatalf("city database = %q, want %q", got, city)
	}
	dbip := geoipPath(t, "DBIP-City-Lite-Test.mmdb")
	writeFile(t, cfgPath, strings.Replace(reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")), city, dbip, 1))
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload with another city database: %v", err)
	}
	if got := cityFile(); got != dbip {
		t.Errorf("city database after the reload = %q, want %q", got, dbip)
	}
	writeFile(t, cfgPath, strings.Replace(reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")), city, filepath.Join(dir, "missing.mmdb"), 1))
	if code, res := h.postReload(); code != http.StatusUnprocessableEntity || len(res.Errors) == 0 || !strings.Contains(strings.Join(res.Errors, "\n"), "missing.mmdb") {
		t.Errorf("reload with a missing database = %d %q, want 422 naming it", code, res.Errors)
	}
	if got := cityFile(); got != dbip {
		t.Errorf("city database after a refused reload = %q, want %q still", got, dbip)
	}
}

// TestReloadToken: a reload reads the token file again, so a rotated token
// applies without a restart.
func TestReloadToken(t *testing.T) {
	dir := t.TempDir()
	cfgPath, tokenPath := filepath.Join(dir, "gslb.toml"), filepath.Join(dir, "token")
	writeFile(t, tokenPath, "one\n")
	withToken := strings.Replace(reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, "")),
		"[control]\nlisten = \"127.0.0.1:0\"\n", fmt.Sprintf("[control]\nlisten = \"127.0.0.1:0\"\ntoken_file = %q\n", tokenPath), 1)
	writeFile(t, cfgPath, withToken)
	writeFile(t, filepath.Join(dir, "zones", "example.com.toml"), reloadZone)
	h := startServer(t, dir)
	status := func(token string) int {
		req, _ := http.NewRequest("GET", "http://"+h.run.Control+"/v1/status", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if a, b := status("one"), status("two"); a != 200 || b != 401 {
		t.Fatalf("before: token one %d, two %d; want 200, 401", a, b)
	}
	writeFile(t, tokenPath, "two\n")
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if a, b := status("one"), status("two"); a != 401 || b != 200 {
		t.Errorf("after the reload: token one %d, two %d; want 401, 200", a, b)
	}
	writeFile(t, tokenPath, "")
	if err := h.run.Reload(); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("reload with an empty token file = %v, want the error", err)
	}
	if status("two") != 200 {
		t.Error("an empty token file must keep the running token")
	}
}

// zoneV is reloadZone with v.example.com. A addr.
func zoneV(addr string) string {
	return strings.Replace(reloadZone, `"ns1 A 192.0.2.53"]`, `"ns1 A 192.0.2.53", "v A `+addr+`"]`, 1)
}

// TestReloadZonesDir: a reload that names another zones directory serves
// the zones of that directory, without a restart, and watches it.
func TestReloadZonesDir(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gslb.toml")
	setup := reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, ""))
	writeFile(t, cfgPath, setup)
	writeFile(t, filepath.Join(dir, "zones", "example.com.toml"), zoneV("192.0.2.1"))
	h := startServer(t, dir)
	if got := h.answer("v.example.com.", ""); got != "192.0.2.1" {
		t.Fatalf("before: v = %q, want 192.0.2.1", got)
	}
	release := filepath.Join(dir, "release-2", "zones")
	writeFile(t, filepath.Join(release, "example.com.toml"), zoneV("192.0.2.2"))
	writeFile(t, cfgPath, strings.Replace(setup, `zones = "zones"`, `zones = "release-2/zones"`, 1))
	if code, res := h.postReload(); code != http.StatusOK {
		t.Fatalf("reload: %d %+v", code, res)
	}
	if got := h.answer("v.example.com.", ""); got != "192.0.2.2" {
		t.Errorf("after the reload: v = %q, want 192.0.2.2 from the new directory", got)
	}
	if strings.Contains(h.logs.String(), "restart needed") {
		t.Errorf("zones reloads, but the log says a restart is needed:\n%s", h.logs.String())
	}
	writeFile(t, filepath.Join(release, "example.com.toml"), zoneV("192.0.2.3"))
	for deadline := time.Now().Add(10 * time.Second); h.answer("v.example.com.", "") != "192.0.2.3"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("an edit in the new directory was not seen by the watch:\n%s", h.logs.String())
		}
	}
}
