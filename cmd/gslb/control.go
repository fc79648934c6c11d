package main

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/monitor"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// control is the HTTP control API of a running server: health of every
// target and pool, admin overrides, and reload. It listens on loopback by
// default; off loopback a bearer token (control.token_file) is required.
type control struct {
	mon    *monitor.Monitor
	zones  func() *zones.Set
	reload func() error
	token  string // "" means no authentication (loopback only)
	now    func() time.Time
}

// statusDoc is the answer of GET /v1/status.
type statusDoc struct {
	Ready     bool                  `json:"ready"`
	Time      time.Time             `json:"time"`
	Targets   []monitor.TargetState `json:"targets"`
	Pools     []poolStatus          `json:"pools"`
	Overrides []health.Override     `json:"overrides"`
	Zones     []zoneStatus          `json:"zones"`
}

type zoneStatus struct {
	Origin string    `json:"origin"`
	File   string    `json:"file"`
	Serial uint32    `json:"serial"`
	Loaded time.Time `json:"loaded"`
}

type poolStatus struct {
	Zone        string     `json:"zone"`
	Pool        string     `json:"pool"`
	Check       string     `json:"check,omitempty"`
	Datacenters []dcStatus `json:"datacenters"`
}

type dcStatus struct {
	Datacenter string        `json:"datacenter"`
	CNAME      string        `json:"cname,omitempty"`
	IPv4       *familyStatus `json:"ipv4,omitempty"`
	IPv6       *familyStatus `json:"ipv6,omitempty"`
	Override   string        `json:"override,omitempty"`
}

type familyStatus struct {
	Up      bool         `json:"up"`
	Drained bool         `json:"drained,omitempty"`
	AddrsUp int          `json:"addrs_up"`
	Addrs   []addrStatus `json:"addrs"`
}

type addrStatus struct {
	Addr   netip.Addr `json:"addr"`
	Up     bool       `json:"up"`
	Status string     `json:"status"`
}

// overrideRequest is the body of POST /v1/overrides.
type overrideRequest struct {
	Pool       string `json:"pool"`
	Datacenter string `json:"datacenter"`
	Addr       string `json:"addr"`
	Action     string `json:"action"` // force-up, force-down or drain
	Until      string `json:"until"`  // RFC 3339 time; optional
	For        string `json:"for"`    // duration ("30m", "2h"); optional, instead of until
	Reason     string `json:"reason"`
}

func (c *control) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", c.status)
	mux.HandleFunc("GET /v1/overrides", c.listOverrides)
	mux.HandleFunc("POST /v1/overrides", c.setOverride)
	mux.HandleFunc("DELETE /v1/overrides", c.clearOverride)
	mux.HandleFunc("POST /v1/reload", c.doReload)
	return c.auth(mux)
}

func (c *control) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(c.token)) != 1 {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong bearer token"})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func httpError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

func (c *control) status(w http.ResponseWriter, r *http.Request) {
	now := c.now()
	doc := statusDoc{Time: now, Targets: c.mon.States(), Overrides: c.mon.Overrides()}
	select {
	case <-c.mon.Ready():
		doc.Ready = true
	default:
	}
	snap := c.mon.Snapshot()
	for _, z := range c.zones().Zones() {
		doc.Zones = append(doc.Zones, zoneStatus{Origin: z.Origin, File: z.File, Serial: z.Serial, Loaded: z.Loaded})
		names := make([]string, 0, len(z.Pools))
		for n := range z.Pools {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			doc.Pools = append(doc.Pools, poolHealth(z.Origin, z.Pools[n], snap, now))
		}
	}
	writeJSON(w, http.StatusOK, doc)
}

// poolHealth describes every member of a pool with the selection step's own
// judgement (a trace of Resolve in configuration order, per family).
func poolHealth(zone string, p *pick.Pool, snap *health.Snapshot, now time.Time) poolStatus {
	ps := poolStatus{Zone: zone, Pool: p.Name, Check: p.Check}
	ps.Datacenters = make([]dcStatus, len(p.Members))
	for i, m := range p.Members {
		ps.Datacenters[i] = dcStatus{Datacenter: m.Datacenter.Name, CNAME: m.CNAME}
	}
	for _, fam := range []pick.Family{pick.IPv4, pick.IPv6} {
		var tr pick.Trace
		pick.Resolve(p, pick.Ranking{}, pick.Query{Family: fam, Health: snap, Now: now}, nil, &tr)
		for _, tm := range tr.Members {
			dc := &ps.Datacenters[tm.Member]
			if tm.Override != "" {
				dc.Override = tm.Override
			}
			if !tm.Eligible || tm.CNAME != "" {
				continue
			}
			fs := &familyStatus{Up: tm.Up, Drained: tm.Drained, AddrsUp: tm.AddrsUp}
			for _, a := range tm.Addrs {
				st := addrStatus{Addr: a.Addr, Up: a.Up, Status: a.Status.String()}
				if p.Check == "" {
					st.Status = "no check"
				}
				if a.Override != "" {
					st.Status += "; " + a.Override
				}
				fs.Addrs = append(fs.Addrs, st)
			}
			if fam == pick.IPv4 {
				dc.IPv4 = fs
			} else {
				dc.IPv6 = fs
			}
		}
	}
	return ps
}

func (c *control) listOverrides(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, c.mon.Overrides())
}

func (c *control) setOverride(w http.ResponseWriter, r *http.Request) {
	var req overrideRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, fmt.Errorf("decode override: %w", err))
		return
	}
	o, err := req.override(c.now())
	if err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	if err := c.mon.SetOverride(o); err != nil {
		httpError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (req overrideRequest) override(now time.Time) (health.Override, error) {
	o := health.Override{Pool: req.Pool, Datacenter: req.Datacenter, Reason: req.Reason}
	var err error
	if o.Action, err = health.ParseAction(req.Action); err != nil {
		return o, err
	}
	if req.Addr != "" {
		if o.Addr, err = netip.ParseAddr(req.Addr); err != nil {
			return o, fmt.Errorf("address %q: %w", req.Addr, err)
		}
		o.Addr = o.Addr.Unmap()
	}
	switch {
	case req.Until != "" && req.For != "":
		return o, errors.New("give until or for, not both")
	case req.Until != "":
		if o.Until, err = time.Parse(time.RFC3339, req.Until); err != nil {
			return o, fmt.Errorf("until: %w", err)
		}
	case req.For != "":
		d, err := tomlcheck.ParseDuration(req.For)
		if err != nil {
			return o, fmt.Errorf("for: %w", err)
		}
		o.Until = now.Add(d)
	}
	return o, o.Validate(now)
}

func (c *control) clearOverride(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var addr netip.Addr
	if s := q.Get("addr"); s != "" {
		a, err := netip.ParseAddr(s)
		if err != nil {
			httpError(w, http.StatusBadRequest, fmt.Errorf("address %q: %w", s, err))
			return
		}
		addr = a.Unmap()
	}
	k := health.KeyFor(q.Get("pool"), q.Get("datacenter"), addr)
	if err := c.mon.ClearOverride(k); err != nil {
		code := http.StatusInternalServerError
		if errors.Is(err, monitor.ErrNoOverride) {
			code = http.StatusNotFound
		}
		httpError(w, code, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *control) doReload(w http.ResponseWriter, r *http.Request) {
	err := c.reload()
	if err != nil {
		// zone problems (one per line) and a GeoIP error, if any
		lines := strings.Split(err.Error(), "\n")
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"ok": false, "errors": lines})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}
