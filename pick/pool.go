package pick

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Policy is how a pool chooses a datacenter for a client.
type Policy uint8

const (
	// Nearest ranks datacenters by great-circle distance from the client,
	// scaled by each member's Bias, and answers from the first one up.
	Nearest Policy = iota
	// Failover answers from the first member up in configuration order,
	// wherever the client is (active/standby).
	Failover
	// Weighted answers from an up member drawn at random with probability
	// proportional to its Weight.
	Weighted
	// Sticky answers from an up member chosen by a weighted rendezvous
	// hash of the client's subnet: a client keeps its datacenter while that
	// one is up, and adding or removing a member moves only the clients
	// that member gains or loses.
	Sticky
)

var policyNames = [...]string{Nearest: "nearest", Failover: "failover", Weighted: "weighted", Sticky: "sticky"}

// String returns the policy's name in the zone files ("nearest",
// "failover", "weighted" or "sticky").
func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "invalid"
}

// ParsePolicy returns the policy named s, as written in zone files.
func ParsePolicy(s string) (Policy, error) {
	for i, name := range policyNames {
		if s == name {
			return Policy(i), nil
		}
	}
	return 0, fmt.Errorf("unknown policy %q: want nearest, failover, weighted or sticky", s)
}

// ranksByLocation reports whether the policy's ranking depends on where
// the client is.
func (p Policy) ranksByLocation() bool { return p == Nearest }

// AddressPolicy is how the chosen datacenter's up addresses are ordered
// before MaxAnswers of them are answered.
type AddressPolicy uint8

const (
	// Rotate starts at a random up address and wraps, so that successive
	// answers rotate through them.
	Rotate AddressPolicy = iota
	// WeightedAddresses orders the up addresses by a weighted random draw
	// without replacement (address weights, default 1).
	WeightedAddresses
	// StickyAddresses orders the up addresses by a weighted rendezvous
	// hash of the client's subnet: a client keeps its addresses while they
	// are up.
	StickyAddresses
)

var addressPolicyNames = [...]string{Rotate: "rotate", WeightedAddresses: "weighted", StickyAddresses: "sticky"}

// String returns the address policy's name in the zone files ("rotate",
// "weighted" or "sticky").
func (a AddressPolicy) String() string {
	if int(a) < len(addressPolicyNames) {
		return addressPolicyNames[a]
	}
	return "invalid"
}

// ParseAddressPolicy returns the address policy named s, as written in zone
// files.
func ParseAddressPolicy(s string) (AddressPolicy, error) {
	for i, name := range addressPolicyNames {
		if s == name {
			return AddressPolicy(i), nil
		}
	}
	return 0, fmt.Errorf("unknown address_policy %q: want rotate, weighted or sticky", s)
}

// Spill is where the clients of a down or drained first choice go.
type Spill uint8

const (
	// SpillNext sends them to the next up member in rank order.
	SpillNext Spill = iota
	// SpillCapacity spreads them over the next SpillWidth up members in
	// proportion to their Capacity, each client subnet stably to one.
	SpillCapacity
)

var spillNames = [...]string{SpillNext: "next", SpillCapacity: "capacity"}

// String returns "next" or "capacity", as written in zone files.
func (s Spill) String() string {
	if int(s) < len(spillNames) {
		return spillNames[s]
	}
	return "invalid"
}

// ParseSpill returns the spill mode named s, as written in zone files.
func ParseSpill(s string) (Spill, error) {
	for i, name := range spillNames {
		if s == name {
			return Spill(i), nil
		}
	}
	return 0, fmt.Errorf("unknown spill %q: want next or capacity", s)
}

// DefaultSpillWidth is how many next-ranked up members share a down first
// choice's clients under SpillCapacity when the pool does not say.
const DefaultSpillWidth = 3

// Default prefix lengths of the client subnet that sticky choices hash.
const (
	DefaultStickyIPv4Prefix = 24
	DefaultStickyIPv6Prefix = 56
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
	// W4 and W6 are the weights of the addresses of V4 and V6 for the
	// weighted and sticky address policies, in the same order; nil means
	// every address weighs 1.
	W4, W6 []uint32
	CNAME  string // absolute target name; when set V4 and V6 are empty
	// Weight is the member's share in the weighted and sticky policies.
	// Members of weight 0 answer only when no member of weight > 0 is up.
	Weight uint32
	// Capacity is the member's share of a down first choice's clients
	// under SpillCapacity; 0 counts as 1.
	Capacity uint32
	// Bias scales the member's distances for the nearest policy by
	// (1 - Bias/100), as Route 53's geoproximity bias: from -99 (repel) to
	// 99 (attract); 0 leaves them as they are.
	Bias int
}

// Weights returns the weights of the member's addresses of family f, nil
// when they all weigh 1.
func (m *Member) Weights(f Family) []uint32 {
	if f == IPv6 {
		return m.W6
	}
	return m.W4
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
	// Policy chooses the member for a client; the zero value is Nearest.
	Policy Policy
	// AddressPolicy orders the chosen member's up addresses; the zero
	// value is Rotate.
	AddressPolicy AddressPolicy
	// StickyIPv4Prefix and StickyIPv6Prefix are the client subnets that
	// sticky choices (sticky policies, spill and ramp-up) hash; 0 means
	// the default (24 and 56).
	StickyIPv4Prefix, StickyIPv6Prefix int
	// Map, when not nil, decides which members serve a client before the
	// policy does ([maps.NAME], `map` on the pool).
	Map *Map
	// Spill is where a down first choice's clients go; the zero value is
	// SpillNext.
	Spill Spill
	// SpillWidth is how many next up members share them under
	// SpillCapacity; 0 means DefaultSpillWidth.
	SpillWidth int
	// RampUp is how long a member that came back up (from down or
	// drained) takes to win back all of its clients; 0: at once.
	RampUp time.Duration
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
	if p.Map != nil {
		b.WriteString("|map ")
		b.WriteString(p.Map.tableKey())
	}
	for _, m := range p.Members {
		dc := m.Datacenter
		b.WriteString("|")
		b.WriteString(dc.Name)
		if p.Policy != Nearest {
			continue
		}
		b.WriteString("@")
		b.WriteString(strconv.FormatFloat(dc.Lat, 'g', -1, 64))
		b.WriteString(",")
		b.WriteString(strconv.FormatFloat(dc.Lon, 'g', -1, 64))
		if m.Bias != 0 {
			b.WriteString("~")
			b.WriteString(strconv.Itoa(m.Bias))
		}
	}
	return b.String()
}

// RanksByLocation reports whether p's ranking depends on where the client
// is, so that it needs a ranking table: it has two members or more and
// ranks by distance. Other pools rank in configuration order for everyone.
func (p *Pool) RanksByLocation() bool {
	return len(p.Members) > 1 && (p.Policy.ranksByLocation() || p.Map != nil)
}

// stickyPrefixes returns the client subnet lengths that sticky choices
// hash, defaults applied.
func (p *Pool) stickyPrefixes() (bits4, bits6 int) {
	bits4, bits6 = p.StickyIPv4Prefix, p.StickyIPv6Prefix
	if bits4 <= 0 {
		bits4 = DefaultStickyIPv4Prefix
	}
	if bits6 <= 0 {
		bits6 = DefaultStickyIPv6Prefix
	}
	return bits4, bits6
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
