package pick

import "net/netip"

// Resolve decides what to answer for a query of family q.Family, trying the
// members of p in the order of r. It reads only its arguments: the same
// inputs always give the same Decision.
//
// It runs three steps, each in its own file:
//
//  1. evaluate the members (evaluate.go): probe statuses, admin overrides
//     and up_fraction make each member up, down or drained for the family;
//     members without addresses of the family (and not CNAME members) are
//     not eligible and never count as down;
//  2. choose the member that answers (choose.go): by the pool's policy
//     among the up ones, or by when_all_down when every eligible member is
//     down;
//  3. select its answer (select.go): the member's CNAME, or its up
//     addresses, rotated by q.Rand, at most p.MaxAnswers of them.
//
// With Nearest, the first eligible member in rank order that is up wins
// (ReasonFirst when it is the top eligible member, ReasonFailover
// otherwise). When no member is eligible the outcome is NoData with
// ReasonNone. When every eligible member is down the reason is
// ReasonAllDown and p.WhenAllDown decides (see allDown).
//
// The addresses are written to dst[:0], so a caller that passes a buffer
// with enough capacity (p.MaxAnswers, or the largest member) makes Resolve
// allocation-free. The Decision's TTL and Scope are left zero: the engine
// that knows the name and the client's network fills them. When tr is not
// nil Resolve also records, for every ranked member, what it found and why
// it passed it over, and the final decision; tracing allocates and is meant
// for `gslb explain` and tests.
func Resolve(p *Pool, r Ranking, q Query, dst []netip.Addr, tr *Trace) Decision {
	limit := 0
	if p != nil {
		limit = p.MaxAnswers
	}
	return resolve(p, &r, q, dst, tr, limit)
}

// resolve is Resolve answering at most limit addresses (0: every one the
// policy selects).
func resolve(p *Pool, r *Ranking, q Query, dst []netip.Addr, tr *Trace, limit int) Decision {
	d := Decision{Pool: p, Member: -1, Addrs: dst[:0]}
	if tr != nil {
		tr.reset(p, *r, q)
	}
	if p == nil {
		d.Outcome = NoData
		if tr != nil {
			tr.decide(-1, "no pool: NODATA")
			tr.setResult(d)
		}
		return d
	}
	ev := evaluation{p: p, q: &q, r: r, tracing: tr != nil}
	ev.n, ev.listed = r.candidates(len(p.Members))
	if tr != nil {
		ev.traceAll(tr)
	}
	var c choice
	choose(&ev, &c)
	d.Reason, d.MinScope = c.reason, c.minScope
	if c.at >= 0 {
		d.Member = ev.member(c.at)
		selectAnswer(&d, p, d.Member, &c.state, &q, c.mode, limit)
	} else {
		d.Outcome = c.outcome
		if c.outcome == CNAME {
			d.CNAME = p.AllDownCNAME
		}
	}
	if tr != nil {
		tr.explain(p, &c, d)
	}
	return d
}
