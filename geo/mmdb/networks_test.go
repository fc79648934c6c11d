package mmdb

import (
	"cmp"
	"fmt"
	"iter"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"testing"

	"github.com/gslb/gslb/geo"
	"github.com/oschwald/maxminddb-golang/v2"
)

func TestNetworks(t *testing.T) {
	db := mustOpen(t, sampleCity, sampleASN)
	var (
		prev         netip.Prefix
		n4, n6       int
		seenIPv6     bool
		countryOnly  int
		withSubdivs  int
		distinctCity = map[string]bool{}
	)
	for p, loc := range db.Networks() {
		if !p.IsValid() || p != p.Masked() {
			t.Fatalf("Networks yielded %v, not a masked prefix", p)
		}
		if loc.Network != p {
			t.Errorf("Networks yielded %s with Location.Network %s", p, loc.Network)
		}
		if !loc.Known() || loc.Country == "" || loc.Continent == "" {
			t.Errorf("Networks yielded %s with incomplete location %+v", p, loc)
		}
		if loc.ASN != 0 || loc.ASOrg != "" {
			t.Errorf("Networks yielded %s with ASN fields %+v; it walks the City database only", p, loc)
		}
		if inAlias(p) {
			t.Errorf("Networks yielded %s, inside an alias of the IPv4 space", p)
		}
		// Order: all IPv4 first, ascending and not overlapping, then IPv6.
		if p.Addr().Is4() {
			n4++
			if seenIPv6 {
				t.Errorf("IPv4 network %s after IPv6 networks", p)
			}
		} else {
			n6++
			seenIPv6 = true
		}
		if prev.IsValid() && prev.Addr().BitLen() == p.Addr().BitLen() {
			if !lastAddr(prev).Less(p.Addr()) {
				t.Errorf("network %s does not follow %s in ascending order without overlap", p, prev)
			}
		}
		prev = p
		if !loc.HasCoordinates {
			countryOnly++
		}
		if len(loc.Subdivisions) > 0 {
			withSubdivs++
		}
		distinctCity[loc.City] = true

		// Locate agrees on the network's first address, with a Network
		// inside the walked one (the ASN database may narrow it).
		got := db.Locate(p.Addr())
		if got.City != loc.City || got.Country != loc.Country || !p.Contains(got.Network.Addr()) || got.Network.Bits() < p.Bits() {
			t.Errorf("Locate(%s) = %+v, but Networks yielded %s %+v", p.Addr(), got, p, loc)
		}
	}
	// The sample has a few thousand networks of each kind; see
	// testdata/geoip/README.md.
	if n4 < 2000 || n6 < 800 || countryOnly < 100 || withSubdivs < 1000 || len(distinctCity) < 50 {
		t.Errorf("Networks: %d IPv4, %d IPv6, %d without coordinates, %d with subdivisions, %d cities; want a fuller spread",
			n4, n6, countryOnly, withSubdivs, len(distinctCity))
	}
	t.Logf("%d IPv4 and %d IPv6 networks, %d without coordinates, %d distinct cities", n4, n6, countryOnly, len(distinctCity))
}

func TestNetworksStopsEarly(t *testing.T) {
	db := mustOpen(t, sampleCity, "")
	n := 0
	for range db.Networks() {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("walked %d networks, want 3", n)
	}
}

func TestInAlias(t *testing.T) {
	for p, want := range map[string]bool{
		"::ffff:192.0.2.0/120": true,
		"::ffff:0:0/96":        true,
		"2002:c000:200::/40":   true,
		"2002::/16":            true,
		"2001::/32":            true,
		"2001:0:1::/48":        true,
		"2000::/3":             false, // contains the aliases but is not inside one
		"2001:db8::/32":        false,
		"2003::/16":            false,
		"192.0.2.0/24":         false,
	} {
		if got := inAlias(netip.MustParsePrefix(p)); got != want {
			t.Errorf("inAlias(%s) = %v, want %v", p, got, want)
		}
	}
}

// walked is a network that a walk yielded.
type walked struct {
	prefix netip.Prefix
	loc    geo.Location
}

func collect(seq iter.Seq2[netip.Prefix, geo.Location]) []walked {
	var out []walked
	for p, loc := range seq {
		out = append(out, walked{p, loc})
	}
	return out
}

// laterWins is a table built from a walk the way pick.BuildTable builds
// one: a network yielded later wins over the addresses it covers.
type laterWins struct {
	nets  []walked
	index map[netip.Prefix]int
	bits  map[int][]int // prefix lengths present, by address length
}

