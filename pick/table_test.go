package pick

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"iter"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/gslb/gslb/geo"
)

// network is one entry of a synthetic GeoIP database.
type network struct {
	pfx netip.Prefix
	loc geo.Location
}

func seq(nets []network) iter.Seq2[netip.Prefix, geo.Location] {
	return func(yield func(netip.Prefix, geo.Location) bool) {
		for _, n := range nets {
			if !yield(n.pfx, n.loc) {
				return
			}
		}
	}
}

func (n network) String() string {
	if !n.loc.HasCoordinates {
		return n.pfx.String() + "@unknown"
	}
	return fmt.Sprintf("%s@%.2f,%.2f", n.pfx, n.loc.Lat, n.loc.Lon)
}

func net(s string, loc geo.Location) network {
	return network{netip.MustParsePrefix(s), loc}
}

func TestTableScopes(t *testing.T) {
	// Configuration order iad, ams, sin: New York ranks in configuration
	// order, like an unknown location, and merges with the gaps.
	p := &Pool{Members: []Member{{Datacenter: iad}, {Datacenter: ams}, {Datacenter: sin}}}
	nets := []network{
		net("10.0.0.0/25", frankfurt),
		net("10.0.0.128/25", berlin), // same ranking: merges into 10.0.0.0/24
		net("10.0.1.0/24", paris),    // and again: 10.0.0.0/23
		net("10.0.2.0/25", singapore),
		net("10.0.2.128/25", sydney), // different ranking: no merge
		// 10.0.3.0/24: gap
		net("10.1.0.0/17", newYork), // configuration order: merges with the gap 10.1.128.0/17
		net("10.2.0.0/17", noCoords),
		net("10.2.128.0/17", newYork), // and with the record without coordinates, and 10.3.0.0/16
		net("2001:db8::/33", frankfurt),
		net("2001:db8:8000::/33", berlin),
		net("2001:db9::/32", singapore),
	}
	tbl := BuildTable(seq(nets), p)
	tests := []struct {
		addr  string
		want  string
		scope int
	}{
		{"10.0.0.1", "ams iad sin", 23},
		{"10.0.0.200", "ams iad sin", 23},
		{"10.0.1.255", "ams iad sin", 23},
		{"10.0.2.1", "sin ams iad", 25},
		{"10.0.2.200", "sin iad ams", 25},
		{"10.0.3.1", "iad ams sin", 24},
		{"10.0.4.1", "iad ams sin", 22},
		{"10.0.128.1", "iad ams sin", 17},
		{"10.1.0.1", "iad ams sin", 16},
		{"10.1.200.1", "iad ams sin", 16},
		{"10.2.0.1", "iad ams sin", 15},
		{"10.3.0.1", "iad ams sin", 15},
		{"10.4.0.1", "iad ams sin", 14},
		{"11.0.0.1", "iad ams sin", 8},
		{"192.0.2.1", "iad ams sin", 1},
		{"::ffff:10.0.0.1", "ams iad sin", 96 + 23},
		{"::ffff:192.0.2.1", "iad ams sin", 96 + 1},
		{"2001:db8::1", "ams iad sin", 32},
		{"2001:db8:8000::1", "ams iad sin", 32},
		{"2001:db9::1", "sin ams iad", 32},
		{"2001:dba::1", "iad ams sin", 31},
		{"::1", "iad ams sin", 81},                // ::/80 reaches into ::ffff:0:0/96
		{"2002:a00:1::1", "ams iad sin", 16 + 23}, // 6to4 of 10.0.0.1
		{"2002:a00:2ff::1", "sin iad ams", 16 + 25},
		{"2002:c000:201::", "iad ams sin", 16 + 1},
		{"2001:0:4136:e378:8000:63bf:f5ff:fffe", "ams iad sin", 128}, // Teredo of 10.0.0.1
		{"2003::1", "iad ams sin", 16},                               // 2002::/16 is another world
		{"2001:1::1", "iad ams sin", 32},                             // and so is 2001::/32
	}
	for _, tt := range tests {
		r, scope := tbl.Lookup(netip.MustParseAddr(tt.addr))
		if got := names(r, p); got != tt.want || scope != tt.scope {
			t.Errorf("Lookup(%s) = %s /%d, want %s /%d", tt.addr, got, scope, tt.want, tt.scope)
		}
		if _, ok := r.Distance(0); ok {
			t.Errorf("Lookup(%s) has distances, want none", tt.addr)
		}
	}
	st := tbl.Stats()
	if st.Networks != len(nets) || st.Rankings != 4 {
		t.Errorf("Stats() = %+v, want %d networks and 4 rankings", st, len(nets))
	}
}

