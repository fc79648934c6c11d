package pick

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gslb/gslb/geo"
)

// MatchKind is which part of a map an entry belongs to, from the most
// specific (CIDR) to the least (the default).
type MatchKind uint8

const (
	// MatchCIDR matches the client's address by prefix (the longest wins).
	MatchCIDR MatchKind = iota + 1
	// MatchASN matches the client's autonomous system number.
	MatchASN
	// MatchSubdivision matches an ISO 3166-2 subdivision ("US-CA").
	MatchSubdivision
	// MatchCountry matches an ISO 3166-1 alpha-2 country code ("JP").
	MatchCountry
	// MatchContinent matches a continent code ("EU").
	MatchContinent
	// MatchDefault matches every client no other entry matches.
	MatchDefault
)

var matchKindNames = [...]string{MatchCIDR: "cidr", MatchASN: "asn", MatchSubdivision: "subdivision",
	MatchCountry: "country", MatchContinent: "continent", MatchDefault: "default"}

// String returns "cidr", "asn", "subdivision", "country", "continent" or
// "default".
func (k MatchKind) String() string {
	if int(k) < len(matchKindNames) && k > 0 {
		return matchKindNames[k]
	}
	return "invalid"
}

// MapEntry is one entry of a map: the clients it matches and the
// datacenters that serve them, in order.
type MapEntry struct {
	Kind MatchKind
	// Key is what the entry matches, as written: a prefix ("198.51.100.0/25"),
	// an AS number ("64500"), a subdivision ("US-CA"), a country ("JP"), a
	// continent ("EU"), or "" for the default.
	Key string
	// Datacenters are the entry's datacenters, in order; those a pool does
	// not have are skipped for that pool.
	Datacenters []string
	// Rest is true when the list ended with "*": every other member of the
	// pool follows, ranked by the pool's policy. Without it the entry is a
	// fence: no other member ever answers its clients.
	Rest bool
}

// String returns the entry as a map line, such as `country JP = ["sin", "*"]`.
func (e *MapEntry) String() string {
	items := make([]string, 0, len(e.Datacenters)+1)
	for _, d := range e.Datacenters {
		items = append(items, strconv.Quote(d))
	}
	if e.Rest {
		items = append(items, `"*"`)
	}
	head := e.Kind.String()
	if e.Key != "" {
		head += " " + e.Key
	}
	return head + " = [" + strings.Join(items, ", ") + "]"
}

// Map is a compiled [maps.NAME] table of the server configuration: who goes
// where, by network, AS, subdivision, country or continent. The most
// specific entry that matches a client wins: CIDRs (longest prefix), then
// ASNs, subdivisions, countries, continents, then the default. A Map is
// read-only once built and safe for concurrent use.
type Map struct {
	name    string
	entries []MapEntry
	cidrs   []int // entry indexes of the CIDR entries, by ascending prefix length
	prefix  []netip.Prefix
	byAddr  []int // indexes into prefix, by address (IPv4 first)
	parent  []int // by index into prefix: the longest other CIDR that contains it; -1: none
	asns    map[uint32]int
	subdivs map[string]int
	country map[string]int
	contin  map[string]int
	def     int // -1: none
	key     string
}

// NewMap compiles the entries of map name. Keys must be valid and unique
// per kind (the config package reports problems with positions first);
// NewMap returns an error naming the first bad entry.
func NewMap(name string, entries []MapEntry) (*Map, error) {
	m := &Map{name: name, entries: slices.Clone(entries), asns: map[uint32]int{}, subdivs: map[string]int{},
		country: map[string]int{}, contin: map[string]int{}, def: -1}
	var key strings.Builder
	key.WriteString(name)
	for i := range m.entries {
		e := &m.entries[i]
		key.WriteString("|")
		key.WriteString(e.String())
		var dup bool
		switch e.Kind {
		case MatchCIDR:
			p, err := netip.ParsePrefix(e.Key)
			if err != nil || p != p.Masked() {
				return nil, fmt.Errorf("map %s: bad CIDR %q", name, e.Key)
			}
			dup = slices.Contains(m.prefix, p)
			m.cidrs, m.prefix = append(m.cidrs, i), append(m.prefix, p)
		case MatchASN:
			n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToUpper(e.Key), "AS"), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("map %s: bad AS number %q", name, e.Key)
			}
			_, dup = m.asns[uint32(n)]
			m.asns[uint32(n)] = i
		case MatchSubdivision:
			_, dup = m.subdivs[strings.ToUpper(e.Key)]
			m.subdivs[strings.ToUpper(e.Key)] = i
		case MatchCountry:
			_, dup = m.country[strings.ToUpper(e.Key)]
			m.country[strings.ToUpper(e.Key)] = i
		case MatchContinent:
			_, dup = m.contin[strings.ToUpper(e.Key)]
			m.contin[strings.ToUpper(e.Key)] = i
		case MatchDefault:
			dup = m.def >= 0
			m.def = i
		default:
			return nil, fmt.Errorf("map %s: entry %d has no kind", name, i)
		}
		if dup {
			return nil, fmt.Errorf("map %s: %s %q appears twice", name, e.Kind, e.Key)
		}
	}
	// CIDR entries by ascending length: a table inserts them in this order,
	// so that longer prefixes win.
	order := make([]int, len(m.cidrs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(m.prefix[a].Bits(), m.prefix[b].Bits()) })
	cidrs, prefix := make([]int, len(order)), make([]netip.Prefix, len(order))
	for i, o := range order {
		cidrs[i], prefix[i] = m.cidrs[o], m.prefix[o]
	}
	m.cidrs, m.prefix = cidrs, prefix
	m.byAddr = make([]int, len(prefix))
	for i := range m.byAddr {
		m.byAddr[i] = i
	}
	slices.SortStableFunc(m.byAddr, func(a, b int) int {
		return cmp.Or(prefix[a].Addr().Compare(prefix[b].Addr()), cmp.Compare(prefix[a].Bits(), prefix[b].Bits()))
	})
	// Prefixes nest or are disjoint: in address order, a stack of the
	// prefixes that contain the current one gives each its parent.
	m.parent = make([]int, len(prefix))
	var stack []int
	for _, i := range m.byAddr {
		for len(stack) > 0 && !prefix[stack[len(stack)-1]].Contains(prefix[i].Addr()) {
			stack = stack[:len(stack)-1]
		}
		m.parent[i] = -1
		if len(stack) > 0 {
			m.parent[i] = stack[len(stack)-1]
		}
		stack = append(stack, i)
	}
	m.key = key.String()
	return m, nil
}

