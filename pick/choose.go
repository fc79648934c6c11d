package pick

// choice is step 2 of Resolve: which member answers, and why.
type choice struct {
	at      int     // rank position of the answering member; -1 when none answers
	reason  Reason  // why
	outcome Outcome // when no member answers: NoData, ServFail or CNAME (the pool's all-down target)
	mode    selectMode
	state   memberState // the answering member's state, for step 3
	// minScope is the narrowest ECS scope the choice needs (see
	// Decision.MinScope); 0 for choices made from the ranking alone.
	minScope int

	// What the scan found, for the all-down rules and the trace.
	first        int // rank position of the top eligible member; -1: none
	firstUndrain int // rank position of the top eligible member that is not drained; -1: none
	eligible     int // eligible members scanned

	undrained memberState // the state of the member at firstUndrain

	emptyFence bool // the map entry lists none of the pool's datacenters and has no "*"

	// For weighted and sticky choices, what `gslb explain` shows.
	drawn   bool    // the member was drawn (weighted) or hashed (sticky)
	draw    float64 // sticky: the hash of the client's subnet, as a number in (0, 1)
	total   uint64  // the total weight of the members drawn among
	among   int     // the up members drawn among
	subnet  string  // the client subnet hashed (sticky, spill)
	spilled []int   // spill: rank positions of the up members that share the clients
	natural int     // sticky: rank position of the member the client gets with every member up; -1: none

	// Slow ramp-up.
	rampSkipped int         // rank position of the first up member ramping and not taking the client; -1: none
	rampState   memberState // its state
	ramps       []rampNote  // every ramp check, for the trace
}

// rampNote is one ramp check, for the trace.
type rampNote struct {
	at       int     // rank position
	share    float64 // the member's share of its clients so far
	admitted bool    // the client is in it
}

// choose is step 2: given the members' states, it picks the member that
// answers. Every policy shares the all-down rules (allDown); what differs
// is how a member is picked among the up ones.
//
// It fills c in place: a choice is a few hundred bytes that the query path
// should not copy from function to function.
func choose(ev *evaluation, c *choice) {
	*c = choice{at: -1, first: -1, firstUndrain: -1, natural: -1, rampSkipped: -1}
	if ev.n == 0 && len(ev.p.Members) > 0 {
		// A map entry fences in none of the pool's datacenters: as if all
		// of them were down, and fail-open has nobody to open to. A fence
		// never leaks to the datacenters it leaves out.
		c.emptyFence = true
		if ev.p.WhenAllDown == FailOpen {
			c.reason, c.outcome = ReasonAllDown, NoData
			return
		}
		allDown(ev, c)
		return
	}
	switch ev.p.Policy {
	case Weighted, Sticky:
		chooseDrawn(ev, c)
	default: // Nearest and Failover: the ranking already says who is first
		chooseFirstUp(ev, c)
	}
}

// chooseFirstUp picks the first eligible member in rank order that is up:
// the client's first choice, or a failover to the next one up.
func chooseFirstUp(ev *evaluation, c *choice) {
	ramp := ev.p.RampUp > 0
	for i := range ev.n {
		st := ev.judge(i)
		if !c.scanned(i, &st) {
			continue
		}
		if st.up && ramp && c.rampedOut(ev, i, &st) {
			continue // ramping up and not taking this client yet
		}
		if st.up {
			c.at, c.reason, c.mode, c.state = i, ReasonFirst, selectUp, st
			if i != c.first {
				c.reason = ReasonFailover
				if ev.p.Spill == SpillCapacity {
					spill(ev, c)
				}
			}
			if c.rampSkipped >= 0 {
				c.reason = ReasonRamp
			}
			return
		}
	}
	switch {
	case c.eligible == 0:
		c.outcome = NoData
	case c.rampSkipped >= 0:
		c.rampFallback()
	default:
		allDown(ev, c)
	}
}