func newLaterWins(nets []walked) *laterWins {
	m := &laterWins{nets: nets, index: map[netip.Prefix]int{}, bits: map[int][]int{}}
	for i, n := range nets {
		m.index[n.prefix] = i
		l := n.prefix.Addr().BitLen()
		if !slices.Contains(m.bits[l], n.prefix.Bits()) {
			m.bits[l] = append(m.bits[l], n.prefix.Bits())
		}
	}
	return m
}

// lookup returns the index of the network that answers for a, or -1.
func (m *laterWins) lookup(a netip.Addr) int {
	best := -1
	for _, bits := range m.bits[a.BitLen()] {
		if i, ok := m.index[netip.PrefixFrom(a, bits).Masked()]; ok && i > best {
			best = i
		}
	}
	return best
}

// checkConventions checks the conventions that Networks and NetworksWithASN
// share: masked prefixes of the family of their addresses, the Location's
// Network set to the prefix, nothing inside the aliases, IPv4 first, and
// ascending order (a network that starts where the previous one starts is
// inside it).
func checkConventions(t *testing.T, nets []walked) {
	t.Helper()
	var prev netip.Prefix
	for _, n := range nets {
		p := n.prefix
		if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() || inAlias(p) || n.loc.Network != p {
			t.Errorf("walk yielded %s with Network %s: not a masked prefix of its family outside the aliases, or another Network", p, n.loc.Network)
		}
		if prev.IsValid() {
			switch {
			case prev.Addr().Is6() && p.Addr().Is4():
				t.Errorf("walk yielded IPv4 network %s after IPv6 network %s", p, prev)
			case prev.Addr().Is4() == p.Addr().Is4() &&
				(p.Addr().Less(prev.Addr()) || p.Addr() == prev.Addr() && p.Bits() <= prev.Bits()):
				t.Errorf("walk yielded %s after %s: not in ascending order", p, prev)
			}
		}
		prev = p
	}
}

// agrees reports whether the network that a table built from a walk finds
// for an address gives the Location that Locate gives it. The Networks may
// differ: Locate's is inside the walked one, which it may narrow to a
// network of the ASN database.
func agrees(n walked, locate geo.Location) bool {
	got, want := n.loc, locate
	inside := got.Network.Bits() <= want.Network.Bits() && got.Network.Contains(want.Network.Addr())
	got.Network, want.Network = netip.Prefix{}, netip.Prefix{}
	return inside && equalLocation(got, want)
}

// inNetwork returns addresses of p to check: the first and the last, their
// neighbours inside p, the first of its second half and two drawn by r.
func inNetwork(r *rand.Rand, p netip.Prefix) []netip.Addr {
	first, last := p.Addr(), lastAddr(p)
	out := []netip.Addr{first, last, first.Next(), last.Prev()}
	if p.Bits() < first.BitLen() {
		out = append(out, lastAddr(netip.PrefixFrom(first, p.Bits()+1)).Next())
	}
	for range 2 {
		b := first.AsSlice()
		for i := p.Bits(); i < len(b)*8; i++ {
			if r.IntN(2) == 1 {
				b[i/8] |= 0x80 >> (i % 8)
			}
		}
		a, _ := netip.AddrFromSlice(b)
		out = append(out, a)
	}
	return slices.DeleteFunc(out, func(a netip.Addr) bool { return !p.Contains(a) })
}

// v4Subtree is where an IPv6 database keeps the IPv4 space; an IPv6 lookup
// there finds IPv4 records, which the walks yield as IPv4 networks.
var v4Subtree = netip.MustParsePrefix("::/96")

