package control

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// status answers GET /v1/status with the Status document.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.statusAt(s.now()))
}

// statusAt builds the Status document at now.
func (s *Server) statusAt(now time.Time) Status {
	doc := Status{
		Time: now, Targets: orEmpty(s.mon.States()), Overrides: orEmpty(s.mon.Overrides()),
		Pools: []PoolStatus{}, Zones: []ZoneStatus{},
		Ready: closed(s.mon.Ready()), Answering: closed(s.answering),
		ZoneErrors: s.zoneErrors(), GeoIP: s.geoip(),
	}
	if doc.ZoneErrors == nil {
		doc.ZoneErrors = []zones.FileError{}
	}
	if doc.GeoIP == nil {
		doc.GeoIP = []GeoIPDatabase{}
	}
	failing := map[string][]string{}
	for _, fe := range doc.ZoneErrors {
		failing[fe.File] = fe.Errors
	}
	if s.cluster != nil {
		cs := s.cluster.ClusterStatus()
		doc.Cluster = &cs
	}
	snap := s.mon.Snapshot()
	var dcs []pick.Datacenter
	for _, z := range s.zones.Zones().Zones() {
		doc.Zones = append(doc.Zones, ZoneStatus{Origin: z.Origin, File: z.File, Serial: z.Serial, Loaded: z.Loaded,
			Errors: failing[z.File], Error: strings.Join(failing[z.File], "\n")})
		delete(failing, z.File)
		names := make([]string, 0, len(z.Pools))
		for n := range z.Pools {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			doc.Pools = append(doc.Pools, poolStatus(z.Origin, z.Pools[n], snap, now))
			for _, m := range z.Pools[n].Members {
				dcs = append(dcs, m.Datacenter)
			}
		}
	}
	for _, fe := range doc.ZoneErrors { // files that serve nothing, by file
		if errs, ok := failing[fe.File]; ok {
			doc.Zones = append(doc.Zones, ZoneStatus{File: fe.File, Errors: errs, Error: strings.Join(errs, "\n")})
		}
	}
	if s.datacenters != nil {
		dcs = s.datacenters()
	}
	doc.Datacenters = summarize(uniqueDatacenters(dcs), doc.Pools)
	return doc
}

// closed reports whether ch is closed; a nil channel never is.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// uniqueDatacenters returns dcs without repeated names, the first of each.
func uniqueDatacenters(dcs []pick.Datacenter) []pick.Datacenter {
	seen := map[string]bool{}
	out := make([]pick.Datacenter, 0, len(dcs))
	for _, dc := range dcs {
		if !seen[dc.Name] {
			seen[dc.Name] = true
			out = append(out, dc)
		}
	}
	return out
}

// poolStatus describes every member of a pool with the selection step's
// own judgement (a trace of Resolve in configuration order, per family).
func poolStatus(zone string, p *pick.Pool, snap *health.Snapshot, now time.Time) PoolStatus {
	ps := PoolStatus{Zone: zone, Pool: p.Name, Check: p.Check, Policy: p.Policy.String()}
	ps.Datacenters = make([]DatacenterStatus, len(p.Members))
	for i, m := range p.Members {
		ps.Datacenters[i] = DatacenterStatus{Datacenter: m.Datacenter.Name, CNAME: m.CNAME}
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
			fs := &FamilyStatus{Up: tm.Up, Drained: tm.Drained, AddrsUp: tm.AddrsUp, Addrs: []AddrStatus{}}
			for _, a := range tm.Addrs {
				st := AddrStatus{Addr: a.Addr, Up: a.Up, Status: a.Status.String()}
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
	for i := range ps.Datacenters {
		judge(p, i, &ps.Datacenters[i], snap, now)
	}
	return ps
}

// orEmpty returns s, or an empty slice for nil: a JSON document shows an
// empty list as [], never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
