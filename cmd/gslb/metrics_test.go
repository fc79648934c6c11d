package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/geo/mmdb"
)

// metricsSetup starts a server on 127.0.0.1 and ::1 with a control token,
// whose pool web has ams (127.0.0.1, probed up) and iad (127.0.0.2,
// nothing listens: down), and waits until both targets have decided.
func metricsSetup(t *testing.T) (h *harness, token string) {
	t.Helper()
	ams := newBackend(t, "127.0.0.1", 0)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("s3cret\n"), 0o600)
	writeSetup(t, dir, ams.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	cfgPath := filepath.Join(dir, "gslb.toml")
	b, _ := os.ReadFile(cfgPath)
	b = bytes.Replace(b, []byte("[control]\n"), []byte(fmt.Sprintf("[control]\ntoken_file = %q\n", tokenFile)), 1)
	b = bytes.Replace(b, []byte(`listen = ["127.0.0.1:0"]`), []byte(`listen = ["127.0.0.1:0", "[::1]:0"]`), 1)
	os.WriteFile(cfgPath, b, 0o644)
	h = startServer(t, dir)
	h.waitLog(`msg="target up" component=health target=web/127.0.0.1 `)
	h.waitLog(`msg="target down" component=health target=web/127.0.0.2 `)
	return h, "s3cret"
}

// scrapeText returns the body of GET /metrics.
func scrapeText(t *testing.T, h *harness, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+h.run.Control+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d: %s", resp.StatusCode, body)
	}
	return string(body)
}

// scrape returns every sample of GET /metrics by series, written as
// name{label="value",...} with the labels sorted; a histogram gives its
// _count and _sum and a _bucket series per bound.
func scrape(t *testing.T, h *harness, token string) map[string]float64 {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(scrapeText(t, h, token)))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			series := func(name string, extra ...string) string {
				ls := append(slices.Clone(labels), extra...)
				slices.Sort(ls)
				return name + "{" + strings.Join(ls, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[series(name)] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[series(name)] = m.Gauge.GetValue()
			case m.Untyped != nil:
				out[series(name)] = m.Untyped.GetValue()
			case m.Histogram != nil:
				out[series(name+"_count")] = float64(m.Histogram.GetSampleCount())
				out[series(name+"_sum")] = m.Histogram.GetSampleSum()
				for _, b := range m.Histogram.GetBucket() {
					out[series(name+"_bucket", fmt.Sprintf("le=%q", fmt.Sprint(b.GetUpperBound())))] = float64(b.GetCumulativeCount())
				}
			}
		}
	}
	return out
}

// exchange sends one query to addr over UDP or TCP.
func exchange(t *testing.T, addr, name string, qtype uint16, subnet string, tcp bool) *mdns.Msg {
	t.Helper()
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, false)
	if subnet != "" {
		o := m.IsEdns0()
		e := &mdns.EDNS0_SUBNET{Code: mdns.EDNS0SUBNET, Family: 1, SourceNetmask: 24}
		e.Address = mdnsAddr(subnet)
		o.Option = append(o.Option, e)
	}
	c := &mdns.Client{Timeout: 2 * time.Second}
	if tcp {
		c.Net = "tcp"
	}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("query %s %d: %v", name, qtype, err)
	}
	return r
}

func mdnsAddr(subnet string) []byte {
	ip, _, _ := strings.Cut(subnet, "/")
	var a, b, c, d byte
	fmt.Sscanf(ip, "%d.%d.%d.%d", &a, &b, &c, &d)
	return []byte{a, b, c, d}
}