func TestTableMappedNetworks(t *testing.T) {
	// IPv4 networks given in IPv4-mapped form land in the IPv4 trie.
	p := webPool()
	tbl := BuildTable(seq([]network{net("::ffff:10.0.0.0/120", singapore)}), p)
	r, scope := tbl.Lookup(netip.MustParseAddr("10.0.0.9"))
	if got := names(r, p); got != "sin ams iad" || scope != 24 {
		t.Errorf("Lookup(10.0.0.9) = %s /%d, want sin ams iad /24", got, scope)
	}
}

func TestTableOneMember(t *testing.T) {
	p := &Pool{Members: []Member{{Datacenter: ams}}}
	tbl := BuildTable(seq([]network{net("10.0.0.0/8", singapore), net("2001:db8::/32", newYork)}), p)
	for _, a := range []string{"10.1.2.3", "1.1.1.1", "2001:db8::1", "::ffff:1.2.3.4"} {
		r, scope := tbl.Lookup(netip.MustParseAddr(a))
		want := 0
		if netip.MustParseAddr(a).Is4In6() {
			want = 96
		}
		if r.Len() != 1 || scope != want {
			t.Errorf("Lookup(%s) = %v /%d, want [0] /%d", a, r, scope, want)
		}
	}
}

func TestTableNil(t *testing.T) {
	var tbl *Table
	r, scope := tbl.Lookup(netip.MustParseAddr("192.0.2.1"))
	if r.Len() != 0 || scope != 0 {
		t.Errorf("(*Table)(nil).Lookup = %v /%d, want [] /0", r, scope)
	}
	if tbl.Serves(webPool()) {
		t.Errorf("(*Table)(nil).Serves = true, want false")
	}
}