// checkWithASN checks db.NetworksWithASN: the conventions of Networks, and
// agreement with Locate once built into a table in which a network yielded
// later wins. It checks
//   - the start, the end and a few addresses inside every yielded network
//     that no network yielded later covers, and
//   - every address where the answer of either database may change (the
//     first and last address of each of their networks and the neighbours
//     of those), so that all the address space is covered: there the table
//     must have no network exactly where Locate knows nothing.
//
// It returns what the walk yielded.
func checkWithASN(t *testing.T, db *DB) []walked {
	t.Helper()
	nets := collect(db.NetworksWithASN())
	checkConventions(t, nets)
	m := newLaterWins(nets)
	r := rand.New(rand.NewPCG(1, 2))
	inside := 0
	for i, n := range nets {
		for _, a := range inNetwork(r, n.prefix) {
			if m.lookup(a) != i {
				continue // a network yielded later answers for a
			}
			inside++
			if loc := db.Locate(a); !agrees(n, loc) {
				t.Errorf("Locate(%s) = %+v, but NetworksWithASN yields %s %+v", a, loc, n.prefix, n.loc)
			}
		}
	}
	s := db.Snapshot()
	bounds := map[netip.Addr]bool{}
	for _, rd := range []*maxminddb.Reader{s.city, s.asn} {
		if rd == nil {
			continue
		}
		for res := range rd.Networks() {
			if err := res.Err(); err != nil {
				t.Fatal(err)
			}
			p := res.Prefix()
			if !p.IsValid() || inAlias(p) {
				continue
			}
			first, last := p.Addr(), lastAddr(p)
			for _, a := range []netip.Addr{first, last, first.Prev(), last.Next()} {
				if a.IsValid() && !(a.Is6() && (inAlias(netip.PrefixFrom(a, 128)) || v4Subtree.Contains(a))) {
					bounds[a] = true
				}
			}
		}
	}
	known := 0
	for a := range bounds {
		loc := db.Locate(a)
		switch i := m.lookup(a); {
		case i < 0 && loc.Known():
			t.Errorf("Locate(%s) = %+v, but no network of NetworksWithASN covers %s", a, loc, a)
		case i >= 0 && !loc.Known():
			t.Errorf("Locate(%s) knows nothing, but NetworksWithASN yields %s %+v", a, nets[i].prefix, nets[i].loc)
		case i >= 0:
			known++
			if !agrees(nets[i], loc) {
				t.Errorf("Locate(%s) = %+v, but NetworksWithASN yields %s %+v", a, loc, nets[i].prefix, nets[i].loc)
			}
		}
	}
	t.Logf("%d networks; %d addresses inside them and %d of %d boundary addresses agree with Locate", len(nets), inside, known, len(bounds))
	return nets
}

func TestNetworksWithASN(t *testing.T) {
	for _, tc := range []struct{ name, city, asn string }{
		{"sample", sampleCity, sampleASN},
		{"misaligned", misalignedCity, misalignedASN},
		{"sample city, misaligned asn", sampleCity, misalignedASN},
		{"misaligned city, sample asn", misalignedCity, sampleASN},
		{"ipv4 tree city", sampleDBIP, sampleASN}, // IPv4-only City tree, IPv6 ASN tree
		{"flat city", sampleFlat, sampleASN},
		{"flat city, misaligned asn", sampleFlat, misalignedASN},
		{"no asn", sampleCity, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkWithASN(t, mustOpen(t, tc.city, tc.asn))
		})
	}
}

// TestNetworksWithASNShape checks the order promised: each City network as
// Networks yields it, with the ASN fields, followed by the ASN networks
// inside it; without an ASN database, Networks itself.
func TestNetworksWithASNShape(t *testing.T) {
	for _, tc := range []struct{ city, asn string }{
		{sampleCity, sampleASN},
		{misalignedCity, misalignedASN},
		{sampleCity, ""},
	} {
		db := mustOpen(t, tc.city, tc.asn)
		city := collect(db.Networks())
		nets := collect(db.NetworksWithASN())
		if tc.asn == "" && len(nets) != len(city) {
			t.Errorf("%s without ASN: NetworksWithASN yields %d networks, Networks %d", tc.city, len(nets), len(city))
		}
		j := 0
		for _, c := range city {
			for j < len(nets) && nets[j].prefix != c.prefix {
				j++
			}
			if j == len(nets) {
				t.Fatalf("%s: NetworksWithASN does not yield City network %s in Networks' order", tc.city, c.prefix)
			}
			n := nets[j].loc
			n.ASN, n.ASOrg = 0, ""
			if !equalLocation(n, c.loc) {
				t.Errorf("%s: NetworksWithASN yields %s %+v, Networks %+v", tc.city, c.prefix, nets[j].loc, c.loc)
			}
			for j++; j < len(nets) && c.prefix.Bits() < nets[j].prefix.Bits() && c.prefix.Contains(nets[j].prefix.Addr()); j++ {
				in := nets[j].loc
				in.ASN, in.ASOrg, in.Network = 0, "", c.prefix
				if tc.asn == "" || !equalLocation(in, c.loc) {
					t.Errorf("%s: NetworksWithASN yields %s %+v inside City network %s %+v", tc.city, nets[j].prefix, nets[j].loc, c.prefix, c.loc)
				}
			}
			if j < len(nets) && !slices.ContainsFunc(city, func(w walked) bool { return w.prefix == nets[j].prefix }) {
				t.Errorf("%s: NetworksWithASN yields %s after City network %s, outside it", tc.city, nets[j].prefix, c.prefix)
			}
		}
	}
}

