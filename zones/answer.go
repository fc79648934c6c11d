package zones

// Outcome is the kind of answer a lookup found. The dns package maps each
// outcome to an rcode and sections in one place.
type Outcome uint8

const (
	// Refused means the name is in no served zone.
	Refused Outcome = iota
	// Success means Answer holds the records asked for (possibly after a
	// CNAME chain).
	Success
	// NoData means the name exists but has no records of the type: NOERROR
	// with the zone's SOA in authority.
	NoData
	// NXDomain means the name does not exist: the zone's SOA in authority.
	NXDomain
	// Referral means the name is at or below a zone cut: NS in authority,
	// glue in additional, AA clear.
	Referral
	// GSLB means the name (or the end of a CNAME chain in Answer) is a
	// geo-routed name; Answer.GSLB says which, and the caller completes the
	// answer from the pool.
	GSLB
	// YXDomain means a DNAME substitution produced a name too long to
	// exist (RFC 6672 2.2); Answer holds the DNAME.
	YXDomain
)

// String returns the outcome's name.
func (o Outcome) String() string {
	switch o {
	case Success:
		return "success"
	case NoData:
		return "nodata"
	case NXDomain:
		return "nxdomain"
	case Referral:
		return "referral"
	case GSLB:
		return "gslb"
	case YXDomain:
		return "yxdomain"
	default:
		return "refused"
	}
}

// RR is one record of an answer. Owner is empty when the record is answered
// under its own name; it holds the query name when the record was
// synthesized from a wildcard, so the caller must answer a copy of Record
// with that owner. Synth is set on a CNAME synthesized from the DNAME in
// Record (RFC 6672): the caller answers "Owner CNAME Synth" with the
// DNAME's TTL.
type RR struct {
	*Record
	Owner string
	Synth string
}

// Answer is the result of Set.Lookup. Its slices are appended to, so one
// Answer can be reset and reused across queries.
type Answer struct {
	Outcome    Outcome
	Zone       *Zone // the zone that answered (for a CNAME chain: the last one); nil when Refused
	Answer     []RR
	Authority  []RR
	Additional []RR
	// GSLB is set when Outcome is GSLB: the geo-routed name to complete,
	// and GSLBOwner the owner to answer it under (the query name, or the
	// last CNAME target of the chain).
	GSLB      *Name
	GSLBOwner string
}

// Reset empties the answer for reuse, keeping the slices' capacity.
func (a *Answer) Reset() {
	a.Outcome = Refused
	a.Zone = nil
	a.Answer = a.Answer[:0]
	a.Authority = a.Authority[:0]
	a.Additional = a.Additional[:0]
	a.GSLB = nil
	a.GSLBOwner = ""
}
