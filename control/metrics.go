package control

import (
	"cmp"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// DNSSource gives what the DNS server counted since it started. Counts is
// called once per scrape.
type DNSSource interface {
	Counts() DNSCounts
}

// DNSCounts are the DNS server's counters, labelled as the metrics label
// them.
type DNSCounts struct {
	Requests    []RequestCount   // by transport, source address family and query type
	Responses   []ResponseCount  // by rcode
	Durations   []HistogramCount // one per transport
	Answers     []AnswerCount    // geo-routed decisions by pool, datacenter and reason
	Truncated   uint64           // replies with TC set
	Dropped     uint64           // packets not answered (shorter than a header, responses)
	Panics      uint64           // queries whose handling panicked
	TCPRejected uint64           // TCP connections closed at accept: no room (every connection busy)
	TCPEvicted  []EvictedCount   // idle TCP connections closed to make room, by reason
	TCPConns    int              // TCP connections open now
	TapSent     uint64           // dnstap messages sent to the collector
	TapDropped  uint64           // dnstap messages dropped (slow or absent collector)
	RRLSlipped  uint64           // responses RRL sent as a slip (truncated, or BADCOOKIE)
	RRLDropped  uint64           // responses RRL dropped
	RRLDryRun   uint64           // responses RRL would have limited (dry run)
	SigMade     uint64           // DNSSEC signatures (RRSIG records) made
	SigHits     uint64           // RRsets of signed replies whose signatures came from the cache
	SigMisses   uint64           // RRsets of signed replies signed at query time
	SigFailures uint64           // queries answered SERVFAIL: a signature could not be made
}

// RequestCount is the number of queries answered over Proto ("udp",
// "tcp") from address family Family (4, 6) for query type Type ("A", …,
// "other").
type RequestCount struct {
	Proto  string
	Family int
	Type   string
	Count  uint64
}

// ResponseCount is the number of replies with one rcode ("NOERROR", …).
type ResponseCount struct {
	Rcode string
	Count uint64
}

// EvictedCount is the number of idle TCP connections closed to make room
// for a new one, for one reason: "full" (the table was full) or "prefix"
// (the new client's prefix had its share).
type EvictedCount struct {
	Reason string
	Count  uint64
}

// HistogramCount is a distribution of query durations of one transport:
// Buckets[i] queries (cumulative) took at most Bounds[i] seconds; Count
// queries took Sum seconds in all.
type HistogramCount struct {
	Proto   string
	Count   uint64
	Sum     float64
	Bounds  []float64
	Buckets []uint64
}

// AnswerCount is the number of geo-routed decisions of a pool answered by
// a datacenter ("" when none) for a reason ("first", "failover", "spill",
// "ramp", "all-down").
type AnswerCount struct {
	Pool       string
	Datacenter string
	Reason     string
	Count      uint64
}

// HealthSource is what the metrics read from the health monitor.
type HealthSource interface {
	// Snapshot returns the health snapshot the query path reads now.
	Snapshot() *health.Snapshot
	// States returns the detailed state of every target.
	States() []TargetState
	// Transitions returns how often each target went up and down.
	Transitions() []TransitionCount
}

// ProbeSource is what the metrics read from the health monitor about the
// probes themselves.
type ProbeSource interface {
	// ProbeCounts returns, by check, the probes that failed on this host
	// and those delayed for a slot.
	ProbeCounts() []ProbeCount
	// Slots returns the probe slots ([health] max_in_flight) and how many
	// are in use.
	Slots() (limit, inUse int)
}

// ProbeCount is what the probes of one check met that is not a result of
// their targets.
type ProbeCount struct {
	Check       string
	LocalErrors uint64 // failed on this host (out of descriptors, buffers, ports): no result
	Delayed     uint64 // waited for a slot over a tenth of their interval
}

// ConnectionSource is what the metrics read of the control listener.
// *Listener implements it.
type ConnectionSource interface {
	Open() int        // connections open now
	Rejected() uint64 // answered 503 for being over a cap
	Evicted() uint64  // closed to make room for a new one
}

var _ ConnectionSource = (*Listener)(nil)

// TransitionCount is how many times a target went up and down.
type TransitionCount struct {
	Target health.Target
	Up     uint64
	Down   uint64
}

// MetricsConfig configures Metrics. Every source may be nil: its metrics
// are then left out (the DNS counters' panics count stays, at 0).
type MetricsConfig struct {
	DNS    DNSSource
	Health HealthSource
	Probes ProbeSource
	Zones  ZoneSource
	// ZoneErrors returns the zone files that failed to load at the last
	// reload (Config.ZoneErrors' function): gslb_zone_files_failing.
	ZoneErrors func() []zones.FileError
	// GeoIP describes the GeoIP databases loaded now (Config.GeoIP's
	// function): gslb_geoip_build_timestamp_seconds.
	GeoIP func() []GeoIPDatabase
	// Cluster is the cluster this node is in: gslb_cluster_*. Nil
	// outside a cluster.
	Cluster ClusterSource
	// Tables describes the ranking tables in use: gslb_ranking_*. Nil:
	// left out.
	Tables func() RankingTables
	// Connections is the control listener (a *Listener):
	// gslb_control_connections and the counts of refused and evicted
	// connections. Nil: left out.
	Connections ConnectionSource
	// Version is the version label of gslb_build_info. Default "unknown".
	Version string
	// Now is the clock of the datacenters' evaluation (overrides that
	// lapse, ramp-up). Nil: time.Now.
	Now func() time.Time
}

// RankingTables describes the ranking tables in use (route.TablesInfo).
type RankingTables struct {
	Tables  int           // distinct tables
	Bytes   int           // the memory they hold, approximately
	Current bool          // built from the GeoIP data serving now
	Built   time.Time     // when the set in use was published; zero: none yet
	Took    time.Duration // how long building its new tables took
}

// Metrics is the Prometheus collector of a gslb server: it reads the DNS
// server's counters, the health monitor, the zone set and the GeoIP
// databases at scrape time (the query path only counts in atomics), and
// holds the outcome of the last reload. Register it on a registry of its
// own; it is safe for concurrent use.
type Metrics struct {
	cfg MetricsConfig

	mu          sync.Mutex
	reloadOK    bool
	lastSuccess time.Time
}

var _ prometheus.Collector = (*Metrics)(nil)

// The metrics' descriptions: the names, types and labels of FORMAT.md's
// table, then gslb's additions.
var (
	descRequests = prometheus.NewDesc("gslb_dns_requests_total",
		"DNS queries answered, by transport, address family of the source and query type (rare types: other).",
		[]string{"proto", "family", "type"}, nil)
	descResponses = prometheus.NewDesc("gslb_dns_responses_total",
		"DNS replies by rcode.", []string{"rcode"}, nil)
	descDuration = prometheus.NewDesc("gslb_dns_request_duration_seconds",
		"Time to answer a DNS query, from the packet read to the reply packed (a sample of the queries).",
		[]string{"proto"}, nil)
	descAnswers = prometheus.NewDesc("gslb_answers_total",
		"Geo-routed decisions by pool, answering datacenter (empty when none) and reason.",
		[]string{"pool", "datacenter", "reason"}, nil)
	descTargetUp = prometheus.NewDesc("gslb_target_up",
		"1 when a health target counts as up (its probes pass, or it is not probed yet), 0 when down.",
		[]string{"check", "address"}, nil)
	descTransitions = prometheus.NewDesc("gslb_target_transitions_total",
		"Health state changes of a target since it was added, by the state entered.",
		[]string{"check", "address", "to"}, nil)
	descDatacenterUp = prometheus.NewDesc("gslb_datacenter_up",
		"1 when a pool's datacenter takes traffic for an address family: up, not drained, not forced down.",
		[]string{"pool", "datacenter", "family"}, nil)
	descReloadOK = prometheus.NewDesc("gslb_config_last_reload_successful",
		"1 when the last reload (or the load at start) had no errors.", nil, nil)
	descReloadTime = prometheus.NewDesc("gslb_config_last_reload_success_timestamp_seconds",
		"When the last reload without errors finished, in seconds since the Unix epoch.", nil, nil)
	descZoneSerial = prometheus.NewDesc("gslb_zone_serial",
		"SOA serial of each zone served.", []string{"zone"}, nil)
	descGeoIPBuilt = prometheus.NewDesc("gslb_geoip_build_timestamp_seconds",
		"Build time of each GeoIP database served, in seconds since the Unix epoch.", []string{"database"}, nil)
	descTables = prometheus.NewDesc("gslb_ranking_tables",
		"Ranking tables in use (pools with the same members, policy, biases and map share one).", nil, nil)
	descTableBytes = prometheus.NewDesc("gslb_ranking_table_bytes",
		"Memory held by the ranking tables in use, approximately.", nil, nil)
	descTablesCurrent = prometheus.NewDesc("gslb_ranking_tables_current",
		"1 when the ranking tables in use were built from the GeoIP data serving now; 0 before the first build and while they are rebuilt after a GeoIP reload (queries are ranked by a database lookup meanwhile).", nil, nil)
	descTablesBuild = prometheus.NewDesc("gslb_ranking_tables_build_seconds",
		"How long building the new tables of the set in use took (0 when every table was reused).", nil, nil)
	descTablesBuilt = prometheus.NewDesc("gslb_ranking_tables_built_timestamp_seconds",
		"When the set of ranking tables in use was published, in seconds since the Unix epoch (0: none yet).", nil, nil)
	descPanics = prometheus.NewDesc("gslb_panics_total",
		"Queries whose handling panicked (answered SERVFAIL).", nil, nil)
	descBuildInfo = prometheus.NewDesc("gslb_build_info",
		"Always 1; the labels say which gslb this is.", []string{"version", "goversion"}, nil)

	descTruncated = prometheus.NewDesc("gslb_dns_truncated_total",
		"DNS replies truncated (TC set) to fit the transport.", nil, nil)
	descDropped = prometheus.NewDesc("gslb_dns_dropped_total",
		"Packets not answered: shorter than a DNS header, or responses.", nil, nil)
	descTCPRejected = prometheus.NewDesc("gslb_dns_tcp_rejected_total",
		"TCP connections closed as soon as accepted: no room, every open connection answering a query.", nil, nil)
	descTCPEvicted = prometheus.NewDesc("gslb_dns_tcp_evicted_total",
		"Idle TCP connections closed to make room for a new one: the table was full (full) or the client's prefix had its share (prefix).", []string{"reason"}, nil)
	descTCPConns = prometheus.NewDesc("gslb_dns_tcp_connections",
		"TCP connections open now.", nil, nil)
	descZones = prometheus.NewDesc("gslb_zones",
		"Zones served.", nil, nil)
	descTapSent = prometheus.NewDesc("gslb_dnstap_sent_total",
		"dnstap messages (AUTH_QUERY, AUTH_RESPONSE) sent to the collector.", nil, nil)
	descTapDropped = prometheus.NewDesc("gslb_dnstap_dropped_total",
		"dnstap messages dropped: no collector connected, queue full, connection lost.", nil, nil)
	descRRLSlipped = prometheus.NewDesc("gslb_rrl_slipped_total",
		"Responses rate-limited (RRL) and sent as a slip: truncated, or BADCOOKIE to a client with a cookie.", nil, nil)
	descRRLDropped = prometheus.NewDesc("gslb_rrl_dropped_total",
		"Responses rate-limited (RRL) and dropped.", nil, nil)
	descRRLDryRun = prometheus.NewDesc("gslb_rrl_dry_run_total",
		"Responses that RRL would have limited, sent whole (rrl.dry_run).", nil, nil)
	descSigMade = prometheus.NewDesc("gslb_dnssec_signatures_total",
		"DNSSEC signatures (RRSIG records) made: one per signing key per RRset signed.", nil, nil)
	descSigHits = prometheus.NewDesc("gslb_dnssec_signature_cache_hits_total",
		"RRsets of signed replies whose signatures came from the signature cache.", nil, nil)
	descSigMisses = prometheus.NewDesc("gslb_dnssec_signature_cache_misses_total",
		"RRsets of signed replies signed at query time: not in the signature cache, or due for refresh.", nil, nil)
	descSigFailures = prometheus.NewDesc("gslb_dnssec_signing_failures_total",
		"Queries answered SERVFAIL because a signature could not be made.", nil, nil)
	descZoneFilesFailing = prometheus.NewDesc("gslb_zone_files_failing",
		"Zone files that failed to load at the last reload (a previous version may still serve).", nil, nil)
	descProbeLocalErrors = prometheus.NewDesc("gslb_probe_local_errors_total",
		"Probes that failed on this host (out of descriptors, buffers or ports), not on their target: no result, the target kept its state.",
		[]string{"check"}, nil)
	descProbesDelayed = prometheus.NewDesc("gslb_probes_delayed_total",
		"Probes that found every slot busy (max_in_flight) and waited for one over a tenth of their interval.",
		[]string{"check"}, nil)
	descProbeSlots = prometheus.NewDesc("gslb_probe_slots",
		"Probes that may run at once: [health] max_in_flight.", nil, nil)
	descControlConns = prometheus.NewDesc("gslb_control_connections",
		"Connections open to the control API now ([control] max_connections caps them).", nil, nil)
	descControlRejected = prometheus.NewDesc("gslb_control_connections_rejected_total",
		"Control API connections answered 503 and closed: over max_connections_per_client, or over max_connections with every one in a request.", nil, nil)
	descControlEvicted = prometheus.NewDesc("gslb_control_connections_evicted_total",
		"Control API connections closed to make room for a new one at max_connections: the oldest without a request in progress.", nil, nil)
	descProbesInFlight = prometheus.NewDesc("gslb_probes_in_flight",
		"Probes running now.", nil, nil)
)

// NewMetrics returns the collector of cfg's sources. Until ReloadResult is
// called, the last reload counts as failed and never successful.
func NewMetrics(cfg MetricsConfig) *Metrics {
	if cfg.Version == "" {
		cfg.Version = "unknown"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Metrics{cfg: cfg}
}

// ReloadResult records the outcome of a reload (or of the load at start)
// that finished at at: gslb_config_last_reload_successful becomes 1 or 0,
// and a success moves gslb_config_last_reload_success_timestamp_seconds.
func (m *Metrics) ReloadResult(ok bool, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reloadOK = ok
	if ok {
		m.lastSuccess = at
	}
}

// Describe sends the description of every metric.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		descRequests, descResponses, descDuration, descAnswers, descTargetUp, descTransitions,
		descDatacenterUp, descReloadOK, descReloadTime, descZoneSerial, descGeoIPBuilt, descPanics,
		descTables, descTableBytes, descTablesCurrent, descTablesBuild, descTablesBuilt,
		descBuildInfo, descTruncated, descDropped, descTCPRejected, descTCPEvicted, descTCPConns, descZones, descZoneFilesFailing,
		descTapSent, descTapDropped, descProbeLocalErrors, descProbesDelayed, descProbeSlots, descProbesInFlight,
		descRRLSlipped, descRRLDropped, descRRLDryRun,
		descClusterMembers, descClusterDisagreeing, descClusterAlone,
		descControlConns, descControlRejected, descControlEvicted,
		descSigMade, descSigHits, descSigMisses, descSigFailures,
	} {
		ch <- d
	}
}

