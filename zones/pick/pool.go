package pick

import "net/netip"

// Policy is how a pool ranks its datacenters for a client.
type Policy uint8

const (
	// Nearest ranks datacenters by great-circle distance from the client.
	Nearest Policy = iota
)

// AllDown is what a pool answers when every member is down.
type AllDown uint8

const (
	// FailOpen answers the top-ranked datacenter as if every member were up.
	FailOpen AllDown = iota
	// AllDownNoData answers NOERROR with no data (and the zone's SOA).
	AllDownNoData
	// AllDownServFail answers SERVFAIL.
	AllDownServFail
	// AllDownCNAME answers a CNAME to Pool.AllDownCNAME.
	AllDownCNAME
)

// Datacenter is a named site with coordinates, from the server configuration.
type Datacenter struct {
	Name     string
	Lat, Lon float64
}

// Member is one datacenter's part of a pool: its addresses of each family,
// or a CNAME target instead of addresses.
type Member struct {
	Datacenter Datacenter
	V4         []netip.Addr // IPv4 addresses, in configuration order
	V6         []netip.Addr // IPv6 addresses, in configuration order
	CNAME      string       // absolute target name; when set V4 and V6 are empty
}

// Pool is a compiled [pools.NAME] table of a zone file.
type Pool struct {
	Name         string
	Policy       Policy
	MaxAnswers   int     // addresses per answer; at least 1
	Check        string  // name of a [checks.NAME]; "" means always up
	UpFraction   float64 // share of a family's addresses that must be up, in (0, 1]
	WhenAllDown  AllDown
	AllDownCNAME string // absolute name, for AllDownCNAME
	Members      []Member
}

// Family is the address family a query asks for.
type Family uint8

const (
	// IPv4 is an A query.
	IPv4 Family = iota
	// IPv6 is an AAAA query.
	IPv6
)