func TestTableServes(t *testing.T) {
	p := webPool()
	tbl := BuildTable(seq(nil), p)
	q := webPool()
	q.Name, q.Check, q.Members[0].V4 = "api", "", nil // other pool, same datacenters
	moved := webPool()
	moved.Members[0].Datacenter.Lat++
	swapped := webPool()
	swapped.Members[0], swapped.Members[1] = swapped.Members[1], swapped.Members[0]
	tests := []struct {
		name string
		p    *Pool
		want bool
	}{
		{"itself", p, true},
		{"same datacenters", q, true},
		{"moved datacenter", moved, false},
		{"other order", swapped, false},
		{"fewer", &Pool{Members: p.Members[:2]}, false},
	}
	for _, tt := range tests {
		if got := tbl.Serves(tt.p); got != tt.want {
			t.Errorf("Serves(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTableLookupDoesNotAllocate(t *testing.T) {
	p := webPool()
	tbl := BuildTable(seq(synthetic(rand.New(rand.NewPCG(1, 2)), 10000, 2000)), p)
	for _, s := range []string{"1.2.3.4", "2001:db8::1", "::ffff:1.2.3.4", "2002:102:304::1", "2001:0:4136:e378:8000:63bf:fefd:fcfb"} {
		a := netip.MustParseAddr(s)
		if n := testing.AllocsPerRun(100, func() { tbl.Lookup(a) }); n != 0 {
			t.Errorf("Lookup(%s) allocates %v times per call, want 0", s, n)
		}
	}
}

// Property tests: the table agrees with Rank of a reference lookup, and its
// scopes are exact, for random network sets confined to a small universe
// (4096 addresses) so that every address can be checked.

// universe is the small address range random networks fall into.
type universe struct {
	base netip.Addr // first address; 4096 addresses follow
	bits int        // prefix length of the universe: 20 (IPv4) or 116 (IPv6)
}

var (
	universe4 = universe{netip.MustParseAddr("10.0.0.0"), 20}
	universe6 = universe{netip.MustParseAddr("2001:db8::"), 116}
)

func (u universe) addr(off int) netip.Addr {
	a := u.base.As16()
	if u.base.Is4() {
		a4 := u.base.As4()
		binary.BigEndian.PutUint32(a4[:], binary.BigEndian.Uint32(a4[:])+uint32(off))
		return netip.AddrFrom4(a4)
	}
	binary.BigEndian.PutUint16(a[14:], uint16(off))
	return netip.AddrFrom16(a)
}

// prefix returns the network of 2^size addresses at offset off.
func (u universe) prefix(off, size int) netip.Prefix {
	return netip.PrefixFrom(u.addr(off), u.base.BitLen()-size)
}

// randomNetworks returns n random networks in u with locations from locs;
// overlapping networks are dropped unless overlap is set.
func randomNetworks(rng *rand.Rand, u universe, n int, locs []geo.Location, overlap bool) []network {
	var covered [4096]bool
	var nets []network
	for range n {
		size := rng.IntN(13) // 2^0 .. 2^12 addresses
		off := rng.IntN(4096) &^ (1<<size - 1)
		if !overlap && slices.Contains(covered[off:off+1<<size], true) {
			continue
		}
		for i := off; i < off+1<<size; i++ {
			covered[i] = true
		}
		nets = append(nets, network{u.prefix(off, size), locs[rng.IntN(len(locs))]})
	}
	return nets
}

// locate is the reference lookup: the most specific network containing a,
// the last one of those if several are. For disjoint networks, and for
// overlapping networks in address order, that is what BuildTable promises.
func locate(nets []network, a netip.Addr) geo.Location {
	best := -1
	for i, n := range nets {
		if n.pfx.Contains(a) && (best < 0 || n.pfx.Bits() >= nets[best].pfx.Bits()) {
			best = i
		}
	}
	if best < 0 {
		return geo.Location{}
	}
	return nets[best].loc
}

// checkTable checks every address of u against the reference, and that
// each returned scope is exact: uniform, and maximal.
func checkTable(t *testing.T, p *Pool, nets []network, u universe) {
	t.Helper()
	tbl := BuildTable(seq(nets), p)
	unknown := Rank(geo.Location{}, p).String()
	ref := make([]string, 4096)
	for off := range ref {
		a := u.addr(off)
		ref[off] = RankClient(a, locate(nets, a), p).String()
	}
	// runEnd[i] is the last offset of the run of equal rankings from i.
	runEnd := make([]int, 4096)
	runEnd[4095] = 4095
	for i := 4094; i >= 0; i-- {
		runEnd[i] = i
		if ref[i] == ref[i+1] {
			runEnd[i] = runEnd[i+1]
		}
	}
	allUnknown := runEnd[0] == 4095 && ref[0] == unknown
	// uniform reports whether the prefix of length bits around offset off
	// has one ranking; prefixes wider than u also hold unknown addresses.
	uniform := func(off, bits int) bool {
		if bits < u.bits {
			return allUnknown
		}
		size := 1 << (u.base.BitLen() - bits)
		start := off &^ (size - 1)
		return runEnd[start] >= start+size-1
	}
	for off := range 4096 {
		a := u.addr(off)
		r, scope := tbl.Lookup(a)
		if got := r.String(); got != ref[off] {
			t.Fatalf("Lookup(%s) = %s, want Rank(locate) = %s\nnetworks: %v", a, got, ref[off], nets)
		}
		if !uniform(off, scope) {
			t.Fatalf("Lookup(%s) scope /%d covers other rankings\nnetworks: %v", a, scope, nets)
		}
		if scope > 0 && uniform(off, scope-1) {
			t.Fatalf("Lookup(%s) scope /%d is not the widest: /%d has one ranking\nnetworks: %v\nmap: %v", a, scope, scope-1, nets, mapEntries(p))
		}
	}
	// Outside the universe everything is unknown; a scope may only reach
	// into the universe when all of it is unknown too.
	for _, s := range []string{"0.0.0.0", "10.0.16.0", "10.0.15.255", "9.255.255.255", "255.255.255.255",
		"::", "2001:db8::1:0", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "ffff::"} {
		a := netip.MustParseAddr(s)
		if a.Is4() != u.base.Is4() || a.BitLen() == 0 {
			continue
		}
		uni := netip.PrefixFrom(u.base, u.bits)
		if uni.Contains(a) {
			continue
		}
		r, scope := tbl.Lookup(a)
		if want := RankClient(a, geo.Location{}, p).String(); r.String() != want {
			t.Fatalf("Lookup(%s) = %v outside the networks, want %s", a, r, want)
		}
		if r.String() != unknown && len(mapCIDRs(p)) == 0 {
			t.Fatalf("Lookup(%s) = %v outside the networks, want %s", a, r, unknown)
		}
		if pfx, _ := a.Prefix(scope); pfx.Overlaps(uni) && !allUnknown && len(mapCIDRs(p)) == 0 {
			t.Fatalf("Lookup(%s) scope /%d reaches into networks of other rankings", a, scope)
		}
	}
}

var testLocations = []geo.Location{frankfurt, berlin, paris, singapore, sydney, tokyo, newYork, saoPaulo, noCoords, {}}

func testPools() map[string]*Pool {
	five := &Pool{Members: []Member{{Datacenter: sin}, {Datacenter: iad}, {Datacenter: ams},
		{Datacenter: Datacenter{Name: "syd", Lat: -33.9, Lon: 151.2}}, {Datacenter: Datacenter{Name: "gru", Lat: -23.4, Lon: -46.5}}}}
	return map[string]*Pool{
		"web":  webPool(),
		"iad":  {Members: []Member{{Datacenter: iad}, {Datacenter: ams}, {Datacenter: sin}}},
		"five": five,
	}
}

func TestTableProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for name, p := range testPools() {
		for _, u := range []universe{universe4, universe6} {
			for i := range 60 {
				n := 1 + rng.IntN(80)
				switch i % 3 {
				case 0: // disjoint, in address order (as a database walk)
					nets := randomNetworks(rng, u, n, testLocations, false)
					slices.SortFunc(nets, func(a, b network) int { return a.pfx.Addr().Compare(b.pfx.Addr()) })
					checkTable(t, p, nets, u)
				case 1: // disjoint, in random order
					checkTable(t, p, randomNetworks(rng, u, n, testLocations, false), u)
				case 2: // overlapping, in address order: the more specific wins
					nets := randomNetworks(rng, u, n, testLocations, true)
					slices.SortStableFunc(nets, func(a, b network) int {
						return cmp.Or(a.pfx.Addr().Compare(b.pfx.Addr()), cmp.Compare(a.pfx.Bits(), b.pfx.Bits()))
					})
					checkTable(t, p, nets, u)
				}
			}
			_ = name
		}
	}
}

// FuzzTable decodes networks from the input (3 bytes each: offset, size and
// location) and checks the table against the reference.
func FuzzTable(f *testing.F) {
	f.Add([]byte{0, 0, 0x80, 0, 128, 0x81, 1, 0, 0x93})
	f.Add([]byte{0x0f, 0xff, 0x03, 0x00, 0x00, 0xc5})
	pools := testPools()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 3*64 {
			return
		}
		u := universe4
		if len(data)%2 == 1 {
			u = universe6
		}
		var nets []network
		var covered [4096]bool
	next:
		for ; len(data) >= 3; data = data[3:] {
			size := int(data[2]>>4) % 13
			off := int(binary.BigEndian.Uint16(data[:2])) % 4096 &^ (1<<size - 1)
			for i := off; i < off+1<<size; i++ {
				if covered[i] {
					continue next
				}
			}
			for i := off; i < off+1<<size; i++ {
				covered[i] = true
			}
			nets = append(nets, network{u.prefix(off, size), testLocations[int(data[2]&0x0f)%len(testLocations)]})
		}
		checkTable(t, pools["five"], nets, u)
	})
}

