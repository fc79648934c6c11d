package control_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/zones"
)

// fakeHealth adds transition counts to a fakeMonitor.
type fakeHealth struct {
	*fakeMonitor
	transitions []control.TransitionCount
}

func (h fakeHealth) Transitions() []control.TransitionCount { return h.transitions }

var _ control.HealthSource = fakeHealth{}

type fixedCounts control.DNSCounts

func (c fixedCounts) Counts() control.DNSCounts { return control.DNSCounts(c) }

// fakeProbes are fixed probe counts, with 64 slots of which 5 in use.
type fakeProbes []control.ProbeCount

func (p fakeProbes) ProbeCounts() []control.ProbeCount { return p }
func (p fakeProbes) Slots() (int, int)                 { return 64, 5 }

var _ control.ProbeSource = fakeProbes{}

// testMetrics is a collector over fixed sources: the test zones, web's
// ams with one of two IPv4 addresses up, iad drained.
func testMetrics() *control.Metrics {
	mon := newFakeMonitor(true)
	mon.probed("web", "192.0.2.10", health.Up)
	mon.probed("web", "192.0.2.11", health.Down)
	mon.probed("web", "198.51.100.10", health.Up)
	mon.SetOverride(health.Override{Datacenter: "iad", Action: health.Drain, Reason: "maintenance"})
	tr := []control.TransitionCount{{Target: mon.states[1].Target, Up: 1, Down: 2}}
	return control.NewMetrics(control.MetricsConfig{
		DNS: fixedCounts{
			Requests:    []control.RequestCount{{Proto: "udp", Family: 4, Type: "A", Count: 7}, {Proto: "tcp", Family: 6, Type: "other", Count: 1}},
			Responses:   []control.ResponseCount{{Rcode: "NOERROR", Count: 6}, {Rcode: "NXDOMAIN", Count: 2}},
			Durations:   []control.HistogramCount{{Proto: "udp", Count: 3, Sum: 0.0002, Bounds: []float64{0.0001, 0.001}, Buckets: []uint64{2, 3}}},
			Answers:     []control.AnswerCount{{Pool: "web", Datacenter: "ams", Reason: "failover", Count: 4}, {Pool: "web", Reason: "all-down", Count: 1}},
			Panics:      1,
			TapSent:     12,
			RRLSlipped:  3,
			RRLDropped:  5,
			SigMade:     4,
			SigHits:     40,
			SigMisses:   3,
			SigFailures: 1,
			TCPRejected: 3,
			TCPEvicted:  []control.EvictedCount{{Reason: "full", Count: 5}, {Reason: "prefix", Count: 700}},
			TCPConns:    42,
		},
		Health: fakeHealth{mon, tr},
		Probes: fakeProbes{{Check: "dns", Delayed: 3}, {Check: "web", LocalErrors: 2}},
		Zones:  testZones(),
		GeoIP: func() []control.GeoIPDatabase {
			return []control.GeoIPDatabase{{Database: "city", Built: time.Unix(1700000000, 0)}}
		},
		Tables: func() control.RankingTables {
			return control.RankingTables{Tables: 3, Bytes: 12345678, Current: true, Built: time.Unix(1800000200, 0), Took: 2500 * time.Millisecond}
		},
		ZoneErrors: func() []zones.FileError {
			return []zones.FileError{{File: "zones/example.net.toml", Errors: []string{"zones/example.net.toml:1:1: origin: missing"}}}
		},
		Version: "v1.2.3",
		Now:     func() time.Time { return now },
	})
}

