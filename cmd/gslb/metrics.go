package main

import (
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/dns"
)

// newMetrics builds the server's Prometheus registry, a registry of its
// own: the Go runtime's and the process's collectors, and gslb's
// collector over the DNS server, the health monitor, the zones and the
// GeoIP databases. The load at start counts as the first reload.
func (s *server) newMetrics() error {
	bi, _ := debug.ReadBuildInfo()
	s.metrics = control.NewMetrics(control.MetricsConfig{
		DNS:         dnsCounts{s.dns},
		Health:      controlMonitor{s.mon},
		Probes:      controlMonitor{s.mon},
		Zones:       s.zones,
		ZoneErrors:  s.zones.Errors,
		GeoIP:       s.geoIPDatabases,
		Cluster:     s.metricsCluster(),
		Tables:      s.rankingTables,
		Connections: controlConns{s},
		Version:     buildVersion(version, bi),
	})
	s.registry = prometheus.NewRegistry()
	s.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		s.metrics,
	)
	s.metrics.ReloadResult(s.loadErr == nil, time.Now())
	return nil
}

// rankingTables describes the router's ranking tables for the metrics.
func (s *server) rankingTables() control.RankingTables {
	t := s.router.Tables()
	return control.RankingTables{Tables: t.Tables, Bytes: t.Bytes, Current: t.Current, Built: t.Built, Took: t.Took}
}

// dnsCounts is the DNS server as the metrics see it.
type dnsCounts struct{ *dns.Server }

var _ control.DNSSource = dnsCounts{}

// Counts returns the DNS server's counters.
func (d dnsCounts) Counts() control.DNSCounts {
	st := d.Stats()
	c := control.DNSCounts{
		Truncated:   st.Truncated,
		Dropped:     st.Dropped,
		Panics:      st.Panics,
		TCPRejected: st.TCPRejected,
		TCPConns:    st.TCPConns,
		TapSent:     st.TapSent,
		TapDropped:  st.TapDropped,
		RRLSlipped:  st.RRLSlipped,
		RRLDropped:  st.RRLDropped,
		RRLDryRun:   st.RRLDryRun,
		SigMade:     st.SigMade,
		SigHits:     st.SigHits,
		SigMisses:   st.SigMisses,
		SigFailures: st.SigFailures,
	}
	for _, r := range st.Requests {
		c.Requests = append(c.Requests, control.RequestCount(r))
	}
	for _, r := range st.Responses {
		c.Responses = append(c.Responses, control.ResponseCount(r))
	}
	for _, h := range st.Durations {
		c.Durations = append(c.Durations, control.HistogramCount(h))
	}
	for _, e := range st.TCPEvicted {
		c.TCPEvicted = append(c.TCPEvicted, control.EvictedCount(e))
	}
	for _, a := range st.Answers {
		c.Answers = append(c.Answers, control.AnswerCount(a))
	}
	return c
}

// controlConns is the control listener as the metrics read it; it is
// bound after the metrics are made, and scraped only once it serves.
type controlConns struct{ s *server }

var _ control.ConnectionSource = controlConns{}

// Open returns the control API's open connections.
func (c controlConns) Open() int {
	if c.s.ctlLn == nil {
		return 0
	}
	return c.s.ctlLn.Open()
}

// Rejected returns the control API's connections answered 503.
func (c controlConns) Rejected() uint64 {
	if c.s.ctlLn == nil {
		return 0
	}
	return c.s.ctlLn.Rejected()
}

// Evicted returns the control API's connections closed to make room.
func (c controlConns) Evicted() uint64 {
	if c.s.ctlLn == nil {
		return 0
	}
	return c.s.ctlLn.Evicted()
}