// Collect reads every source and sends the metrics.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.collectDNS(ch)
	m.collectHealth(ch)
	m.collectProbes(ch)
	m.collectZones(ch)
	m.collectCluster(ch)
	if c := m.cfg.Connections; c != nil {
		ch <- gauge(descControlConns, float64(c.Open()))
		ch <- counter(descControlRejected, c.Rejected())
		ch <- counter(descControlEvicted, c.Evicted())
	}
	if m.cfg.ZoneErrors != nil {
		ch <- gauge(descZoneFilesFailing, float64(len(m.cfg.ZoneErrors())))
	}
	if m.cfg.GeoIP != nil {
		for _, db := range m.cfg.GeoIP() {
			ch <- gauge(descGeoIPBuilt, unixSeconds(db.Built), db.Database)
		}
	}
	if m.cfg.Tables != nil {
		t := m.cfg.Tables()
		ch <- gauge(descTables, float64(t.Tables))
		ch <- gauge(descTableBytes, float64(t.Bytes))
		ch <- gauge(descTablesCurrent, boolValue(t.Current))
		ch <- gauge(descTablesBuild, t.Took.Seconds())
		ch <- gauge(descTablesBuilt, unixSeconds(t.Built))
	}
	m.mu.Lock()
	ok, last := m.reloadOK, m.lastSuccess
	m.mu.Unlock()
	ch <- gauge(descReloadOK, boolValue(ok))
	ch <- gauge(descReloadTime, unixSeconds(last))
	ch <- gauge(descBuildInfo, 1, m.cfg.Version, runtime.Version())
}

