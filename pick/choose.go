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
}

// choose is step 2: given the members' states, it picks the member that
// answers. Every policy shares the all-down rules (allDown); what differs
// is how a member is picked among the up ones.
func choose(ev *evaluation) choice {
	switch ev.p.Policy {
	default: // Nearest: the ranking already says who is first
		return chooseFirstUp(ev)
	}
}

// chooseFirstUp picks the first eligible member in rank order that is up:
// the client's first choice, or a failover to the next one up.
func chooseFirstUp(ev *evaluation) choice {
	c := choice{at: -1, first: -1, firstUndrain: -1}
	for i := range ev.n {
		st := ev.judge(i)
		if !st.eligible {
			continue
		}
		c.eligible++
		if c.first < 0 {
			c.first = i
		}
		if !st.drained && c.firstUndrain < 0 {
			c.firstUndrain, c.undrained = i, st
		}
		if st.up {
			c.at, c.reason, c.mode, c.state = i, ReasonFirst, selectUp, st
			if i != c.first {
				c.reason = ReasonFailover
			}
			return c
		}
	}
	if c.eligible == 0 {
		c.outcome = NoData
		return c
	}
	return allDown(ev, c)
}

// allDown applies the pool's when_all_down to c, a scan that found every
// eligible member down. FailOpen answers the top-ranked eligible member
// that is not drained (the top-ranked one when all are drained) as if it
// were up, with all its addresses except drained ones (all of them when it
// is drained); AllDownNoData, AllDownServFail and AllDownCNAME answer
// accordingly (AllDownCNAME without a target: ServFail).
func allDown(ev *evaluation, c choice) choice {
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
	return c
}
