package control

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// Monitor is what the API needs from the health monitor.
type Monitor interface {
	// Snapshot returns the health snapshot the query path reads now.
	Snapshot() *health.Snapshot
	// Ready is closed once health has a first view of every target.
	Ready() <-chan struct{}
	// States returns the detailed state of every target, sorted by target.
	States() []TargetState
	// Overrides returns the overrides in force now, sorted by key.
	Overrides() []health.Override
	// SetOverride validates, saves and publishes o, replacing any override
	// with the same key.
	SetOverride(o health.Override) error
	// ClearOverride removes the override with key k. Its error matches
	// ErrNotFound (errors.Is) when there is none.
	ClearOverride(k health.OverrideKey) error
}

// ZoneSource gives the zone set being served.
type ZoneSource interface {
	// Zones returns the current zone set.
	Zones() *zones.Set
}

// Config configures a Server. The zero value is a working, empty API: no
// targets, no zones, no authentication.
type Config struct {
	// Monitor is the health monitor. Nil: no targets, never ready, no
	// overrides, and setting or clearing one is answered 503.
	Monitor Monitor
	// Zones is the zone set being served. Nil: no zones and no pools.
	Zones ZoneSource
	// Reload reloads the server configuration, the zones and the GeoIP
	// databases and returns what went wrong, one problem per line of its
	// error. Nil: POST /v1/reload is answered 503.
	Reload func() error
	// Token is the bearer token every request must carry. Default "": no
	// authentication (the server configuration allows that only on
	// loopback).
	Token string
	// ReadToken is a read-only bearer token: it lets GET and HEAD
	// requests through and answers the others 403 Forbidden. Default "":
	// none. Without Token it has no use (everything is open).
	ReadToken string
	// Now is the clock: the status document's time, the start of an
	// override's "for" duration. Nil: time.Now.
	Now func() time.Time
	// Answering is closed once the DNS server answers queries: /readyz
	// answers 200 from then on. Nil: Monitor.Ready stands for it.
	Answering <-chan struct{}
	// Datacenters returns every datacenter of the server configuration,
	// for the status page's map. Nil: the datacenters of the served pools.
	Datacenters func() []pick.Datacenter
	// ZoneErrors returns the zone files that failed to load at the last
	// reload (zones.Store.Errors). Nil: none are known.
	ZoneErrors func() []zones.FileError
	// GeoIP describes the GeoIP databases loaded now. Nil: none.
	GeoIP func() []GeoIPDatabase
	// Metrics is what GET /metrics exposes: a registry of the server's
	// own with a Metrics collector (never the global one). Nil: no
	// metrics, an empty exposition.
	Metrics prometheus.Gatherer
	// Cluster is the cluster this node is in. Nil: none, and the status
	// document has no "cluster".
	Cluster Cluster
}

// Server is the control API's http.Handler. Create it with New; it is safe
// for concurrent use.
type Server struct {
	mon         Monitor
	zones       ZoneSource
	reload      func() error
	now         func() time.Time
	answering   <-chan struct{}
	datacenters func() []pick.Datacenter // nil: those of the pools
	zoneErrors  func() []zones.FileError
	geoip       func() []GeoIPDatabase
	cluster     Cluster      // nil: not in a cluster
	page        page         // the status page, built once
	metrics     http.Handler // GET /metrics
	handler     http.Handler
	token       atomic.Pointer[string] // the bearer token; "": none needed
	readToken   atomic.Pointer[string] // the read-only bearer token; "": none
}

var _ http.Handler = (*Server)(nil)