func (m *Metrics) collectDNS(ch chan<- prometheus.Metric) {
	if m.cfg.DNS == nil {
		ch <- counter(descPanics, 0)
		return
	}
	c := m.cfg.DNS.Counts()
	for _, r := range c.Requests {
		ch <- counter(descRequests, r.Count, r.Proto, strconv.Itoa(r.Family), r.Type)
	}
	for _, r := range c.Responses {
		ch <- counter(descResponses, r.Count, r.Rcode)
	}
	for _, h := range c.Durations {
		buckets := make(map[float64]uint64, len(h.Bounds))
		for i, b := range h.Bounds {
			buckets[b] = h.Buckets[i]
		}
		ch <- prometheus.MustNewConstHistogram(descDuration, h.Count, h.Sum, buckets, h.Proto)
	}
	for _, a := range c.Answers {
		ch <- counter(descAnswers, a.Count, a.Pool, a.Datacenter, a.Reason)
	}
	ch <- counter(descPanics, c.Panics)
	ch <- counter(descTruncated, c.Truncated)
	ch <- counter(descDropped, c.Dropped)
	ch <- counter(descTCPRejected, c.TCPRejected)
	for _, e := range c.TCPEvicted {
		ch <- counter(descTCPEvicted, e.Count, e.Reason)
	}
	ch <- gauge(descTCPConns, float64(c.TCPConns))
	ch <- counter(descTapSent, c.TapSent)
	ch <- counter(descTapDropped, c.TapDropped)
	ch <- counter(descRRLSlipped, c.RRLSlipped)
	ch <- counter(descRRLDropped, c.RRLDropped)
	ch <- counter(descRRLDryRun, c.RRLDryRun)
	ch <- counter(descSigMade, c.SigMade)
	ch <- counter(descSigHits, c.SigHits)
	ch <- counter(descSigMisses, c.SigMisses)
	ch <- counter(descSigFailures, c.SigFailures)
}

