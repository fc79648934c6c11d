package pick

import (
	"net/netip"
	"time"

	"github.com/gslb/gslb/health"
)

// Outcome is the kind of answer Resolve decided on. The DNS handler maps each
// value to a response in one switch.
type Outcome uint8

const (
	// Addresses answers Result.Addrs (A or AAAA records).
	Addresses Outcome = iota + 1
	// CNAME answers a CNAME to Result.CNAME: a CNAME member was chosen, or
	// every member is down and the pool says AllDownCNAME.
	CNAME
	// NoData answers NOERROR without records of the queried type: no member
	// has addresses of the family, or every member is down and the pool says
	// AllDownNoData.
	NoData
	// ServFail answers SERVFAIL: every member is down and the pool says
	// AllDownServFail (or AllDownCNAME without a target).
	ServFail
)

// String returns "addresses", "cname", "nodata" or "servfail".
func (o Outcome) String() string {
	switch o {
	case Addresses:
		return "addresses"
	case CNAME:
		return "cname"
	case NoData:
		return "nodata"
	case ServFail:
		return "servfail"
	default:
		return "invalid"
	}
}

// Query is what Resolve needs to know about one query besides the pool and
// the ranking. The zero value asks for IPv4 with every target Unknown (up)
// and no overrides.
type Query struct {
	Family Family           // the queried family: IPv4 for A, IPv6 for AAAA
	Health *health.Snapshot // probe statuses and admin overrides; nil: all Unknown, no overrides
	Now    time.Time        // the time at which overrides are judged (Until)
	Rand   uint32           // rotates the answered addresses; any value, e.g. from a per-worker PRNG
}

// Result is what Resolve decided.
type Result struct {
	Outcome Outcome
	// Member is the index into Pool.Members of the member whose addresses
	// or CNAME are answered; -1 when no member is (NoData, ServFail, and the
	// all-down CNAME).
	Member int
	// Addrs are the answered addresses, for Outcome Addresses; they live in
	// the caller's dst buffer.
	Addrs []netip.Addr
	// CNAME is the target for Outcome CNAME.
	CNAME string
	// Degraded is true when the answer is not the healthy top-ranked
	// eligible member: a failover to a lower-ranked one, a fail-open answer,
	// or any other all-down answer.
	Degraded bool
	// AllDown is true when every member with addresses of the family (or a
	// CNAME) is down; WhenAllDown then decided the answer.
	AllDown bool
}

// Resolve decides what to answer for a query of family q.Family, trying the
// members of p in the order of r. It reads only its arguments: the same
// inputs always give the same Result.
//
// A member is eligible when it has addresses of the queried family or is a
// CNAME member (which serves both families); others are skipped without
// counting as down. An address is up when an admin override in force at
// q.Now says ForceUp, or when no override applies and the pool has no Check
// or the target (p.Check, address) is not Down (Unknown counts as up);
// ForceDown and Drain make it down. Snapshot.Override picks the most
// specific override (address over datacenter). An address member is up for
// the family when at least one and at least p.UpFraction of its addresses
// of the family are up; a CNAME member is up unless its datacenter is forced
// down or drained.
//
// The first eligible member in rank order that is up wins. For an address
// member, its up addresses are answered, at most p.MaxAnswers of them,
// starting at index q.Rand mod (number up) and wrapping, so that successive
// queries rotate through them. When no member is eligible the outcome is
// NoData (AllDown stays false). When every eligible member is down,
// p.WhenAllDown decides: FailOpen answers the top-ranked eligible member
// that is not drained (the top-ranked one when all are drained) as if it
// were up, with all its addresses except drained ones; AllDownNoData,
// AllDownServFail and AllDownCNAME answer accordingly.
//
// The addresses are written to dst[:0], so a caller that passes a buffer
// with enough capacity (p.MaxAnswers, or the largest member) makes Resolve
// allocation-free. When tr is not nil Resolve also records, for every ranked
// member, what it found and why it passed it over, and the final decision;
// tracing allocates and is meant for `gslb explain` and tests.
func Resolve(p *Pool, r Ranking, q Query, dst []netip.Addr, tr *Trace) Result {
	res := Result{Member: -1, Addrs: dst[:0]}
	if tr != nil {
		tr.reset(p, r, q)
	}
	if p == nil {
		res.Outcome = NoData
		if tr != nil {
			tr.decide(-1, "no pool: NODATA")
			tr.setResult(res)
		}
		return res
	}
	n := len(p.Members)
	var (
		first         = -1 // rank of the top eligible member
		firstUndrain  = -1 // rank of the top eligible member that is not drained
		chosen        = -1 // rank of the top up member
		chosenState   memberState
		failOpenState memberState
		eligible      int
	)
	for i := range n {
		m := r.member(i, n)
		var tm *TraceMember
		if tr != nil {
			tm = tr.member(i, m, r, p)
		}
		st := evalMember(p, &p.Members[m], &q, tm)
		if !st.eligible {
			continue
		}
		eligible++
		if first < 0 {
			first = i
		}
		if !st.drained && firstUndrain < 0 {
			firstUndrain = i
			failOpenState = st
		}
		if st.up && chosen < 0 {
			chosen, chosenState = i, st
			if tr == nil {
				break
			}
		}
	}

	switch {
	case eligible == 0:
		res.Outcome = NoData
		if tr != nil {
			tr.decide(-1, "no member has %s addresses or a CNAME: NODATA", q.Family)
			tr.setResult(res)
		}
		return res

	case chosen >= 0:
		m := r.member(chosen, n)
		res.Member = m
		res.Degraded = chosen != first
		res = answer(p, m, &q, chosenState, selectUp, res)
		if tr != nil {
			tr.decideChosen(chosen, first, res)
		}
		return res
	}

	// Every eligible member is down.
	res.AllDown, res.Degraded = true, true
	switch p.WhenAllDown {
	case AllDownNoData:
		res.Outcome = NoData
	case AllDownServFail:
		res.Outcome = ServFail
	case AllDownCNAME:
		if p.AllDownCNAME == "" {
			res.Outcome = ServFail
		} else {
			res.Outcome, res.CNAME = CNAME, p.AllDownCNAME
		}
	default: // FailOpen
		at, mode := firstUndrain, selectNotDrained
		if at < 0 {
			// Every eligible member is drained: use the top-ranked one
			// anyway, with all its addresses.
			at, mode = first, selectAll
			failOpenState = evalMember(p, &p.Members[r.member(first, n)], &q, nil)
		}
		m := r.member(at, n)
		res.Member = m
		res = answer(p, m, &q, failOpenState, mode, res)
	}
	if tr != nil {
		tr.decideAllDown(p, firstUndrain, first, eligible, res)
	}
	return res
}