func TestMetrics(t *testing.T) {
	m := testMetrics()
	m.ReloadResult(true, time.Unix(1800000000, 0))
	m.ReloadResult(false, time.Unix(1800000100, 0)) // a failure keeps the last success's time
	want := `
# HELP gslb_answers_total Geo-routed decisions by pool, answering datacenter (empty when none) and reason.
# TYPE gslb_answers_total counter
gslb_answers_total{datacenter="ams",pool="web",reason="failover"} 4
gslb_answers_total{datacenter="",pool="web",reason="all-down"} 1
# HELP gslb_build_info Always 1; the labels say which gslb this is.
# TYPE gslb_build_info gauge
gslb_build_info{goversion="` + runtime.Version() + `",version="v1.2.3"} 1
# HELP gslb_config_last_reload_success_timestamp_seconds When the last reload without errors finished, in seconds since the Unix epoch.
# TYPE gslb_config_last_reload_success_timestamp_seconds gauge
gslb_config_last_reload_success_timestamp_seconds 1.8e+09
# HELP gslb_config_last_reload_successful 1 when the last reload (or the load at start) had no errors.
# TYPE gslb_config_last_reload_successful gauge
gslb_config_last_reload_successful 0
# HELP gslb_datacenter_up 1 when a pool's datacenter takes traffic for an address family: up, not drained, not forced down.
# TYPE gslb_datacenter_up gauge
gslb_datacenter_up{datacenter="ams",family="4",pool="cdn"} 1
gslb_datacenter_up{datacenter="ams",family="6",pool="cdn"} 1
gslb_datacenter_up{datacenter="iad",family="4",pool="cdn"} 0
gslb_datacenter_up{datacenter="ams",family="4",pool="web"} 1
gslb_datacenter_up{datacenter="ams",family="6",pool="web"} 1
gslb_datacenter_up{datacenter="iad",family="4",pool="web"} 0
# HELP gslb_dns_request_duration_seconds Time to answer a DNS query, from the packet read to the reply packed (a sample of the queries).
# TYPE gslb_dns_request_duration_seconds histogram
gslb_dns_request_duration_seconds_bucket{proto="udp",le="0.0001"} 2
gslb_dns_request_duration_seconds_bucket{proto="udp",le="0.001"} 3
gslb_dns_request_duration_seconds_bucket{proto="udp",le="+Inf"} 3
gslb_dns_request_duration_seconds_sum{proto="udp"} 0.0002
gslb_dns_request_duration_seconds_count{proto="udp"} 3
# HELP gslb_dns_requests_total DNS queries answered, by transport, address family of the source and query type (rare types: other).
# TYPE gslb_dns_requests_total counter
gslb_dns_requests_total{family="4",proto="udp",type="A"} 7
gslb_dns_requests_total{family="6",proto="tcp",type="other"} 1
# HELP gslb_dns_responses_total DNS replies by rcode.
# TYPE gslb_dns_responses_total counter
gslb_dns_responses_total{rcode="NOERROR"} 6
gslb_dns_responses_total{rcode="NXDOMAIN"} 2
# HELP gslb_dns_tcp_connections TCP connections open now.
# TYPE gslb_dns_tcp_connections gauge
gslb_dns_tcp_connections 42
# HELP gslb_dns_tcp_evicted_total Idle TCP connections closed to make room for a new one: the table was full (full) or the client's prefix had its share (prefix).
# TYPE gslb_dns_tcp_evicted_total counter
gslb_dns_tcp_evicted_total{reason="full"} 5
gslb_dns_tcp_evicted_total{reason="prefix"} 700
# HELP gslb_dns_tcp_rejected_total TCP connections closed as soon as accepted: no room, every open connection answering a query.
# TYPE gslb_dns_tcp_rejected_total counter
gslb_dns_tcp_rejected_total 3
# HELP gslb_dnstap_dropped_total dnstap messages dropped: no collector connected, queue full, connection lost.
# TYPE gslb_dnstap_dropped_total counter
gslb_dnstap_dropped_total 0
# HELP gslb_dnstap_sent_total dnstap messages (AUTH_QUERY, AUTH_RESPONSE) sent to the collector.
# TYPE gslb_dnstap_sent_total counter
gslb_dnstap_sent_total 12
# HELP gslb_dnssec_signature_cache_hits_total RRsets of signed replies whose signatures came from the signature cache.
# TYPE gslb_dnssec_signature_cache_hits_total counter
gslb_dnssec_signature_cache_hits_total 40
# HELP gslb_dnssec_signature_cache_misses_total RRsets of signed replies signed at query time: not in the signature cache, or due for refresh.
# TYPE gslb_dnssec_signature_cache_misses_total counter
gslb_dnssec_signature_cache_misses_total 3
# HELP gslb_dnssec_signatures_total DNSSEC signatures (RRSIG records) made: one per signing key per RRset signed.
# TYPE gslb_dnssec_signatures_total counter
gslb_dnssec_signatures_total 4
# HELP gslb_dnssec_signing_failures_total Queries answered SERVFAIL because a signature could not be made.
# TYPE gslb_dnssec_signing_failures_total counter
gslb_dnssec_signing_failures_total 1
# HELP gslb_geoip_build_timestamp_seconds Build time of each GeoIP database served, in seconds since the Unix epoch.
# TYPE gslb_geoip_build_timestamp_seconds gauge
gslb_geoip_build_timestamp_seconds{database="city"} 1.7e+09
# HELP gslb_panics_total Queries whose handling panicked (answered SERVFAIL).
# TYPE gslb_panics_total counter
gslb_panics_total 1
# HELP gslb_ranking_table_bytes Memory held by the ranking tables in use, approximately.
# TYPE gslb_ranking_table_bytes gauge
gslb_ranking_table_bytes 1.2345678e+07
# HELP gslb_ranking_tables Ranking tables in use (pools with the same members, policy, biases and map share one).
# TYPE gslb_ranking_tables gauge
gslb_ranking_tables 3
# HELP gslb_ranking_tables_build_seconds How long building the new tables of the set in use took (0 when every table was reused).
# TYPE gslb_ranking_tables_build_seconds gauge
gslb_ranking_tables_build_seconds 2.5
# HELP gslb_ranking_tables_built_timestamp_seconds When the set of ranking tables in use was published, in seconds since the Unix epoch (0: none yet).
# TYPE gslb_ranking_tables_built_timestamp_seconds gauge
gslb_ranking_tables_built_timestamp_seconds 1.8000002e+09
# HELP gslb_ranking_tables_current 1 when the ranking tables in use were built from the GeoIP data serving now; 0 before the first build and while they are rebuilt after a GeoIP reload (queries are ranked by a database lookup meanwhile).
# TYPE gslb_ranking_tables_current gauge
gslb_ranking_tables_current 1
# HELP gslb_probe_local_errors_total Probes that failed on this host (out of descriptors, buffers or ports), not on their target: no result, the target kept its state.
# TYPE gslb_probe_local_errors_total counter
gslb_probe_local_errors_total{check="dns"} 0
gslb_probe_local_errors_total{check="web"} 2
# HELP gslb_probe_slots Probes that may run at once: [health] max_in_flight.
# TYPE gslb_probe_slots gauge
gslb_probe_slots 64
# HELP gslb_probes_delayed_total Probes that found every slot busy (max_in_flight) and waited for one over a tenth of their interval.
# TYPE gslb_probes_delayed_total counter
gslb_probes_delayed_total{check="dns"} 3
gslb_probes_delayed_total{check="web"} 0
# HELP gslb_probes_in_flight Probes running now.
# TYPE gslb_probes_in_flight gauge
gslb_probes_in_flight 5
# HELP gslb_rrl_dropped_total Responses rate-limited (RRL) and dropped.
# TYPE gslb_rrl_dropped_total counter
gslb_rrl_dropped_total 5
# HELP gslb_rrl_dry_run_total Responses that RRL would have limited, sent whole (rrl.dry_run).
# TYPE gslb_rrl_dry_run_total counter
gslb_rrl_dry_run_total 0
# HELP gslb_rrl_slipped_total Responses rate-limited (RRL) and sent as a slip: truncated, or BADCOOKIE to a client with a cookie.
# TYPE gslb_rrl_slipped_total counter
gslb_rrl_slipped_total 3
# HELP gslb_target_transitions_total Health state changes of a target since it was added, by the state entered.
# TYPE gslb_target_transitions_total counter
gslb_target_transitions_total{address="192.0.2.11",check="web",to="down"} 2
gslb_target_transitions_total{address="192.0.2.11",check="web",to="up"} 1
# HELP gslb_target_up 1 when a health target counts as up (its probes pass, or it is not probed yet), 0 when down.
# TYPE gslb_target_up gauge
gslb_target_up{address="192.0.2.10",check="web"} 1
gslb_target_up{address="192.0.2.11",check="web"} 0
gslb_target_up{address="198.51.100.10",check="web"} 1
# HELP gslb_zone_files_failing Zone files that failed to load at the last reload (a previous version may still serve).
# TYPE gslb_zone_files_failing gauge
gslb_zone_files_failing 1
# HELP gslb_zone_serial SOA serial of each zone served.
# TYPE gslb_zone_serial gauge
gslb_zone_serial{zone="example.com."} 2.026112501e+09
`
	names := []string{"gslb_answers_total", "gslb_build_info", "gslb_config_last_reload_success_timestamp_seconds",
		"gslb_config_last_reload_successful", "gslb_datacenter_up", "gslb_dns_request_duration_seconds",
		"gslb_dns_requests_total", "gslb_dns_responses_total", "gslb_dns_tcp_connections", "gslb_dns_tcp_evicted_total", "gslb_dns_tcp_rejected_total",
		"gslb_dnssec_signature_cache_hits_total", "gslb_dnssec_signature_cache_misses_total", "gslb_dnssec_signatures_total", "gslb_dnssec_signing_failures_total",
		"gslb_dnstap_dropped_total", "gslb_dnstap_sent_total", "gslb_geoip_build_timestamp_seconds", "gslb_panics_total",
		"gslb_ranking_tables", "gslb_ranking_table_bytes", "gslb_ranking_tables_current", "gslb_ranking_tables_build_seconds",
		"gslb_ranking_tables_built_timestamp_seconds",
		"gslb_probe_local_errors_total", "gslb_probe_slots", "gslb_probes_delayed_total", "gslb_probes_in_flight",
		"gslb_rrl_dropped_total", "gslb_rrl_dry_run_total", "gslb_rrl_slipped_total",
		"gslb_target_transitions_total", "gslb_target_up", "gslb_zone_files_failing", "gslb_zone_serial"}
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	problems, err := testutil.CollectAndLint(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestMetricsWithoutSources checks that a collector without sources
// still collects (the always-present series) and lints clean.
func TestMetricsWithoutSources(t *testing.T) {
	m := control.NewMetrics(control.MetricsConfig{})
	if n := testutil.CollectAndCount(m); n != 4 { // panics, reload ok and time, build info
		t.Errorf("collected %d metrics without sources, want 4", n)
	}
}

// TestMetricsEndpoint serves a registry with the collector at /metrics,
// behind the token.
func TestMetricsEndpoint(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(testMetrics())
	ts := httptest.NewServer(control.New(control.Config{Token: "s3cret", Metrics: reg}))
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(string(body), `gslb_dns_requests_total{family="4",proto="udp",type="A"} 7`) {
		t.Errorf("GET /metrics = %d %s:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
