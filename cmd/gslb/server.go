package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/gslb/gslb/internal/procs"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/geo/mmdb"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/cluster"
	"github.com/gslb/gslb/health/monitor"
	"github.com/gslb/gslb/health/probe"
	"github.com/gslb/gslb/health/store"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/route"
	"github.com/gslb/gslb/zones"
)

// server is one gslb server: the parts that serve builds, one step each,
// and run, which runs them until its context ends. Fields are set by the
// steps in this order; close releases what they opened.
type server struct {
	cfg    *config.Config // the configuration at start; then s.zones.Config() is the one in force
	opts   serveOptions
	logger *slog.Logger // handed to the parts, which add their component
	log    *slog.Logger // the server's own lines: component=main
	notify notifier     // the service manager, when NOTIFY_SOCKET is set

	answering     atomic.Bool // set once queries are answered (READY=1 sent)
	successorRuns atomic.Bool // a successor started by SIGUSR2 runs: no STOPPING=1

	// lifetime ends when the server is told to stop (serve's context): a
	// zone load in progress, at start or in a reload, stops at once.
	lifetime context.Context

	reloadMu   sync.Mutex                   // one reload at a time
	lastReload atomic.Pointer[configReload] // the outcome of the last configuration load

	state    stateStore        // the state file: health states and overrides across restarts
	handover *handoverStore    // with -replace while the predecessor holds the state file: state, until taken over
	mon      *monitor.Monitor  // probes targets, publishes health snapshots
	cluster  *cluster.Cluster  // gossip with the other nodes; nil without [cluster]
	geoDB    *mmdb.DB          // nil without [geoip]
	api      *control.Server   // the control API; nil when control.listen is ""
	router   *route.Router     // the GSLB engine: ranking tables and decisions
	zones    *zones.Store      // the zone files being served
	dns      *dns.Server       // bound by listenDNS, answering once run finds health ready
	ctl      *http.Server      // the control API; nil when control.listen is ""
	ctlLn    *control.Listener // the control API's capped listener; nil when control.listen is ""
	ctlAddr  string            // the control listener's bound address; "" when disabled

	loadErr  error                // the zone files' problems at start
	metrics  *control.Metrics     // the gslb collector: counters, health, zones, GeoIP, reloads
	registry *prometheus.Registry // the server's own registry, served at /metrics
}

func newServer(cfg *config.Config, logger *slog.Logger, opts serveOptions) *server {
	s := &server{cfg: cfg, opts: opts, logger: logger, log: logger.With("component", "main"), lifetime: context.Background()}
	s.notify = notifier{socket: opts.NotifySocket, log: s.log}
	now := time.Now()
	s.lastReload.Store(&configReload{OK: true, At: now, LastSuccess: now}) // loading at start counts as the first
	return s
}

// openState opens the state file, which one server at a time may hold.
// With -replace, when another server holds it, the health monitor starts
// from a copy of it, and answer takes the file over once that server has
// stopped (handover.go).
func (s *server) openState() error {
	wait := lockWait
	if s.opts.Replace {
		wait = replaceLockWait // a holder is expected: do not keep it waiting
	}
	st, err := store.Open(s.cfg.State, store.Options{Logger: s.logger, Timeout: wait})
	if err == nil {
		s.state = st
		return nil
	}
	if !errors.Is(err, store.ErrLocked) {
		return err // it names the state file already
	}
	if !s.opts.Replace {
		return fmt.Errorf("%w: another gslb serves with it; stop it first, or start this one with -replace to take over without downtime", err)
	}
	if s.cfg.Cluster != nil {
		return fmt.Errorf("%w: -replace cannot take over a [cluster] node yet (its gossip address is held until it stops): restart it instead", err)
	}
	c, err := readCopy(s.cfg.State, s.logger)
	if err != nil {
		return err
	}
	s.handover = &handoverStore{copy: c, log: s.logger.With("component", "main")}
	s.state = s.handover
	s.log.Info("replacing the gslb that holds the state file: starting from a copy of it", "state", s.cfg.State,
		"targets", len(c.Targets), "overrides", len(c.Overrides))
	return nil
}