// selectMode is which addresses of the chosen member are answered.
type selectMode uint8

const (
	selectUp         selectMode = iota // up addresses (the normal case)
	selectNotDrained                   // every address not drained (fail-open)
	selectAll                          // every address (fail-open, all drained)
)

// answer fills res with the answer of member m in state st.
func answer(p *Pool, m int, q *Query, st memberState, mode selectMode, res Result) Result {
	mem := &p.Members[m]
	if st.cname {
		res.Outcome, res.CNAME = CNAME, mem.CNAME
		return res
	}
	res.Outcome = Addresses
	count := st.nUp
	switch mode {
	case selectNotDrained:
		count = st.nAddrs - st.nDrained
	case selectAll:
		count = st.nAddrs
	}
	res.Addrs = appendRotated(res.Addrs, p, mem, q, &st, mode, count)
	return res
}

// appendRotated appends to dst up to p.MaxAnswers of the count addresses of
// mem that mode selects, starting at the (q.Rand mod count)-th and wrapping.
func appendRotated(dst []netip.Addr, p *Pool, mem *Member, q *Query, st *memberState, mode selectMode, count int) []netip.Addr {
	if count <= 0 {
		return dst
	}
	want := count
	if p.MaxAnswers > 0 && p.MaxAnswers < want {
		want = p.MaxAnswers
	}
	off := int(q.Rand % uint32(count))
	addrs := mem.Addrs(q.Family)
	start := len(dst)
	// Two passes over the selected addresses: those from off onwards, then
	// those before off.
	k := 0
	for i, a := range addrs {
		if len(dst)-start == want {
			return dst
		}
		if !selected(p, mem, i, a, q, st, mode) {
			continue
		}
		if k >= off {
			dst = append(dst, a)
		}
		k++
	}
	k = 0
	for i, a := range addrs {
		if len(dst)-start == want || k >= off {
			break
		}
		if !selected(p, mem, i, a, q, st, mode) {
			continue
		}
		dst = append(dst, a)
		k++
	}
	return dst
}

// selected reports whether mode selects address a, the i-th of mem's
// addresses of the family. It uses what evalMember remembered in st for the
// first 64 addresses and judges the others again.
func selected(p *Pool, mem *Member, i int, a netip.Addr, q *Query, st *memberState, mode selectMode) bool {
	if mode == selectAll {
		return true
	}
	var up, drained bool
	if i < 64 {
		up, drained = st.upMask&(1<<i) != 0, st.drainMask&(1<<i) != 0
	} else {
		up, drained, _, _ = addrState(p, mem.Datacenter.Name, a, q)
	}
	if mode == selectNotDrained {
		return !drained
	}
	return up
}

// memberState is what evalMember found about one member for one family.
type memberState struct {
	eligible bool // has addresses of the family, or is a CNAME member
	cname    bool // a CNAME member
	up       bool // up for the family
	drained  bool // the datacenter, or every address of the family, is drained
	nAddrs   int  // addresses of the family
	nUp      int  // of which up
	nDrained int  // of which drained
	// upMask and drainMask remember which of the first 64 addresses are up
	// and drained, so that answering need not judge them again.
	upMask, drainMask uint64
}

// evalMember judges member mem of p for q, recording its findings in tm
// when tm is not nil.
func evalMember(p *Pool, mem *Member, q *Query, tm *TraceMember) memberState {
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