// Name returns the map's name ([maps.NAME]).
func (m *Map) Name() string { return m.name }

// Entries returns the map's entries; do not modify them.
func (m *Map) Entries() []MapEntry { return m.entries }

// Entry returns entry i.
func (m *Map) Entry(i int) *MapEntry { return &m.entries[i] }

// UsesASN reports whether the map has ASN entries, which need the ASN
// database.
func (m *Map) UsesASN() bool { return len(m.asns) > 0 }

// Match returns the index of the entry that matches a client at addr with
// location loc, or -1 when none does (and there is no default).
func (m *Map) Match(addr netip.Addr, loc geo.Location) int {
	if m == nil {
		return -1
	}
	if i := m.matchCIDR(addr); i >= 0 {
		return i
	}
	return m.matchLocation(loc)
}

// matchCIDR returns the entry of the longest CIDR containing addr, or -1.
// Clients that embed an IPv4 address (geo.Canonical) match by it.
func (m *Map) matchCIDR(addr netip.Addr) int {
	if len(m.prefix) == 0 {
		return -1
	}
	a, _ := geo.Canonical(addr)
	return m.containingCIDR(netip.PrefixFrom(a, a.BitLen()))
}

// matchLocation returns the entry that matches loc by AS, subdivision,
// country, continent or default, or -1.
func (m *Map) matchLocation(loc geo.Location) int {
	if m == nil {
		return -1
	}
	if loc.ASN != 0 {
		if i, ok := m.asns[loc.ASN]; ok {
			return i
		}
	}
	if loc.Country != "" && len(m.subdivs) > 0 {
		// Most specific subdivision first.
		for j := len(loc.Subdivisions) - 1; j >= 0; j-- {
			if i, ok := m.subdivs[loc.Country+"-"+strings.ToUpper(loc.Subdivisions[j])]; ok {
				return i
			}
		}
	}
	if i, ok := m.country[loc.Country]; ok && loc.Country != "" {
		return i
	}
	if i, ok := m.contin[loc.Continent]; ok && loc.Continent != "" {
		return i
	}
	return m.def
}

// containingCIDR returns the entry of the longest CIDR that contains all
// of p, or -1. It finds the last CIDR that starts at or before p and climbs
// its parents: since CIDRs nest or are disjoint, every CIDR that contains p
// is on that chain, the longest first.
func (m *Map) containingCIDR(p netip.Prefix) int {
	if len(m.prefix) == 0 {
		return -1
	}
	a := p.Addr()
	n, _ := slices.BinarySearchFunc(m.byAddr, a, func(i int, a netip.Addr) int {
		if c := m.prefix[i].Addr().Compare(a); c != 0 {
			return c
		}
		return -1 // every prefix starting at a sorts before a
	})
	if n == 0 {
		return -1
	}
	for i := m.byAddr[n-1]; i >= 0; i = m.parent[i] {
		if c := m.prefix[i]; c.Bits() <= p.Bits() && c.Contains(a) {
			return m.cidrs[i]
		}
	}
	return -1
}

// containingCIDRIfAny is containingCIDR for a map that may be nil.
func (m *Map) containingCIDRIfAny(p netip.Prefix) int {
	if m == nil {
		return -1
	}
	return m.containingCIDR(p)
}

// cidrsInside appends to dst the indexes (into m.prefix) of the CIDRs
// strictly inside p (longer, and contained), by ascending length.
func (m *Map) cidrsInside(dst []int, p netip.Prefix) []int {
	dst = dst[:0]
	if len(m.prefix) == 0 {
		return dst
	}
	lo, _ := slices.BinarySearchFunc(m.byAddr, p.Addr(), func(i int, a netip.Addr) int {
		return m.prefix[i].Addr().Compare(a)
	})
	for _, i := range m.byAddr[lo:] {
		c := m.prefix[i]
		if !p.Contains(c.Addr()) {
			break
		}
		if c.Bits() > p.Bits() {
			dst = append(dst, i)
		}
	}
	slices.Sort(dst) // m.prefix is by ascending length
	return dst
}

// SplitsNetwork reports whether a CIDR entry lies strictly inside network,
// so that clients of the network may match different entries.
func (m *Map) SplitsNetwork(network netip.Prefix) bool {
	if m == nil {
		return false
	}
	for _, c := range m.prefix {
		if c.Bits() > network.Bits() && network.Contains(c.Addr()) {
			return true
		}
	}
	return false
}

// tableKey identifies the map's contents for Pool.TableKey.
func (m *Map) tableKey() string { return m.key }
