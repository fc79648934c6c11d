package main

import (
	"context"
	"log/slog"
	"sort"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// poolFamily is one family of one pool: a pool of a zone file (Zone set) or of the
// server configuration (Zone "").
type poolFamily struct {
	Zone, Pool string
	Family     pick.Family
}

// poolState is how a pool answers a client of unknown location: from its
// first choice (ReasonFirst), failing over (ReasonFailover, ReasonSpill,
// ReasonRamp) or with everything down (ReasonAllDown), from Datacenter.
type poolState struct {
	Reason     pick.Reason
	Datacenter string
	Decision   string // the selection step's own summary
}

// failingOver reports whether the state is a failover of some kind.
func (s poolState) failingOver() bool {
	return s.Reason == pick.ReasonFailover || s.Reason == pick.ReasonSpill
}

// poolStates evaluates every pool of set, once per family it has members
// of, for a client of unknown location (configuration order), as the
// status API does. Server pools used by several zones count once.
func poolStates(set *zones.Set, serverPools map[string]*pick.Pool, snap *health.Snapshot, now time.Time) map[poolFamily]poolState {
	out := map[poolFamily]poolState{}
	seen := map[*pick.Pool]bool{}
	for _, z := range set.Zones() {
		for name, p := range z.Pools {
			if seen[p] {
				continue
			}
			seen[p] = true
			zone := z.Origin
			if serverPools[name] == p {
				zone = ""
			}
			for _, fam := range []pick.Family{pick.IPv4, pick.IPv6} {
				if !hasFamily(p, fam) {
					continue
				}
				var tr pick.Trace
				pick.Resolve(p, pick.Ranking{}, pick.Query{Family: fam, Health: snap, Now: now}, nil, &tr)
				st := poolState{Reason: tr.Result.Reason, Decision: tr.Decision}
				if m := tr.Result.Member; m >= 0 && m < len(p.Members) {
					st.Datacenter = p.Members[m].Datacenter.Name
				}
				out[poolFamily{Zone: zone, Pool: name, Family: fam}] = st
			}
		}
	}
	return out
}

func hasFamily(p *pick.Pool, fam pick.Family) bool {
	for _, m := range p.Members {
		if m.CNAME != "" || fam == pick.IPv4 && len(m.V4) > 0 || fam == pick.IPv6 && len(m.V6) > 0 {
			return true
		}
	}
	return false
}

// logPoolChanges logs, once per transition, every pool family that starts
// failing over or goes all down between prev and next, and every one that
// recovers. A pool first seen in a degraded state is logged too.
func logPoolChanges(log *slog.Logger, prev, next map[poolFamily]poolState) {
	keys := make([]poolFamily, 0, len(next))
	for k := range next {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Zone != b.Zone {
			return a.Zone < b.Zone
		}
		if a.Pool != b.Pool {
			return a.Pool < b.Pool
		}
		return a.Family < b.Family
	})
	for _, k := range keys {
		st, old := next[k], prev[k]
		_, known := prev[k]
		attrs := []any{"pool", k.Pool, "zone", k.Zone, "family", k.Family.String(), "decision", st.Decision}
		switch {
		case st.Reason == pick.ReasonAllDown && (!known || old.Reason != pick.ReasonAllDown):
			log.Error("pool all down", attrs...)
		case st.failingOver() && (!known || !old.failingOver() || old.Datacenter != st.Datacenter):
			log.Warn("pool failing over", append(attrs, "to", st.Datacenter)...)
		case st.Reason == pick.ReasonFirst && known && old.Reason != pick.ReasonFirst && (old.failingOver() || old.Reason == pick.ReasonAllDown):
			log.Info("pool recovered", append(attrs, "to", st.Datacenter)...)
		}
	}
}

// watchPools logs pool transitions (see logPoolChanges) until ctx ends: it
// evaluates the pools whenever health publishes a snapshot, and every
// interval for zone reloads and lapsing overrides. It never runs on the
// query path.
func (s *server) watchPools(ctx context.Context, interval time.Duration) {
	log := s.logger.With("component", "pools")
	var prev map[poolFamily]poolState
	for {
		changed := s.mon.Changed() // taken before the snapshot: no change is missed
		next := poolStates(s.zones.Current(), s.zones.Config().Pools, s.mon.Snapshot(), time.Now())
		logPoolChanges(log, prev, next)
		prev = next
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-time.After(interval):
		}
	}
}