// scanned notes the member ranked i-th, in state st, for the all-down
// rules and the trace: the first eligible one, the first that is not
// drained, how many are eligible. It reports whether the member is
// eligible at all.
func (c *choice) scanned(i int, st *memberState) bool {
	if !st.eligible {
		return false
	}
	c.eligible++
	if c.first < 0 {
		c.first = i
	}
	if !st.drained && c.firstUndrain < 0 {
		c.firstUndrain, c.undrained = i, *st
	}
	return true
}

// rampedOut reports whether the up member ranked i-th is ramping up and
// does not take this client yet, remembering it for the trace and as the
// fallback when no other member is up. A ramp check, taken or not, narrows
// the scope to the hashed prefix.
func (c *choice) rampedOut(ev *evaluation, i int, st *memberState) bool {
	r, ok := ev.rampFor(i)
	if !ok {
		return false
	}
	c.minScope = max(c.minScope, r.scope)
	if ev.tracing {
		c.ramps = append(c.ramps, rampNote{at: i, share: r.share, admitted: r.admitted})
	}
	if r.admitted {
		return false
	}
	if c.rampSkipped < 0 {
		c.rampSkipped, c.rampState = i, *st
	}
	return true
}

// rampFallback answers from the first member skipped for its ramp when no
// other member is up: a ramping member is better than none.
func (c *choice) rampFallback() {
	c.at, c.state, c.mode = c.rampSkipped, c.rampState, selectUp
	c.reason = ReasonFirst
	if c.at != c.first {
		c.reason = ReasonFailover
	}
}

// allDown applies the pool's when_all_down to c, a scan that found every
// eligible member down. FailOpen answers the top-ranked eligible member
// that is not drained (the top-ranked one when all are drained) as if it
// were up, with all its addresses except drained ones (all of them when it
// is drained); AllDownNoData, AllDownServFail and AllDownCNAME answer
// accordingly (AllDownCNAME without a target: ServFail).
func allDown(ev *evaluation, c *choice) {
	c.reason = ReasonAllDown
	switch ev.p.WhenAllDown {
	case AllDownNoData:
		c.outcome = NoData
	case AllDownServFail:
		c.outcome = ServFail
	case AllDownCNAME:
		c.outcome = ServFail
		if ev.p.AllDownCNAME != "" {
			c.outcome = CNAME
		}
	default: // FailOpen
		c.at, c.mode, c.state = c.firstUndrain, selectNotDrained, c.undrained
		if c.at < 0 {
			c.at, c.mode, c.state = c.first, selectAll, ev.judge(c.first)
		}
	}

}