// synthetic returns n networks laid out like a GeoIP City database; see
// syntheticSeq.
func synthetic(rng *rand.Rand, n, cities int) []network {
	nets := make([]network, 0, n)
	for pfx, loc := range syntheticSeq(rng, n, cities) {
		nets = append(nets, network{pfx, loc})
	}
	return nets
}

// syntheticSeq yields n networks laid out like a GeoIP City database: they
// tile the address space in order, each as large as its alignment and a
// random length allow, with some gaps; three quarters are IPv4 (/16 to /28,
// mostly /22 to /24) and a quarter IPv6 (/32 to /64, mostly /48). Their
// locations are drawn from cities random sites, in runs of neighbouring
// networks at the same site, and a few have no coordinates.
func syntheticSeq(rng *rand.Rand, n, cities int) iter.Seq2[netip.Prefix, geo.Location] {
	locs := make([]geo.Location, cities)
	for i := range locs {
		locs[i] = city(rng.Float64()*140-60, rng.Float64()*360-180)
	}
	nextLoc := func(loc geo.Location) geo.Location {
		switch {
		case rng.IntN(50) == 0:
			return geo.Location{Network: netip.PrefixFrom(netip.IPv4Unspecified(), 0)} // no coordinates
		case rng.IntN(3) == 0:
			return locs[rng.IntN(len(locs))]
		}
		return loc
	}
	// step returns the length of the next network at a (the top bits of
	// an address of width bits): random, but no larger than a's alignment.
	step := func(a uint64, width, plen int) (int, uint64) {
		if a != 0 {
			plen = max(plen, width-min(width, bits.TrailingZeros64(a)))
		}
		return plen, uint64(1) << (width - plen)
	}
	return func(yield func(netip.Prefix, geo.Location) bool) {
		count := 0
		loc := locs[0]
		var a4 uint64 = 1 << 24 // from 1.0.0.0
		for ; count < n*3/4; count++ {
			plen := 16 + rng.IntN(13)
			if rng.IntN(8) < 5 {
				plen = 22 + rng.IntN(3)
			}
			plen, size := step(a4, 32, plen)
			if rng.IntN(10) == 0 {
				a4 += size // gap
				plen, size = step(a4, 32, plen)
			}
			if a4+size > 1<<32 {
				break
			}
			loc = nextLoc(loc)
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], uint32(a4))
			if !yield(netip.PrefixFrom(netip.AddrFrom4(b), plen), loc) {
				return
			}
			a4 += size
		}
		hi := uint64(0x2001_0000_0000_0000) // the top 64 bits
		for ; count < n; count++ {
			plen := 32 + rng.IntN(33)
			if rng.IntN(8) < 5 {
				plen = 48
			}
			plen, size := step(hi, 64, plen)
			if rng.IntN(10) == 0 {
				hi += size
				plen, size = step(hi, 64, plen)
			}
			loc = nextLoc(loc)
			var b [16]byte
			binary.BigEndian.PutUint64(b[:8], hi)
			if !yield(netip.PrefixFrom(netip.AddrFrom16(b), plen), loc) {
				return
			}
			hi += size
		}
	}
}

