package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/monitor"
	"github.com/gslb/gslb/internal/reuseport"
	"github.com/gslb/gslb/pick"
)

// listenControl binds the control API's listener ([control] listen) and
// serves the API on it, with the bearer token of control.token_file.
// Nothing happens when control.listen is "".
func (s *server) listenControl() error {
	if s.cfg.Control.Listen == "" {
		return nil
	}
	token, readTok, err := readTokens(s.cfg.Control)
	if err != nil {
		return err
	}
	// SO_REUSEPORT lets a successor (-replace) bind the address while
	// this server serves it; not on a port the kernel picks.
	lc := net.ListenConfig{}
	if _, port, _ := net.SplitHostPort(s.cfg.Control.Listen); reuseport.Supported && port != "0" {
		lc.Control = reuseport.Control
	}
	ln, err := lc.Listen(context.Background(), "tcp", s.cfg.Control.Listen)
	if err != nil {
		return fmt.Errorf("control API: %w", err)
	}
	s.ctlLn = control.Limit(ln, s.cfg.Control.MaxConnections, s.cfg.Control.MaxConnectionsPerClient)
	s.api = control.New(control.Config{
		Monitor:     controlMonitor{s.mon},
		Zones:       s.zones,
		Reload:      s.reload,
		Token:       token,
		ReadToken:   readTok,
		Answering:   s.dns.Ready(),
		Datacenters: s.datacenters,
		ZoneErrors:  s.zones.Errors,
		GeoIP:       s.geoIPDatabases,
		Metrics:     s.registry,
		Cluster:     s.controlCluster(),
	})
	s.ctl = control.NewHTTPServer(s.api, s.logger)
	s.ctlAddr = ln.Addr().String()
	go func() {
		if err := s.ctl.Serve(s.ctlLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("control API stopped", "error", err)
		}
	}()
	return nil
}

// datacenters returns the datacenters of the server configuration, by
// name, for the status page's map.
func (s *server) datacenters() []pick.Datacenter {
	out := make([]pick.Datacenter, 0, len(s.cfg.Datacenters))
	for _, dc := range s.cfg.Datacenters {
		out = append(out, dc)
	}
	slices.SortFunc(out, func(a, b pick.Datacenter) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// geoIPDatabases describes the GeoIP databases loaded now, each stale
// when older than [geoip] max_age; none without [geoip].
func (s *server) geoIPDatabases() []control.GeoIPDatabase {
	if s.geoDB == nil {
		return nil
	}
	in := s.geoDB.Snapshot().Info()
	stale := map[string]bool{}
	for _, f := range staleGeoIP(in, s.zones.Config().GeoIP.MaxAge, time.Now()) {
		stale[f.Path] = true
	}
	out := []control.GeoIPDatabase{{Database: "city", Path: in.City.Path, Type: in.City.Type, Built: in.City.BuildTime, Stale: stale[in.City.Path]}}
	if in.ASN.Path != "" {
		out = append(out, control.GeoIPDatabase{Database: "asn", Path: in.ASN.Path, Type: in.ASN.Type, Built: in.ASN.BuildTime, Stale: stale[in.ASN.Path]})
	}
	return out
}

// controlMonitor is the health monitor as the control API sees it.
type controlMonitor struct{ *monitor.Monitor }

var (
	_ control.Monitor      = controlMonitor{}
	_ control.HealthSource = controlMonitor{}
	_ control.ProbeSource  = controlMonitor{}
)

// ProbeCounts returns the local errors and delayed probes by check.
func (m controlMonitor) ProbeCounts() []control.ProbeCount {
	counts := m.Monitor.ProbeCounts()
	out := make([]control.ProbeCount, len(counts))
	for i, c := range counts {
		out[i] = control.ProbeCount(c)
	}
	return out
}

// States returns the detailed state of every target, sorted by target.
func (m controlMonitor) States() []control.TargetState {
	states := m.Monitor.States()
	out := make([]control.TargetState, len(states))
	for i, st := range states {
		out[i] = control.TargetState(st)
	}
	return out
}

// Transitions returns how often each target went up and down.
func (m controlMonitor) Transitions() []control.TransitionCount {
	counts := m.Monitor.Transitions()
	out := make([]control.TransitionCount, len(counts))
	for i, c := range counts {
		out[i] = control.TransitionCount(c)
	}
	return out
}

// ClearOverride removes the override with key k; its error matches
// control.ErrNotFound when there is none.
func (m controlMonitor) ClearOverride(k health.OverrideKey) error {
	err := m.Monitor.ClearOverride(k)
	if errors.Is(err, monitor.ErrNoOverride) {
		return notFound{err}
	}
	return err
}

// notFound is an error that also matches control.ErrNotFound.
type notFound struct{ error }

func (e notFound) Unwrap() []error { return []error{e.error, control.ErrNotFound} }

// readTokens returns the bearer tokens of token_file and read_token_file
// ("" for none). The two must differ.
func readTokens(c config.Control) (token, readOnly string, err error) {
	if token, err = readToken(c.TokenFile); err != nil {
		return "", "", err
	}
	if readOnly, err = readToken(c.ReadTokenFile); err != nil {
		return "", "", err
	}
	if readOnly != "" && readOnly == token {
		return "", "", fmt.Errorf("control: read_token_file %s holds the same token as token_file %s: a read-only token must differ", c.ReadTokenFile, c.TokenFile)
	}
	return token, readOnly, nil
}

// readToken returns the bearer token in the file at path ("" for none).
func readToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("control token: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("control token file %s is empty", path)
	}
	return token, nil
}