// TestMetricsExactCounts sends queries of every kind over real sockets and
// checks the exact change of every DNS counter read from /metrics, then the
// health, zone, GeoIP, reload and build metrics.
func TestMetricsExactCounts(t *testing.T) {
	h, token := metricsSetup(t)
	const amsClient, iadClient = "192.0.2.0/24", "198.51.100.0/24"
	h.waitAnswer("www.example.com.", iadClient, "127.0.0.1") // iad is down: its clients fail over to ams
	v4, v6 := h.run.DNS[0], h.run.DNS[1]

	before := scrape(t, h, token)
	type ask struct {
		n      int
		addr   string
		name   string
		qtype  uint16
		subnet string
		tcp    bool
		rcode  int
	}
	for _, q := range []ask{
		{3, v4, "www.example.com.", mdns.TypeA, amsClient, false, mdns.RcodeSuccess},    // web/ams/first
		{2, v4, "www.example.com.", mdns.TypeA, iadClient, true, mdns.RcodeSuccess},     // web/ams/failover
		{2, v4, "www.example.com.", mdns.TypeAAAA, amsClient, false, mdns.RcodeSuccess}, // no IPv6 addresses: no decision counted
		{2, v4, "example.com.", mdns.TypeMX, "", false, mdns.RcodeSuccess},
		{1, v4, "static.example.com.", mdns.TypeTXT, "", true, mdns.RcodeSuccess},
		{2, v4, "static.example.com.", 65280, "", false, mdns.RcodeSuccess}, // a private type: other
		{2, v4, "nope.example.com.", mdns.TypeA, "", false, mdns.RcodeNameError},
		{1, v6, "static.example.com.", mdns.TypeA, "", false, mdns.RcodeSuccess},
		{1, v6, "www.example.com.", mdns.TypeAAAA, "", true, mdns.RcodeSuccess},
	} {
		for range q.n {
			if r := exchange(t, q.addr, q.name, q.qtype, q.subnet, q.tcp); r.Rcode != q.rcode {
				t.Fatalf("%s %d: rcode %d, want %d", q.name, q.qtype, r.Rcode, q.rcode)
			}
		}
	}
	after := scrape(t, h, token)

	want := map[string]float64{
		`gslb_dns_requests_total{family="4",proto="udp",type="A"}`:          5,
		`gslb_dns_requests_total{family="4",proto="tcp",type="A"}`:          2,
		`gslb_dns_requests_total{family="4",proto="udp",type="AAAA"}`:       2,
		`gslb_dns_requests_total{family="4",proto="udp",type="MX"}`:         2,
		`gslb_dns_requests_total{family="4",proto="tcp",type="TXT"}`:        1,
		`gslb_dns_requests_total{family="4",proto="udp",type="other"}`:      2,
		`gslb_dns_requests_total{family="6",proto="udp",type="A"}`:          1,
		`gslb_dns_requests_total{family="6",proto="tcp",type="AAAA"}`:       1,
		`gslb_dns_responses_total{rcode="NOERROR"}`:                         14,
		`gslb_dns_responses_total{rcode="NXDOMAIN"}`:                        2,
		`gslb_answers_total{datacenter="ams",pool="web",reason="first"}`:    3,
		`gslb_answers_total{datacenter="ams",pool="web",reason="failover"}`: 2,
	}
	for series, v := range after {
		if !strings.HasPrefix(series, "gslb_dns_requests_total") && !strings.HasPrefix(series, "gslb_dns_responses_total") &&
			!strings.HasPrefix(series, "gslb_answers_total") && !strings.HasPrefix(series, "gslb_panics_total") &&
			!strings.HasPrefix(series, "gslb_dns_truncated_total") && !strings.HasPrefix(series, "gslb_dns_dropped_total") {
			continue
		}
		if d := v - before[series]; d != want[series] {
			t.Errorf("%s went up by %v, want %v", series, d, want[series])
		}
	}
	for series := range want {
		if _, ok := after[series]; !ok {
			t.Errorf("no %s", series)
		}
	}
	// Durations are sampled: at most one per query, and the histogram is whole.
	for proto, n := range map[string]float64{"udp": 13, "tcp": 4} {
		c := fmt.Sprintf(`gslb_dns_request_duration_seconds_count{proto=%q}`, proto)
		inf := fmt.Sprintf(`gslb_dns_request_duration_seconds_bucket{le="+Inf",proto=%q}`, proto)
		if d := after[c] - before[c]; d < 0 || d > n || after[inf] != after[c] {
			t.Errorf("%s went up by %v (+Inf bucket %v), want at most %v", c, d, after[inf], n)
		}
	}

	st, err := (&control.Client{Addr: h.run.Control, Token: token}).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db, err := mmdb.Open(geoipPath(t, "GeoIP2-City-Test.mmdb"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	built := db.Snapshot().Info().City.BuildTime
	bi, _ := debug.ReadBuildInfo()
	exact := map[string]float64{
		`gslb_target_up{address="127.0.0.1",check="web"}`:                                                    1,
		`gslb_target_up{address="127.0.0.2",check="web"}`:                                                    0,
		`gslb_target_transitions_total{address="127.0.0.1",check="web",to="up"}`:                             1,
		`gslb_target_transitions_total{address="127.0.0.1",check="web",to="down"}`:                           0,
		`gslb_target_transitions_total{address="127.0.0.2",check="web",to="up"}`:                             0,
		`gslb_target_transitions_total{address="127.0.0.2",check="web",to="down"}`:                           1,
		`gslb_datacenter_up{datacenter="ams",family="4",pool="web"}`:                                         1,
		`gslb_datacenter_up{datacenter="iad",family="4",pool="web"}`:                                         0,
		`gslb_zone_serial{zone="example.com."}`:                                                              float64(st.Zones[0].Serial),
		`gslb_geoip_build_timestamp_seconds{database="city"}`:                                                float64(built.Unix()),
		`gslb_config_last_reload_successful{}`:                                                               1,
		`gslb_panics_total{}`:                                                                                0,
		`gslb_build_info{goversion="` + runtime.Version() + `",version="` + buildVersion(version, bi) + `"}`: 1,
	}
	for series, v := range exact {
		if got, ok := after[series]; !ok || got != v {
			t.Errorf("%s = %v (present: %v), want %v", series, got, ok, v)
		}
	}
	for series := range after {
		if strings.HasPrefix(series, "gslb_datacenter_up{") && strings.Contains(series, `family="6"`) {
			t.Errorf("%s: the pool has no IPv6 addresses", series)
		}
	}
	for _, name := range []string{"go_goroutines{}", "process_cpu_seconds_total{}"} {
		if _, ok := after[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
	last := after[`gslb_config_last_reload_success_timestamp_seconds{}`]
	if last <= 0 || last > float64(time.Now().Unix()+1) {
		t.Errorf("last reload success at %v", last)
	}
}

// TestMetricsReloadAndToken checks the reload gauges through a failing
// and a fixed reload, and that /metrics needs the token.
func TestMetricsReloadAndToken(t *testing.T) {
	h, token := metricsSetup(t)
	req, _ := http.NewRequest(http.MethodGet, "http://"+h.run.Control+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /metrics without the token = %d, want 401", resp.StatusCode)
	}

	first := scrape(t, h, token)[`gslb_config_last_reload_success_timestamp_seconds{}`]
	zone := filepath.Join(h.dir, "zones", "example.com.toml")
	good, _ := os.ReadFile(zone)
	os.WriteFile(zone, []byte("origin = \"example.com.\"\nbogus = 1\n"), 0o644)
	if err := h.run.Reload(); err == nil {
		t.Fatal("reload of a broken zone file succeeded")
	}
	m := scrape(t, h, token)
	if ok, at := m[`gslb_config_last_reload_successful{}`], m[`gslb_config_last_reload_success_timestamp_seconds{}`]; ok != 0 || at != first {
		t.Errorf("after a failed reload: successful %v at %v, want 0 at %v", ok, at, first)
	}
	if n := m[`gslb_zone_files_failing{}`]; n != 1 {
		t.Errorf("gslb_zone_files_failing = %v after a broken zone file, want 1", n)
	}
	os.WriteFile(zone, good, 0o644)
	if err := h.run.Reload(); err != nil {
		t.Fatal(err)
	}
	m = scrape(t, h, token)
	if ok, at := m[`gslb_config_last_reload_successful{}`], m[`gslb_config_last_reload_success_timestamp_seconds{}`]; ok != 1 || at <= first {
		t.Errorf("after a good reload: successful %v at %v, want 1 after %v", ok, at, first)
	}
	if n, ok := m[`gslb_zone_files_failing{}`]; n != 0 || !ok {
		t.Errorf("gslb_zone_files_failing = %v (present: %v) after the fix, want 0", n, ok)
	}

	// A server configuration with an error is not applied: 0 too.
	cfgPath := filepath.Join(h.dir, "gslb.toml")
	cfg, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, append(slices.Clone(cfg), "\nbogus = 1\n"...), 0o644)
	if err := h.run.Reload(); err == nil {
		t.Fatal("reload of a broken server configuration succeeded")
	}
	if ok := scrape(t, h, token)[`gslb_config_last_reload_successful{}`]; ok != 0 {
		t.Errorf("after a broken server configuration: successful %v, want 0", ok)
	}
	os.WriteFile(cfgPath, cfg, 0o644)
	if err := h.run.Reload(); err != nil {
		t.Fatal(err)
	}
	if ok := scrape(t, h, token)[`gslb_config_last_reload_successful{}`]; ok != 1 {
		t.Errorf("after the server configuration is fixed: successful %v, want 1", ok)
	}
}

// TestPromtoolCheckMetrics runs `promtool check metrics` on a real
// scrape. promtool comes with Debian's prometheus package, which .ci/run
// installs; without it the test fails, in CI and out.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := lookPromtool(t)
	h, token := metricsSetup(t)
	exchange(t, h.run.DNS[0], "www.example.com.", mdns.TypeA, "192.0.2.0/24", false)
	exchange(t, h.run.DNS[0], "nope.example.com.", mdns.TypeA, "", true)
	body := scrapeText(t, h, token)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// readmeMetrics returns README.md's Metrics section.
func readmeMetrics(t *testing.T) string {
	t.Helper()
	md, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(md), "\n### Metrics\n")
	if !ok {
		t.Fatal("README.md has no Metrics section")
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	return sec
}

// TestReadmeMetricsTable holds that README.md's metrics table lists
// exactly the metrics the collector describes.
func TestReadmeMetricsTable(t *testing.T) {
	var documented []string
	for _, l := range strings.Split(readmeMetrics(t), "\n") {
		if name, ok := strings.CutPrefix(l, "| `gslb_"); ok {
			name, _, _ = strings.Cut(name, "`")
			documented = append(documented, "gslb_"+name)
		}
	}
	ch := make(chan *prometheus.Desc, 100)
	control.NewMetrics(control.MetricsConfig{}).Describe(ch)
	close(ch)
	var described []string
	for d := range ch {
		_, name, _ := strings.Cut(d.String(), `fqName: "`)
		name, _, _ = strings.Cut(name, `"`)
		described = append(described, name)
	}
	slices.Sort(documented)
	slices.Sort(described)
	if !slices.Equal(documented, described) {
		t.Errorf("README.md documents %v,\nthe collector describes %v", documented, described)
	}
}

// TestReadmePrometheusExamples checks README.md's scrape configuration and
// alert rules with promtool.
func TestReadmePrometheusExamples(t *testing.T) {
	promtool := lookPromtool(t)
	var blocks []string
	for _, part := range strings.Split(readmeMetrics(t), "```yaml\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		blocks = append(blocks, block)
	}
	if len(blocks) != 2 {
		t.Fatalf("README.md's Metrics section has %d YAML blocks, want 2 (scrape config, rules)", len(blocks))
	}
	dir := t.TempDir()
	token := filepath.Join(dir, "gslb.token")
	os.WriteFile(token, []byte("s3cret\n"), 0o600)
	config := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(config, []byte(strings.ReplaceAll(blocks[0], "/etc/prometheus/gslb.token", token)), 0o644)
	rules := filepath.Join(dir, "rules.yml")
	os.WriteFile(rules, []byte(blocks[1]), 0o644)
	for _, args := range [][]string{{"check", "config", config}, {"check", "rules", rules}} {
		if out, err := exec.Command(promtool, args...).CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// lookPromtool returns promtool's path, failing the test without it.
// promtool comes with Debian's prometheus package, which .ci/deps.sh
// installs (make test and .ci/run run it).
func lookPromtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("promtool not found in CI: .ci/deps.sh installs Debian's prometheus package, which has it")
	}
	t.Fatal("promtool not found: run .ci/deps.sh (make test does) or apt-get install --no-install-recommends prometheus")
	return ""
}