func TestTableOverlap(t *testing.T) {
	p := webPool()
	tests := []struct {
		name string
		nets []network
		addr string
		want string
		bits int
	}{
		{"more specific after", []network{net("10.0.0.0/16", newYork), net("10.0.1.0/24", singapore)},
			"10.0.1.1", "sin ams iad", 24},
		{"around the more specific", []network{net("10.0.0.0/16", newYork), net("10.0.1.0/24", singapore)},
			"10.0.2.1", "iad ams sin", 23},
		{"later wins", []network{net("10.0.1.0/24", singapore), net("10.0.0.0/16", newYork)},
			"10.0.1.1", "iad ams sin", 16},
	}
	for _, tt := range tests {
		r, bits := BuildTable(seq(tt.nets), p).Lookup(netip.MustParseAddr(tt.addr))
		if got := names(r, p); got != tt.want || bits != tt.bits {
			t.Errorf("%s: Lookup(%s) = %s /%d, want %s /%d", tt.name, tt.addr, got, bits, tt.want, tt.bits)
		}
	}
}

func TestECSScope(t *testing.T) {
	tests := []struct{ source, lookup, want int }{
		{24, 24, 24},
		{24, 20, 20}, // the answer holds for a wider network
		{24, 26, 26}, // the source spans different answers
		{0, 16, 0},   // no client information: not tailored
		{56, 32, 32},
		{56, 64, 64},
		{32, 0, 0},
	}
	for _, tt := range tests {
		if got := ECSScope(tt.source, tt.lookup); got != tt.want {
			t.Errorf("ECSScope(%d, %d) = %d, want %d", tt.source, tt.lookup, got, tt.want)
		}
	}
}

