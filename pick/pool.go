package pick

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Policy is how a pool ranks its datacenters for a client.
type Policy uint8

const (
	// Nearest ranks datacenters by great-circle distance from the client.
	Nearest Policy = iota
)

// String returns the policy's name in the zone files ("nearest").
func (p Policy) String() string {
	switch p {
	case Nearest:
		return "nearest"
	default:
		return "invalid"
	}
}

// ParsePolicy returns the policy named s, as written in zone files.
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "nearest":
		return Nearest, nil
	}
	return 0, fmt.Errorf("unknown policy %q: want nearest", s)
}

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

// String returns the policy as written in the zone files ("fail-open",
// "nodata", "servfail" or "cname").
func (a AllDown) String() string {
	switch a {
	case FailOpen:
		return "fail-open"
	case AllDownNoData:
		return "nodata"
	case AllDownServFail:
		return "servfail"
	case AllDownCNAME:
		return "cname"
	default:
		return "invalid"
	}
}

// ParseAllDown returns the all-down policy written as s in zone files:
// "fail-open", "nodata", "servfail" or "cname:TARGET", with the CNAME
// target ("" for the others), trimmed but otherwise as written (the caller
// makes a relative name absolute).
func ParseAllDown(s string) (AllDown, string, error) {
	switch s {
	case "fail-open":
		return FailOpen, "", nil
	case "nodata":
		return AllDownNoData, "", nil
	case "servfail":
		return AllDownServFail, "", nil
	}
	if target, ok := strings.CutPrefix(s, "cname:"); ok {
		target = strings.TrimSpace(target)
		if target == "" {
			return 0, "", errors.New("cname: needs a target name")
		}
		return AllDownCNAME, target, nil
	}
	return 0, "", fmt.Errorf("unknown policy %q: want fail-open, nodata, servfail or cname:NAME", s)
}

// Datacenter is a named site with coordinates, from the server configuration.
type Datacenter struct {
	Name     string
	Lat, Lon float64 // degrees
}

// Member is one datacenter's part of a pool: its addresses of each family,
// or a CNAME target instead of addresses.
type Member struct {
	Datacenter Datacenter
	V4         []netip.Addr // IPv4 addresses, in configuration order
	V6         []netip.Addr // IPv6 addresses, in configuration order
	CNAME      string       // absolute target name; when set V4 and V6 are empty
}

// Addrs returns the member's addresses of family f.
func (m *Member) Addrs(f Family) []netip.Addr {
	if f == IPv6 {
		return m.V6
	}
	return m.V4
}

// Pool is a compiled [pools.NAME] table of a zone file. A Pool is read-only
// once built: Rank, Resolve and Table only read it, and may be called from
// many goroutines at once.
type Pool struct {
	// Name is the pool's name ([pools.NAME]); pool-specific admin
	// overrides are matched against it.
	Name string
	// Policy ranks the members for a client; the zero value is Nearest.
	Policy Policy
	// MaxAnswers is the most addresses in one answer; 0 (or less) means no
	// limit: every up address of the chosen datacenter.
	MaxAnswers int
	// Check is the name of a [checks.NAME]; "" means the addresses are never
	// probed and always up (admin overrides still apply).
	Check string
	// UpFraction is the share of a datacenter's addresses of one family that
	// must be up for the datacenter to be up for that family, in (0, 1]. At
	// least one address must be up in any case, so 0 means "any one".
	UpFraction float64
	// WhenAllDown is what to answer when every member is down; the zero
	// value is FailOpen.
	WhenAllDown AllDown
	// AllDownCNAME is the absolute target name for WhenAllDown AllDownCNAME.
	AllDownCNAME string
	// Members are the pool's datacenters in configuration order, the order
	// used for clients without a location and to break distance ties.
	Members []Member
}

// TableKey identifies everything a ranking table of p depends on besides
// the GeoIP data: the policy and the members' datacenters (names and
// coordinates), in order. Pools with equal keys rank every location the
// same way and share one Table. An input that a policy ranks by (a map, a
// bias) belongs in the key, so that it gets a table of its own without any
// special case.
func (p *Pool) TableKey() string {
	var b strings.Builder
	b.WriteString(p.Policy.String())
	for _, m := range p.Members {
		dc := m.Datacenter
		b.WriteString("|")
		b.WriteString(dc.Name)
		b.WriteString("@")
		b.WriteString(strconv.FormatFloat(dc.Lat, 'g', -1, 64))
		b.WriteString(",")
		b.WriteString(strconv.FormatFloat(dc.Lon, 'g', -1, 64))
	}
	return b.String()
}

// Family is the address family a query asks for.
type Family uint8

const (
	// IPv4 is an A query.
	IPv4 Family = iota
	// IPv6 is an AAAA query.
	IPv6
)

// String returns "IPv4" or "IPv6".
func (f Family) String() string {
	if f == IPv6 {
		return "IPv6"
	}
	return "IPv4"
}