func (m *Metrics) collectHealth(ch chan<- prometheus.Metric) {
	if m.cfg.Health == nil {
		return
	}
	for _, st := range m.cfg.Health.States() {
		up := st.State.Detail().Status != health.Down
		ch <- gauge(descTargetUp, boolValue(up), st.Target.Check, st.Target.Addr.String())
	}
	for _, tc := range m.cfg.Health.Transitions() {
		check, addr := tc.Target.Check, tc.Target.Addr.String()
		ch <- counter(descTransitions, tc.Up, check, addr, "up")
		ch <- counter(descTransitions, tc.Down, check, addr, "down")
	}
}

func (m *Metrics) collectProbes(ch chan<- prometheus.Metric) {
	if m.cfg.Probes == nil {
		return
	}
	for _, c := range m.cfg.Probes.ProbeCounts() {
		ch <- counter(descProbeLocalErrors, c.LocalErrors, c.Check)
		ch <- counter(descProbesDelayed, c.Delayed, c.Check)
	}
	limit, inUse := m.cfg.Probes.Slots()
	ch <- gauge(descProbeSlots, float64(limit))
	ch <- gauge(descProbesInFlight, float64(inUse))
}

// collectZones sends the zones' serials and, for every pool (by name: a
// pool defined alike in several zones is reported once, from the first
// zone), whether each datacenter takes traffic, judged as the selection
// step judges it.
func (m *Metrics) collectZones(ch chan<- prometheus.Metric) {
	if m.cfg.Zones == nil {
		return
	}
	zs := m.cfg.Zones.Zones().Zones()
	ch <- gauge(descZones, float64(len(zs)))
	pools := map[string]*pick.Pool{}
	for _, z := range zs {
		ch <- gauge(descZoneSerial, float64(z.Serial), z.Origin)
		for _, n := range z.Names() {
			if _, ok := pools[n.Pool.Name]; !ok {
				pools[n.Pool.Name] = n.Pool
			}
		}
		for name, p := range z.Pools {
			if _, ok := pools[name]; !ok {
				pools[name] = p
			}
		}
	}
	if m.cfg.Health == nil {
		return
	}
	snap, now := m.cfg.Health.Snapshot(), m.cfg.Now()
	names := make([]string, 0, len(pools))
	for n := range pools {
		names = append(names, n)
	}
	slices.SortFunc(names, cmp.Compare)
	for _, name := range names {
		p := pools[name]
		for _, fam := range []pick.Family{pick.IPv4, pick.IPv6} {
			var tr pick.Trace
			pick.Resolve(p, pick.Ranking{}, pick.Query{Family: fam, Health: snap, Now: now}, nil, &tr)
			family := "4"
			if fam == pick.IPv6 {
				family = "6"
			}
			for _, tm := range tr.Members {
				if !tm.Eligible {
					continue // no addresses of the family
				}
				ch <- gauge(descDatacenterUp, boolValue(tm.Up && !tm.Drained), p.Name, tm.Datacenter, family)
			}
		}
	}
}

func counter(d *prometheus.Desc, v uint64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

func gauge(d *prometheus.Desc, v float64, labels ...string) prometheus.Metric {
	return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// unixSeconds returns t in seconds since the Unix epoch; 0 for the zero
// time.
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