// TestNetworksWithASNMisaligned spells out the walk of the misaligned pair
// (testdata/geoip/README.md).
func TestNetworksWithASNMisaligned(t *testing.T) {
	db := mustOpen(t, misalignedCity, misalignedASN)
	var got []string
	for p, loc := range db.NetworksWithASN() {
		got = append(got, fmt.Sprintf("%s %s AS%d", p, cmp.Or(loc.City, loc.Country), loc.ASN))
	}
	want := []string{
		"0.0.0.0/24 Amsterdam AS0", // inner ASN network at the start
		"0.0.0.0/25 Amsterdam AS64496",
		"10.0.0.0/16 Frankfurt am Main AS0", // inner ASN networks, gaps between
		"10.0.0.0/24 Frankfurt am Main AS64497",
		"10.0.64.0/18 Frankfurt am Main AS64498",
		"10.0.255.0/24 Frankfurt am Main AS64499",
		"10.1.0.0/24 London AS64500", // one ASN network over four City networks and holes
		"10.1.1.0/24 Paris AS64500",
		"10.1.2.0/23 Madrid AS64500",
		"10.1.128.0/17 Ashburn AS64500",
		"10.2.0.0/15 New York AS0", // inner ASN networks at different depths
		"10.2.0.0/16 New York AS64501",
		"10.3.3.0/24 New York AS64502",
		"10.4.0.0/16 San Jose AS64503", // a wider ASN network over two
		"10.6.0.0/16 Dallas AS64503",
		// 10.8.0.0/16 has an ASN network and no City network: nothing.
		"10.9.0.0/16 Singapore AS64505", // the same network in both
		"10.10.0.0/16 US AS0",
		"10.10.0.0/17 US AS64506",
		"10.12.0.0/16 Tokyo AS0", // no ASN network
		"255.255.255.0/24 Sydney AS0",
		"255.255.255.255/32 Sydney AS64507", // the last IPv4 address
		"2001:db8::/32 Tokyo AS0",
		"2001:db8::/48 Tokyo AS64508",
		"2001:db8:8000::/33 Tokyo AS64509",
		"2a00::/32 Amsterdam AS64510",
		"2a01:4f8::/32 Frankfurt am Main AS64510",
		"2a0f::/16 Stockholm AS64510",
		"ffff::/16 McMurdo Station AS0",
		"ffff:ffff:ffff:ffff::/64 McMurdo Station AS64511", // the end of IPv6
	}
	if !slices.Equal(got, want) {
		t.Errorf("NetworksWithASN() =\n%q\nwant\n%q", got, want)
	}
	a := netip.MustParseAddr("10.3.3.7")
	if loc := db.Locate(a); loc.ASN != 64502 || loc.ASOrg != "Example Deep" || loc.City != "New York" {
		t.Errorf("Locate(%s) = %+v, want New York, AS64502 Example Deep", a, loc)
	}
}

func TestNetworksWithASNStopsEarly(t *testing.T) {
	db := mustOpen(t, misalignedCity, misalignedASN)
	all := collect(db.NetworksWithASN())
	for n := 1; n <= len(all); n++ {
		i := 0
		for p := range db.NetworksWithASN() {
			if p != all[i].prefix {
				t.Fatalf("walk %d: network %d is %s, want %s", n, i, p, all[i].prefix)
			}
			i++
			if i == n {
				break
			}
		}
		if i != n {
			t.Errorf("walked %d networks, want %d", i, n)
		}
	}
}

// randomLeaves returns the networks of a random prefix tree under root, in
// address order, down to /maxBits, about one in three left out as a hole.
func randomLeaves(r *rand.Rand, root netip.Prefix, maxBits int) []netip.Prefix {
	var out []netip.Prefix
	var split func(p netip.Prefix)
	split = func(p netip.Prefix) {
		if p.Bits() == maxBits || r.IntN(4) == 0 {
			if r.IntN(3) != 0 {
				out = append(out, p)
			}
			return
		}
		lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
		split(lo)
		split(netip.PrefixFrom(lastAddr(lo).Next(), p.Bits()+1))
	}
	split(root)
	return out
}

func cityWalk(nets []netip.Prefix) iter.Seq2[netip.Prefix, geo.Location] {
	return func(yield func(netip.Prefix, geo.Location) bool) {
		for i, p := range nets {
			if !yield(p, geo.Location{City: strconv.Itoa(i), Network: p}) {
				return
			}
		}
	}
}

func asnWalk(nets []netip.Prefix) iter.Seq2[netip.Prefix, asnRecord] {
	return func(yield func(netip.Prefix, asnRecord) bool) {
		for i, p := range nets {
			if !yield(p, asnRecord{asn: uint32(i + 1), org: "org" + strconv.Itoa(i+1)}) {
				return
			}
		}
	}
}