// newMonitor creates the health monitor on the state file; run starts it.
func (s *server) newMonitor() error {
	lim := healthLimits(s.cfg)
	prober := &probe.Prober{Refuse: s.refuseProbe}
	mon, err := monitor.New(monitor.Options{
		Store:        s.state,
		Probe:        prober.Probe,
		Logger:       s.logger,
		MaxInFlight:  lim.MaxInFlight,
		Staleness:    lim.Staleness,
		MaxStartWait: lim.MaxStartWait,
		Cluster:      s.monitorCluster(),
		Quorum:       s.quorum(),
	})
	if err != nil {
		return fmt.Errorf("health monitor: %w", err)
	}
	s.mon = mon
	return nil
}

// healthLimits returns the monitor's settings of [health], which a reload
// may change.
func healthLimits(c *config.Config) monitor.Limits {
	return monitor.Limits{MaxInFlight: c.Health.MaxInFlight, Staleness: c.Health.Staleness, MaxStartWait: c.Health.MaxStartWait}
}

// refuseProbe says why a probe must not go to ap, or "": the control
// listener's own address (as bound: the configuration check at load cannot
// know a port 0's or a host name's). The probes start after the listener
// is bound, and ctlAddr does not change after.
func (s *server) refuseProbe(ap netip.AddrPort) string {
	if s.ctlAddr != "" && config.ListenerServes(s.ctlAddr, ap, config.LocalAddrs) {
		return "gslb's own control listener (control.listen)"
	}
	return ""
}

// openGeoIP opens the GeoIP databases of [geoip], if any.
func (s *server) openGeoIP() error {
	if s.cfg.GeoIP.City == "" {
		return nil
	}
	db, err := mmdb.Config{City: s.cfg.GeoIP.City, ASN: s.cfg.GeoIP.ASN, Logger: s.logger}.Open()
	if err != nil {
		return fmt.Errorf("geoip: %w", err)
	}
	s.geoDB = db
	return nil
}

// loadZones creates the GSLB engine and the zone store, and loads the zone
// files: every zone set the store publishes goes to the engine, and its
// targets to the health monitor. Zone files with errors are logged and not
// served; the others are.
func (s *server) loadZones() error {
	var geoSrc route.GeoSource
	if s.geoDB != nil {
		geoSrc = s.geoDB
	}
	s.router = route.New(route.Options{
		Geo:    geoSrc,
		Health: s.mon,
		Logger: s.logger,
		Spare:  new(procs.Spare), // with its low priority (run.go), the builder yields to the readers
	})
	s.zones = zones.NewStore(s.cfg, dns.ParseRecord, s.logger, func(set *zones.Set) {
		s.router.Update(set)
		// The configuration the set was compiled against: the store
		// switches to a reloaded one before it publishes the set.
		s.mon.SetTargets(targetsOf(set, s.zones.Config()))
		s.shareZones(set)
	})
	// Signed zones without keys of their own get one generated beside
	// the state file, kept across restarts.
	s.zones.SetKeyLoader(dns.KeyLoader(dns.KeyOptions{Dir: dns.KeyDir(s.cfg.State), Generate: true}))
	// A stop does not wait for the load: ReloadContext stops between
	// records, but not inside the TOML parse of a large file, which then
	// ends by itself and publishes nothing.
	loaded := make(chan error, 1)
	go func() { loaded <- s.zones.ReloadContext(s.lifetime) }()
	select {
	case s.loadErr = <-loaded:
	case <-s.lifetime.Done():
		return s.lifetime.Err()
	}
	if s.lifetime.Err() != nil {
		return s.loadErr // stopped: serve says so
	}
	if err := s.loadErr; err != nil {
		var files []string
		for _, fe := range s.zones.Errors() {
			files = append(files, fe.File)
		}
		s.log.Error("some zone files have errors: their zones are not served until fixed",
			"problems", len(tomlcheck.Errors(err)), "files", strings.Join(files, ","))
	}
	if len(s.zones.Current().Zones()) == 0 {
		s.mon.SetTargets(nil) // nothing to probe: readiness must not wait
	}
	return nil
}

// targetsOf returns every health target of the zone set.
func targetsOf(set *zones.Set, cfg *config.Config) map[health.Target]health.Check {
	out := map[health.Target]health.Check{}
	for _, z := range set.Zones() {
		for t, c := range z.Targets(cfg.Checks) {
			out[t] = c
		}
	}
	return out
}