func TestTableEmbedded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	p := testPools()["five"]
	aliases := []netip.Prefix{netip.MustParsePrefix("::ffff:0:0/96"), netip.MustParsePrefix("2002::/16"),
		netip.MustParsePrefix("2001::/32")}
	for i := range 30 {
		locs := testLocations
		if i%10 == 0 {
			locs = []geo.Location{noCoords} // IPv4 ranks in configuration order throughout
		}
		nets := randomNetworks(rng, universe4, 1+rng.IntN(40), locs, false)
		nets = append(nets, randomNetworks(rng, universe6, 1+rng.IntN(40), testLocations, false)...)
		tbl := BuildTable(seq(nets), p)
		for off := range 4096 {
			a4 := universe4.addr(off)
			r4, s4 := tbl.Lookup(a4)
			b := a4.As4()
			forms := []struct {
				addr netip.Addr
				emb  geo.Embedding
			}{
				{netip.AddrFrom16(a4.As16()), geo.Mapped},
				{netip.AddrFrom16([16]byte{0x20, 0x02, b[0], b[1], b[2], b[3], 15: 1}), geo.SixToFour},
				{netip.AddrFrom16([16]byte{0x20, 0x01, 4: 0x41, 5: 0x36, 12: ^b[0], 13: ^b[1], 14: ^b[2], 15: ^b[3]}), geo.Teredo},
			}
			for _, f := range forms {
				r, s := tbl.Lookup(f.addr)
				// When all of IPv4 ranks the same, the embedding ranges merge
				// with their IPv6 neighbours and the scope is the IPv6 trie's.
				if !r.Equal(r4) || s4 > 0 && s != f.emb.OuterBits(s4) {
					t.Fatalf("Lookup(%s) = %v /%d, want %v /%d as for %s", f.addr, r, s, r4, f.emb.OuterBits(s4), a4)
				}
			}
		}
		// Other IPv6 scopes stay clear of the embedding ranges, unless all of
		// IPv4 ranks the same.
		if _, s4 := tbl.Lookup(universe4.base); s4 == 0 {
			continue
		}
		for range 2000 {
			var a [16]byte
			for i := range a {
				a[i] = byte(rng.Uint32())
			}
			switch rng.IntN(4) {
			case 0:
				a[0], a[1] = 0x20, 0x01 // near Teredo and the universe
			case 1:
				a[0], a[1] = 0x20, 0x03 // near 6to4
			case 2:
				clear(a[:10]) // near mapped
			}
			addr := netip.AddrFrom16(a)
			if _, emb := geo.Canonical(addr); emb != geo.NotEmbedded {
				continue
			}
			_, s := tbl.Lookup(addr)
			pfx, _ := addr.Prefix(s)
			for _, al := range aliases {
				if pfx.Overlaps(al) {
					t.Fatalf("Lookup(%s) scope %s reaches into %s", addr, pfx, al)
				}
			}
		}
	}
}

// TestTableSharesSubtrees: identical subtrees are stored once, and lookups
// in them still give each address its own ranking and scope.
func TestTableSharesSubtrees(t *testing.T) {
	p := webPool()
	// The first half of every /16 of 10.0.0.0/8 is in Singapore, the
	// second half unknown: as a tree, 8 nodes down to 10.0.0.0/8, 255
	// below it and 256 for the /16s (519); stored once per depth, 17.
	networks := func(yield func(netip.Prefix, geo.Location) bool) {
		for i := range 256 {
			if !yield(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), 0, 0}), 17), singapore) {
				return
			}
		}
	}
	tbl := BuildTable(networks, p)
	if got := tbl.Stats().Nodes4; got != 17 {
		t.Errorf("Nodes4 = %d, want 17", got)
	}
	for _, tt := range []struct {
		addr  string
		want  string
		scope int
	}{
		{"10.0.0.1", "sin ams iad", 17},
		{"10.77.127.255", "sin ams iad", 17},
		{"10.255.0.0", "sin ams iad", 17},
		{"10.77.128.0", "ams iad sin", 17},
		{"10.255.255.255", "ams iad sin", 17},
		{"11.0.0.1", "ams iad sin", 8},
		{"9.255.255.255", "ams iad sin", 7},
	} {
		r, scope := tbl.Lookup(netip.MustParseAddr(tt.addr))
		if got := names(r, p); got != tt.want || scope != tt.scope {
			t.Errorf("Lookup(%s) = %s /%d, want %s /%d", tt.addr, got, scope, tt.want, tt.scope)
		}
	}
}
