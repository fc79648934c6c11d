package route

import (
	"sync/atomic"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
)

// Decisions made ahead (pick.Plan). For a pool whose decision depends on
// nothing but the client's ranking, the family and the rotation of the
// addresses (pick.Plannable: nearest and failover pools without ramp-up,
// capacity spill or weighted and sticky address order, and no timed
// overrides in force), every client with the same ranking gets the same
// decision until the health snapshot changes. The router keeps one plan
// per ranking of the pool's table and family, made by the first query
// that needs it, and answers the next ones from it: a table lookup and
// the rotation, instead of judging the members again. Plans live as long
// as the table set and the health snapshot they were made for; a new
// snapshot (a status or an override changed) starts a pool's plans
// afresh when a query asks for one.

// planIndex is the pools whose decisions can be planned, for one table set.
type planIndex struct {
	tables *tableSet
	pools  map[*pick.Pool]*poolPlans
}

// poolPlans is the plans of one pool.
type poolPlans struct {
	table *pick.Table // the pool's ranking table; nil for pools that do not rank by location
	slots int         // plans per snapshot: two families for each ranking
	cur   atomic.Pointer[planSlots]
}

// planSlots is the plans of one pool under one health snapshot, by
// ranking index and family; nil until a query needs it.
type planSlots struct {
	health *health.Snapshot
	plans  []atomic.Pointer[pick.Plan]
}

// plansFor returns the plans of pool p for the table set ts, or nil when
// its decisions are not planned (the pool is not plannable, is not of the
// zone set the tables were built for, or its table is not current). The
// caller checks the snapshot's part of pick.Plannable (no timed
// overrides); the pool's part is checked once, by indexPlans.
func (r *Router) plansFor(ts *tableSet, p *pick.Pool) *poolPlans {
	ix := r.plans.Load()
	if ix == nil || ix.tables != ts {
		ix = r.indexPlans(ts)
		r.plans.Store(ix)
	}
	pp := ix.pools[p]
	if pp == nil || pp.table != nil && !r.current(ts) {
		return nil
	}
	return pp
}

// indexPlans lists the plannable pools of the latest zone set for ts:
// those that rank by location with their table in ts, and those that do
// not rank.
func (r *Router) indexPlans(ts *tableSet) *planIndex {
	r.mu.Lock()
	set := r.zones
	r.mu.Unlock()
	ix := &planIndex{tables: ts, pools: map[*pick.Pool]*poolPlans{}}
	if set == nil {
		return ix
	}
	for _, z := range set.Zones() {
		for _, p := range z.Pools {
			if !pick.Plannable(p, nil) { // the pool's part: policy, spill, ramp-up, address order
				continue
			}
			if !p.RanksByLocation() {
				ix.pools[p] = &poolPlans{slots: 2}
			} else if t, ok := ts.byPool[p]; ok && t != nil {
				ix.pools[p] = &poolPlans{table: t, slots: 2 * t.Rankings()}
			}
		}
	}
	return ix
}

// plan returns the plan for clients of ranking id (always 0 without a
// table) and family fam under snapshot h, making it when no query has
// yet. p and h must be pick.Plannable.
func (pp *poolPlans) plan(p *pick.Pool, id int, fam pick.Family, h *health.Snapshot) *pick.Plan {
	s := pp.cur.Load()
	if s == nil || s.health != h {
		s = &planSlots{health: h, plans: make([]atomic.Pointer[pick.Plan], pp.slots)}
		pp.cur.Store(s)
	}
	slot := &s.plans[2*id+int(fam)]
	if pl := slot.Load(); pl != nil {
		return pl
	}
	var r pick.Ranking
	if pp.table != nil {
		r = *pp.table.Ranking(id)
	}
	pl := pick.MakePlan(p, &r, fam, h)
	slot.Store(pl)
	return pl
}
