package pick

import (
	"net/netip"
	"strings"

	"github.com/gslb/gslb/health"
)

// memberState is what step 1 found about one member for one family.
type memberState struct {
	eligible bool // has addresses of the family, or is a CNAME member
	cname    bool // a CNAME member
	up       bool // up for the family
	drained  bool // the datacenter, or every address of the family, is drained
	nAddrs   int  // addresses of the family
	nUp      int  // of which up
	nDrained int  // of which drained
	// upMask and drainMask remember which of the first 64 addresses are up
	// and drained, so that selecting addresses need not judge them again.
	upMask, drainMask uint64
}

// evaluation is step 1 of Resolve: it judges the state of a ranked member
// (probe statuses, admin overrides, up_fraction) for one query when a
// choice asks for it. Choices keep the states they need; one that stops at
// the first up member judges no more members than it passes. Nothing is
// cached: a cache sized for the pool would cost more to clear on every
// query than judging the few members a choice looks at.
type evaluation struct {
	p       *Pool
	q       *Query
	r       *Ranking
	n       int  // candidates: the first n ranked members may answer (see Ranking.Candidates)
	listed  int  // of which the first listed are a map entry's own datacenters
	tracing bool // a Trace is being filled: choices may describe themselves
}

// member returns the index into Pool.Members of the member ranked i-th.
func (ev *evaluation) member(i int) int { return ev.r.member(i, len(ev.p.Members)) }

// judge returns the state of the member ranked i-th.
func (ev *evaluation) judge(i int) memberState {
	return judgeMember(ev.p, &ev.p.Members[ev.member(i)], ev.q, nil)
}

// traceAll judges every member in rank order, recording each one's
// findings in tr (`gslb explain` shows them all, not only those the choice
// looked at).
func (ev *evaluation) traceAll(tr *Trace) {
	if e := ev.r.Entry(); e >= 0 && ev.p.Map != nil {
		tr.Map, tr.Entry = ev.p.Map.Name(), ev.p.Map.Entry(e).String()
	}
	for i := range len(ev.p.Members) {
		m := ev.member(i)
		tm := tr.member(i, m, *ev.r, ev.p)
		judgeMember(ev.p, &ev.p.Members[m], ev.q, tm)
		switch {
		case i >= ev.n:
			tm.Fenced, tm.Note = true, "fenced out by the map entry"
		case i >= ev.listed:
			tm.Note = strings.TrimSpace("not listed in the map entry (\"*\"); " + tm.Note)
		}
	}
}

// judgeMember judges member mem of p for q, recording its findings in tm
// when tm is not nil.
//
// A member is eligible when it has addresses of the queried family or is a
// CNAME member (which serves both families). An address is up when an admin
// override in force at q.Now says ForceUp, or when no override applies and
// the pool has no Check or the target (p.Check, address) is not Down
// (Unknown counts as up); ForceDown and Drain make it down.
// Snapshot.Override picks the most specific override (address over
// datacenter). An address member is up for the family when at least one and
// at least p.UpFraction of its addresses of the family are up; a CNAME
// member is up unless its datacenter is forced down or drained.
func judgeMember(p *Pool, mem *Member, q *Query, tm *TraceMember) memberState {
	var st memberState
	dc := mem.Datacenter.Name
	var (
		dcOv health.Override
		dcOK bool
	)
	if tm != nil || mem.CNAME != "" {
		dcOv, dcOK = q.Health.Override(p.Name, dc, netip.Addr{}, q.Now)
	}
	if mem.CNAME != "" {
		st.eligible, st.cname, st.up = true, true, true
		if dcOK {
			switch dcOv.Action {
			case health.ForceDown:
				st.up = false
			case health.Drain:
				st.up, st.drained = false, true
			}
		}
		if tm != nil {
			tm.record(p, q, st, dcOv, dcOK)
		}
		return st
	}
	addrs := mem.Addrs(q.Family)
	st.nAddrs = len(addrs)
	if st.nAddrs == 0 {
		if tm != nil {
			tm.record(p, q, st, dcOv, dcOK)
		}
		return st
	}
	st.eligible = true
	for i, a := range addrs {
		up, drained, status, ov := addrState(p, dc, a, q)
		if up {
			st.nUp++
			if i < 64 {
				st.upMask |= 1 << i
			}
		}
		if drained {
			st.nDrained++
			if i < 64 {
				st.drainMask |= 1 << i
			}
		}
		if tm != nil {
			ta := TraceAddr{Addr: a, Status: status, Up: up}
			if ov.Action != 0 && ov.Addr.IsValid() {
				ta.Override = describeOverride(ov)
			}
			tm.Addrs = append(tm.Addrs, ta)
		}
	}
	st.up = st.nUp > 0 && float64(st.nUp) >= p.UpFraction*float64(st.nAddrs)-1e-9
	st.drained = st.nDrained == st.nAddrs
	if tm != nil {
		tm.record(p, q, st, dcOv, dcOK)
	}
	return st
}

// addrState judges address a of datacenter dc in pool p: whether it is up
// and whether it is drained, with the probed status and the override in
// force (zero when none).
func addrState(p *Pool, dc string, a netip.Addr, q *Query) (up, drained bool, status health.Status, ov health.Override) {
	if p.Check != "" {
		status = q.Health.Status(health.Target{Check: p.Check, Addr: a})
	}
	if o, ok := q.Health.Override(p.Name, dc, a, q.Now); ok {
		switch o.Action {
		case health.ForceUp:
			return true, false, status, o
		case health.ForceDown:
			return false, false, status, o
		case health.Drain:
			return false, true, status, o
		}
	}
	return status != health.Down, false, status, health.Override{}
}
