package pick

import "net/netip"

// Outcome is the kind of answer a Decision carries. The DNS handler maps
// each value to a response in one switch.
type Outcome uint8

const (
	// Addresses answers Decision.Addrs (A or AAAA records).
	Addresses Outcome = iota + 1
	// CNAME answers a CNAME to Decision.CNAME: a CNAME member was chosen,
	// or every member is down and the pool says AllDownCNAME.
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

// Reason is why the chosen datacenter answers, as metrics and logs name it.
type Reason uint8

const (
	// ReasonNone: no datacenter was chosen because no member has addresses
	// of the family (or a CNAME), or there is no pool.
	ReasonNone Reason = iota
	// ReasonFirst: the client's first choice answers (healthy top-ranked
	// eligible member).
	ReasonFirst
	// ReasonFailover: the first choice is down or drained and a
	// lower-ranked member answers.
	ReasonFailover
	// ReasonAllDown: every eligible member is down; the pool's
	// when_all_down decided the answer.
	ReasonAllDown
	// ReasonSpill: the first choice is down or drained and the pool
	// spreads its clients by capacity (spill = "capacity") over the next
	// up members.
	ReasonSpill
	// ReasonRamp: the first choice is ramping up after it came back and
	// does not take this client yet.
	ReasonRamp
)

var reasonNames = [...]string{ReasonNone: "none", ReasonFirst: "first", ReasonFailover: "failover",
	ReasonAllDown: "all-down", ReasonSpill: "spill", ReasonRamp: "ramp"}

// String returns "none", "first", "failover", "all-down", "spill" or
// "ramp": the values of the reason label of gslb_answers_total.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "invalid"
}

// Decision is the whole answer for one geo-routed query, carried from the
// selection step to the wire, metrics and logs: the pool, the chosen
// datacenter and why, the addresses or CNAME, and, once the engine (the
// route package) has completed it, the TTL and the ECS scope.
//
// A Decision may be reused: Resolve overwrites every field and appends the
// addresses to the Addrs buffer it is given.
type Decision struct {
	Outcome Outcome
	// Pool is the pool decided on; nil when there was none.
	Pool *Pool
	// Member is the index into Pool.Members of the member whose addresses
	// or CNAME are answered; -1 when no member is (NoData, ServFail, and the
	// all-down CNAME).
	Member int
	// Reason says why Member (or no member) answers.
	Reason Reason
	// Addrs are the answered addresses, for Outcome Addresses; they live in
	// the buffer the caller passed to Resolve.
	Addrs []netip.Addr
	// CNAME is the target for Outcome CNAME.
	CNAME string
	// MinScope is the narrowest ECS scope (the longest prefix length, in
	// the client address's own terms) that the choice needs: a choice that
	// depends on a hash of the client's subnet holds only for that subnet.
	// 0 when the choice depends on the ranking alone.
	MinScope int

	// TTL is the TTL of the answered records: the name's TTL, or its
	// degraded TTL when the decision is Degraded. Set by the engine.
	TTL uint32
	// Scope is the ECS SCOPE PREFIX-LENGTH of the response (RFC 7871
	// 7.2.1): every client in the query address's prefix of this length
	// gets the same decision. 0 when the query had no ECS option (or a
	// source prefix of 0). Set by the engine.
	Scope int
}

// Datacenter returns the name of the chosen member's datacenter, or "" when
// no member was chosen.
func (d Decision) Datacenter() string {
	if d.Pool == nil || d.Member < 0 || d.Member >= len(d.Pool.Members) {
		return ""
	}
	return d.Pool.Members[d.Member].Datacenter.Name
}

// Degraded reports whether the answer is not the client's healthy first
// choice: a failover, spill, ramp or all-down answer. Degraded answers get
// the name's degraded TTL, so that clients come back soon after a recovery.
func (d *Decision) Degraded() bool {
	return d.Reason != ReasonNone && d.Reason != ReasonFirst
}

// AllDown reports whether every eligible member was down, so that the
// pool's when_all_down decided the answer.
func (d *Decision) AllDown() bool { return d.Reason == ReasonAllDown }