// chooseDrawn picks among the eligible up members by weight: a random draw
// (Weighted) or a weighted rendezvous hash of the client's subnet
// (Sticky). Members of weight 0 are drawn among (with equal chances) only
// when no member of weight > 0 is up. The reason is ReasonFirst when the
// choice is what it would be with every member up — for Weighted, when no
// member of weight > 0 is down; for Sticky, when the client's own member is
// up — and ReasonFailover otherwise.
func chooseDrawn(ev *evaluation, c *choice) {
	c.drawn = true
	ramp := ev.p.RampUp > 0
	sticky := ev.p.Policy == Sticky
	var client uint64
	if sticky {
		subnet, scope := ev.q.Subnet(ev.p.stickyPrefixes())
		client, c.minScope = subnetHash(subnet), scope
		if ev.tracing {
			c.subnet = subnet.String()
		}
	}
	// One pass over the members keeps, for the members of weight > 0 and
	// for those of weight 0 apart, the winner so far: the highest
	// rendezvous score (Sticky) or a weighted reservoir draw (Weighted).
	type pool struct {
		at    int
		state memberState
		total uint64
		best  float64
		n     int
	}
	var heavy, light pool
	heavy.at, light.at = -1, -1
	naturalBest, naturalHeavy := -1.0, false
	downHeavy := false
	// A map entry's own datacenters are drawn among first; the others
	// ("*") only when none of those is up.
	for i := range ev.n {
		if i == ev.listed && (heavy.at >= 0 || light.at >= 0) {
			break
		}
		st := ev.judge(i)
		if !c.scanned(i, &st) {
			continue
		}
		mem := &ev.p.Members[ev.member(i)]
		w := mem.Weight
		var score float64
		if sticky {
			weight := max(w, 1)
			score = rendezvousScore(saltString(client, mem.Datacenter.Name), weight)
			natural := i < ev.listed || ev.listed == 0 // the client's own: among the listed ones
			if natural && ((w > 0 && (!naturalHeavy || score > naturalBest)) || (w == 0 && !naturalHeavy && score > naturalBest)) {
				naturalBest, naturalHeavy, c.natural = score, w > 0, i
			}
		}
		if !st.up {
			if w > 0 && (i < ev.listed || ev.listed == 0) {
				downHeavy = true
			}
			continue
		}
		if ramp && c.rampedOut(ev, i, &st) {
			continue
		}
		if i >= ev.listed && ev.listed > 0 {
			downHeavy = true // every listed datacenter is down: the others stand in
		}
		g := &heavy
		if w == 0 {
			g, w = &light, 1
		}
		g.n++
		g.total += uint64(w)
		switch {
		case sticky:
			if g.at < 0 || score > g.best {
				g.at, g.state, g.best = i, st, score
			}
		default:
			// Weighted reservoir: the i-th candidate replaces the pick so
			// far with probability w / total, which leaves each candidate
			// picked with probability proportional to its weight.
			if r := unit(nextRand(ev.q.Rand, i)); r < float64(w)/float64(g.total) {
				g.at, g.state = i, st
			}
		}
	}
	g := &heavy
	if g.at < 0 {
		g = &light
	}
	if g.at < 0 {
		switch {
		case c.eligible == 0:
			c.outcome = NoData
		case c.rampSkipped >= 0:
			c.rampFallback()
		default:
			allDown(ev, c)
		}
		return
	}
	c.at, c.state, c.mode, c.total, c.among = g.at, g.state, selectUp, g.total, g.n
	if sticky {
		c.draw = unit(client)
	}
	switch {
	case sticky && c.natural == c.at:
		c.reason = ReasonFirst
	case sticky && c.natural == c.rampSkipped:
		c.reason = ReasonRamp // the client's own member is ramping up without it yet
	case sticky, downHeavy:
		c.reason = ReasonFailover
	case c.rampSkipped >= 0:
		c.reason = ReasonRamp // a ramping member was left out of the draw
	default:
		c.reason = ReasonFirst
	}
}

// spillSalt separates the spill hash from the sticky policy's, so that a
// sticky pool's spill does not follow its own sticky choice.
const spillSalt = 0x7370696c6c // "spill"

// spill spreads the clients of a down or drained first choice over the
// first SpillWidth up eligible members from c.at on (c is a scan that found
// the first up member below the first choice), in proportion to their
// capacity: each client subnet goes to the member with the highest
// rendezvous score, weighted by capacity, so it stays there while the set
// does not change.
func spill(ev *evaluation, c *choice) {
	width := ev.p.SpillWidth
	if width <= 0 {
		width = DefaultSpillWidth
	}
	subnet, scope := ev.q.Subnet(ev.p.stickyPrefixes())
	client := subnetHash(subnet) ^ spillSalt
	c.reason, c.minScope = ReasonSpill, max(c.minScope, scope)
	if ev.tracing {
		c.subnet = subnet.String()
	}
	best := -1.0
	for i, n := c.at, 0; i < ev.n && n < width; i++ {
		st := c.state
		if i != c.at {
			if st = ev.judge(i); !st.eligible || !st.up {
				continue
			}
		}
		n++
		mem := &ev.p.Members[ev.member(i)]
		score := rendezvousScore(saltString(client, mem.Datacenter.Name), max(mem.Capacity, 1))
		if ev.tracing {
			c.spilled = append(c.spilled, i)
		}
		if score > best {
			best, c.at, c.state = score, i, st
		}
	}
}