// TestWithASNRandom merges random City and ASN trees and checks every
// address of them against a lookup in each.
func TestWithASNRandom(t *testing.T) {
	roots := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("2001:db8::/120")}
	find := func(nets []netip.Prefix, a netip.Addr) int {
		return slices.IndexFunc(nets, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 0))
		var city, asn []netip.Prefix
		for _, root := range roots {
			city = append(city, randomLeaves(r, root, root.Addr().BitLen())...)
			asn = append(asn, randomLeaves(r, root, root.Addr().BitLen())...)
		}
		nets := collect(withASN(cityWalk(city), asnWalk(asn)))
		checkConventions(t, nets)
		m := newLaterWins(nets)
		for _, root := range roots {
			for a := root.Addr(); root.Contains(a); a = a.Next() {
				c, as, i := find(city, a), find(asn, a), m.lookup(a)
				if c < 0 {
					if i >= 0 {
						t.Errorf("seed %d: no City network has %s, but the merge yields %s %+v", seed, a, nets[i].prefix, nets[i].loc)
					}
					continue
				}
				want := geo.Location{City: strconv.Itoa(c)}
				if as >= 0 {
					want.ASN, want.ASOrg = uint32(as+1), "org"+strconv.Itoa(as+1)
				}
				if i < 0 {
					t.Errorf("seed %d: no network of the merge has %s, want %+v", seed, a, want)
					continue
				}
				got := nets[i].loc
				if got.City != want.City || got.ASN != want.ASN || got.ASOrg != want.ASOrg {
					t.Errorf("seed %d: the merge gives %s %+v, want %+v (City %s, ASN %v)", seed, a, got, want, city[c], asn[max(as, 0)])
				}
			}
		}
		if t.Failed() {
			t.Fatalf("seed %d: City networks %s, ASN networks %s", seed, city, asn)
		}
	}
}

// TestWithASNWideIPv6Network merges a record of an IPv6 tree for a network
// wider than ::/96, which holds the whole IPv4 subtree, with IPv4 networks
// of the other database: in the tree they nest.
func TestWithASNWideIPv6Network(t *testing.T) {
	for _, tc := range []struct {
		city, asn, want []string
	}{
		{
			city: []string{"::/64"},
			asn:  []string{"1.0.0.0/24"},
			want: []string{"::/64 0 AS0", "1.0.0.0/24 0 AS1"},
		},
		{
			city: []string{"1.0.0.0/24", "2001:db8::/32"},
			asn:  []string{"::/64", "2001:db8:1::/48"},
			want: []string{"1.0.0.0/24 0 AS1", "2001:db8::/32 1 AS0", "2001:db8:1::/48 1 AS2"},
		},
	} {
		parse := func(ss []string) []netip.Prefix {
			var out []netip.Prefix
			for _, s := range ss {
				out = append(out, netip.MustParsePrefix(s))
			}
			return out
		}
		var got []string
		for p, loc := range withASN(cityWalk(parse(tc.city)), asnWalk(parse(tc.asn))) {
			got = append(got, fmt.Sprintf("%s %s AS%d", p, loc.City, loc.ASN))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("withASN(%q, %q) = %q, want %q", tc.city, tc.asn, got, tc.want)
		}
	}
}

func TestSpanOf(t *testing.T) {
	for p, want := range map[string]treeSpan{
		"0.0.0.0/0":       {uint128{0, 0}, uint128{0, 0xffffffff}},
		"10.1.2.3/32":     {uint128{0, 0x0a010203}, uint128{0, 0x0a010203}},
		"10.1.2.0/23":     {uint128{0, 0x0a010200}, uint128{0, 0x0a0103ff}},
		"::/0":            {uint128{0, 0}, uint128{^uint64(0), ^uint64(0)}},
		"::/64":           {uint128{0, 0}, uint128{0, ^uint64(0)}},
		"2001:db8::/32":   {uint128{0x20010db800000000, 0}, uint128{0x20010db8ffffffff, ^uint64(0)}},
		"2001:db8::1/128": {uint128{0x20010db800000000, 1}, uint128{0x20010db800000000, 1}},
		"2001:db8::/65":   {uint128{0x20010db800000000, 0}, uint128{0x20010db800000000, 1<<63 - 1}},
	} {
		if got := spanOf(netip.MustParsePrefix(p)); got != want {
			t.Errorf("spanOf(%s) = %x, want %x", p, got, want)
		}
	}
}
