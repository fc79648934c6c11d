package pick

import (
	"net/netip"

	"github.com/gslb/gslb/health"
)

// Plan is a decision made once for every query that Resolve would answer
// alike: the same pool, ranking, family and health snapshot, for a pool
// whose decision depends on nothing else but the rotation of the answered
// addresses (see Plannable). Decide then completes it for one query in a
// few dozen instructions instead of judging the members again.
//
// A Plan is immutable and safe for concurrent use.
type Plan struct {
	d     Decision     // the decision without addresses
	addrs []netip.Addr // every address the decision may answer, in selection order
	limit int          // the most addresses one answer holds (Pool.MaxAnswers; 0: all)
}

// Plannable reports whether every decision for pool p under snapshot h
// depends on the query only through the ranking, the family and the
// rotation of the addresses, so that a Plan gives it: the nearest and
// failover policies, without capacity spill, ramp-up, or weighted or
// sticky address order, and a snapshot without timed overrides (whose
// judgement depends on the clock). Those read the client's subnet, the
// clock or the random value beyond the rotation.
func Plannable(p *Pool, h *health.Snapshot) bool {
	return p != nil && (p.Policy == Nearest || p.Policy == Failover) &&
		p.Spill != SpillCapacity && p.RampUp == 0 && p.AddressPolicy == Rotate && !h.Timed()
}

// MakePlan makes the plan of pool p for clients ranked r, for family fam
// under snapshot h. p and h must be Plannable.
func MakePlan(p *Pool, r *Ranking, fam Family, h *health.Snapshot) *Plan {
	// With no limit and a random value of 0 the rotation starts at the
	// first address: the answer is every selectable address in order.
	d := resolve(p, r, Query{Family: fam, Health: h}, nil, nil, 0)
	pl := &Plan{d: d, addrs: d.Addrs, limit: p.MaxAnswers}
	pl.d.Addrs = nil
	return pl
}

// Decide returns the plan's decision for a query whose random value is
// rnd, writing the addresses to dst[:0]: exactly what Resolve returns for
// that query (TestPlanMatchesResolve).
func (pl *Plan) Decide(rnd uint32, dst []netip.Addr) Decision {
	d := pl.d
	d.Addrs = dst[:0]
	count := len(pl.addrs)
	if count == 0 {
		return d
	}
	off := int(rnd % uint32(count))
	for k := range answerCount(count, pl.limit) {
		i := off + k
		if i >= count {
			i -= count
		}
		d.Addrs = append(d.Addrs, pl.addrs[i])
	}
	return d
}