// New returns the API configured by cfg, on its own ServeMux.
func New(cfg Config) *Server {
	s := &Server{
		mon: cfg.Monitor, zones: cfg.Zones, reload: cfg.Reload, now: cfg.Now,
		answering: cfg.Answering, datacenters: cfg.Datacenters, zoneErrors: cfg.ZoneErrors, geoip: cfg.GeoIP,
		cluster: cfg.Cluster,
		page:    buildPage(),
	}
	if s.mon == nil {
		s.mon = noMonitor{}
	}
	if s.zones == nil {
		s.zones = noZones{}
	}
	if s.reload == nil {
		s.reload = func() error { return fmt.Errorf("reload: %w", ErrUnavailable) }
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.answering == nil {
		s.answering = s.mon.Ready()
	}
	if s.zoneErrors == nil {
		s.zoneErrors = func() []zones.FileError { return nil }
	}
	if s.geoip == nil {
		s.geoip = func() []GeoIPDatabase { return nil }
	}
	g := cfg.Metrics
	if g == nil {
		g = prometheus.NewRegistry()
	}
	s.metrics = promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	mux := http.NewServeMux()
	s.routes(mux)
	s.token.Store(&cfg.Token)
	s.readToken.Store(&cfg.ReadToken)
	s.handler = pageToken(s.bearer(jsonErrors(mux)))
	return s
}

// SetToken replaces the bearer token (a reload of the server
// configuration re-reads the token file): requests carry the new one from
// then on. "" lets every request through.
func (s *Server) SetToken(token string) { s.token.Store(&token) }

// SetReadToken replaces the read-only bearer token (a reload re-reads
// read_token_file). "" means none.
func (s *Server) SetReadToken(token string) { s.readToken.Store(&token) }

// routes registers every path of the API. Every endpoint of the control
// listener is registered here, behind the same authentication.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/status", s.status)
	mux.HandleFunc("GET /v1/overrides", s.listOverrides)
	mux.HandleFunc("POST /v1/overrides", s.setOverride)
	mux.HandleFunc("DELETE /v1/overrides", s.clearOverride)
	mux.HandleFunc("POST /v1/reload", s.doReload)
	mux.HandleFunc("GET /{$}", s.statusPage)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metrics)
}

// ServeHTTP answers one request of the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// bearer lets through the requests that carry the token, and the GET and
// HEAD requests that carry the read-only token; every request while the
// token is "". Other requests with the read-only token are answered 403,
// those without a known token 401; an unauthenticated client's
// connection is closed after the answer, so that it holds no descriptor.
// The tokens are compared in constant time and never logged or echoed.
func (s *Server) bearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := *s.token.Load()
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		got, ok := bearerToken(r.Header.Get("Authorization"))
		full := ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
		ro := *s.readToken.Load()
		read := ok && ro != "" && subtle.ConstantTimeCompare([]byte(got), []byte(ro)) == 1
		switch {
		case full:
			next.ServeHTTP(w, r)
		case read && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			next.ServeHTTP(w, r)
		case read:
			writeJSON(w, http.StatusForbidden, ErrorBody{Error: "the read-only token cannot " + r.Method + " " + r.URL.Path + ": use the full token"})
		default:
			w.Header().Set("Connection", "close")
			writeJSON(w, http.StatusUnauthorized, ErrorBody{Error: "missing or wrong bearer token"})
		}
	})
}

// bearerToken returns the token of an Authorization header value of the
// Bearer scheme. The scheme is matched case-insensitively (RFC 7235 2.1);
// the token is what follows the spaces after it.
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimLeft(token, " "), true
}

// writeJSON answers v, indented, with the status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client has gone: nothing to do
}

// writeError answers err's message in an ErrorBody with the status code.
func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, ErrorBody{Error: err.Error()})
}

// noMonitor stands in for a nil Config.Monitor.
type noMonitor struct{}

func (noMonitor) Snapshot() *health.Snapshot   { return nil }
func (noMonitor) Ready() <-chan struct{}       { return nil }
func (noMonitor) States() []TargetState        { return []TargetState{} }
func (noMonitor) Overrides() []health.Override { return nil }
func (noMonitor) SetOverride(o health.Override) error {
	return fmt.Errorf("set override %s: %w", o.Key(), ErrUnavailable)
}
func (noMonitor) ClearOverride(k health.OverrideKey) error {
	return fmt.Errorf("clear override %s: %w", k, ErrUnavailable)
}

// noZones stands in for a nil Config.Zones.
type noZones struct{}

func (noZones) Zones() *zones.Set { return zones.NewSet(nil) }
