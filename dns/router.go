package dns

import (
	"net/netip"

	"github.com/gslb/gslb/zones"
)

// Router completes the answer for a geo-routed name (a zones.GSLB lookup
// outcome): it locates the client, ranks the pool's datacenters and picks
// addresses by health. The handler calls Route once per such query, from
// many goroutines at once; Route must not block on I/O and must not keep q
// or a after it returns.
type Router interface {
	// Route fills a, which the handler has reset: a.Addrs is empty with
	// capacity to append to without allocating in the common case.
	Route(q *GSLBQuery, a *GSLBAnswer)
}

// GSLBQuery is what Route is asked.
type GSLBQuery struct {
	Name  *zones.Name // the geo-routed name being answered
	Zone  *zones.Zone // the zone holding it
	Owner string      // the owner name of the answer, absolute and lower case
	Qtype uint16      // the query type: A, AAAA, or any other (ANY included)

	// Client is where the answer is for (RFC 7871 7.1.2): the ECS source
	// prefix when the query carried one longer than 0 (ECS is then true),
	// else the packet's source address as a /32 or /128. Locate
	// Client.Addr(); Client.Bits() is the source prefix length.
	Client netip.Prefix
	ECS    bool
}

// GSLBOutcome is the kind of answer Route decided on.
type GSLBOutcome uint8

const (
	// GSLBAddresses answers GSLBAnswer.Addrs: A records for the IPv4
	// addresses, AAAA records for the IPv6 ones, each only when the query
	// type asks for it (A, AAAA or ANY). None left is answered as NoData.
	GSLBAddresses GSLBOutcome = iota
	// GSLBCNAME answers a CNAME from the owner to GSLBAnswer.CNAME. The
	// target is not chased, even inside the served zones.
	GSLBCNAME
	// GSLBNoData answers NOERROR with the zone's negative SOA.
	GSLBNoData
	// GSLBServFail answers SERVFAIL.
	GSLBServFail
)

// GSLBAnswer is what Route decided.
type GSLBAnswer struct {
	Outcome GSLBOutcome
	Addrs   []netip.Addr // for GSLBAddresses: appended by Route
	CNAME   string       // for GSLBCNAME: absolute target name
	TTL     uint32       // TTL of the answered records
	// Scope is the ECS SCOPE PREFIX-LENGTH of the answer (RFC 7871
	// 7.2.1), used only when GSLBQuery.ECS is set: the length of the
	// client prefix for which the answer holds.
	Scope uint8
}

// reset empties a for reuse, keeping the capacity of Addrs.
func (a *GSLBAnswer) reset() {
	*a = GSLBAnswer{Addrs: a.Addrs[:0]}
}