// reload reloads the server configuration, the zone files and the GeoIP
// databases (SIGHUP and the control API), one reload at a time, between
// RELOADING=1 and READY=1 to the service manager. Each problem is logged
// where it happens; the error joins them all.
func (s *server) reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if s.answering.Load() { // before, READY=1 would say too early that gslb answers
		s.notify.reloading()
		defer s.notify.ready()
	}
	err := s.reloadConfig()
	if zerr := s.zones.ReloadContext(s.lifetime); zerr != nil {
		err = errors.Join(err, zerr)
	}
	if s.geoDB != nil {
		if gerr := s.geoDB.Reload(); gerr != nil {
			err = errors.Join(err, gerr)
		}
	}
	if s.metrics != nil {
		s.metrics.ReloadResult(err == nil, time.Now())
	}
	return err
}

// listenDNS binds the DNS sockets of every listen address. Queries that
// arrive before run answers wait in the sockets' buffers.
func (s *server) listenDNS() error {
	lim := dnsLimits(s.cfg)
	rrl, cookies := dnsProtection(s.cfg)
	s.dns = dns.NewServer(dns.Config{
		Listen:         s.cfg.Listen,
		MaxUDPSize:     lim.MaxUDPSize,
		TCPIdleTimeout: lim.TCPIdleTimeout,
		ReadTimeout:    lim.ReadTimeout,
		WriteTimeout:   lim.WriteTimeout,
		MaxTCPConns:    lim.MaxTCPConns,
		NSID:           lim.NSID,
		Version:        lim.Version,

		MaxTCPConnsPerPrefix: lim.MaxTCPConnsPerPrefix,
		TCPIPv4Prefix:        lim.TCPIPv4Prefix,
		TCPIPv6Prefix:        lim.TCPIPv6Prefix,
		TCPFirstQueryTimeout: lim.TCPFirstQueryTimeout,
		UDPReceiveBuffer:     s.cfg.UDPReceiveBuffer,

		Logger:  s.logger,
		Zones:   s.zones,
		Router:  s.router,
		Tap:     tapConfig(s.cfg.DNSTap),
		RRL:     rrl,
		Cookies: cookies,
	})
	if s.handover != nil {
		// Bound only when answering: a socket bound now would take its
		// share of the predecessor's queries and hold them until then.
		return nil
	}
	if err := s.dns.Listen(); err != nil {
		return err // "listen udp ADDR: ...", "listen tcp ADDR: ..."
	}
	return nil
}

// tapConfig returns the DNS server's query log of [dnstap]: none when the
// table is absent. Its version defaults to "gslb " and what `gslb version`
// prints first.
func tapConfig(d config.DNSTap) dns.TapConfig {
	c := dns.TapConfig{Identity: d.Identity, Version: d.Version, Buffer: d.Buffer}
	if c.Version == "" {
		bi, _ := debug.ReadBuildInfo()
		c.Version = "gslb " + buildVersion(version, bi)
	}
	switch {
	case d.Socket != "":
		c.Network, c.Address = "unix", d.Socket
	case d.Address != "":
		c.Network, c.Address = "tcp", d.Address
	}
	return c
}

// close releases what the steps opened, last first: the control
// listener, the DNS sockets (when run did not serve them), the state file.
func (s *server) close() {
	if s.cluster != nil {
		_ = s.cluster.Close() // a no-op once run has left the cluster
	}
	if s.ctl != nil {
		// Requests in progress finish (a successor serves the new ones).
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if s.ctl.Shutdown(ctx) != nil {
			s.ctl.Close()
		}
		cancel()
	}
	if s.dns != nil {
		_ = s.dns.Shutdown(context.Background()) // nothing is in progress: Serve has returned or never ran
	}
	if s.state != nil {
		if err := s.state.Close(); err != nil {
			s.log.Error("cannot close the state file", "error", err)
		}
	}
}

// dnsLimits returns the DNS server's settings that a reload may change.
func dnsLimits(c *config.Config) dns.Limits {
	return dns.Limits{
		MaxUDPSize:     int(c.MaxUDPSize),
		NSID:           c.NSID,
		Version:        c.Version,
		TCPIdleTimeout: c.TCPIdleTimeout,
		ReadTimeout:    c.TCPTimeout,
		WriteTimeout:   c.TCPTimeout,
		MaxTCPConns:    c.TCPMaxConnections,

		MaxTCPConnsPerPrefix: c.TCPMaxConnectionsPerPrefix,
		TCPIPv4Prefix:        c.TCPIPv4Prefix,
		TCPIPv6Prefix:        c.TCPIPv6Prefix,
		TCPFirstQueryTimeout: c.TCPFirstQueryTimeout,
	}
}
