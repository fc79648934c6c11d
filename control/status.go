package control

import (
	"net/http"
	"sort"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
)

// status answers GET /v1/status with the Status document.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.statusAt(s.now()))
}

// statusAt builds the Status document at now.
func (s *Server) statusAt(now time.Time) Status {
	doc := Status{Time: now, Targets: s.mon.States(), Overrides: s.mon.Overrides()}
	select {
	case <-s.mon.Ready():
		doc.Ready = true
	default:
	}
	snap := s.mon.Snapshot()
	for _, z := range s.zones.Zones().Zones() {
		doc.Zones = append(doc.Zones, ZoneStatus{Origin: z.Origin, File: z.File, Serial: z.Serial, Loaded: z.Loaded})
		names := make([]string, 0, len(z.Pools))
		for n := range z.Pools {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			doc.Pools = append(doc.Pools, poolStatus(z.Origin, z.Pools[n], snap, now))
		}
	}
	return doc
}

// poolStatus describes every member of a pool with the selection step's
// own judgement (a trace of Resolve in configuration order, per family).
func poolStatus(zone string, p *pick.Pool, snap *health.Snapshot, now time.Time) PoolStatus {
	ps := PoolStatus{Zone: zone, Pool: p.Name, Check: p.Check}
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
			fs := &FamilyStatus{Up: tm.Up, Drained: tm.Drained, AddrsUp: tm.AddrsUp}
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
	return ps
}
