package pick

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/health"
)

// mapCIDRs returns the CIDR entries of p's map.
func mapCIDRs(p *Pool) []netip.Prefix {
	if p.Map == nil {
		return nil
	}
	return p.Map.prefix
}

func mustMap(t testing.TB, name string, entries ...MapEntry) *Map {
	t.Helper()
	m, err := NewMap(name, entries)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// geoMap is the FORMAT.md example map.
func geoMap(t testing.TB) *Map {
	return mustMap(t, "geo",
		MapEntry{Kind: MatchDefault, Datacenters: []string{"ams"}, Rest: true},
		MapEntry{Kind: MatchContinent, Key: "EU", Datacenters: []string{"ams", "fra"}},
		MapEntry{Kind: MatchContinent, Key: "NA", Datacenters: []string{"iad", "sjc"}, Rest: true},
		MapEntry{Kind: MatchCountry, Key: "GB", Datacenters: []string{"fra", "ams"}},
		MapEntry{Kind: MatchCountry, Key: "JP", Datacenters: []string{"sin"}, Rest: true},
		MapEntry{Kind: MatchSubdivision, Key: "US-CA", Datacenters: []string{"sjc", "iad"}},
		MapEntry{Kind: MatchASN, Key: "64500", Datacenters: []string{"fra"}},
		MapEntry{Kind: MatchCIDR, Key: "198.51.100.0/25", Datacenters: []string{"iad"}},
		MapEntry{Kind: MatchCIDR, Key: "198.51.100.0/24", Datacenters: []string{"sin"}},
		MapEntry{Kind: MatchCIDR, Key: "2001:db8:b::/48", Datacenters: []string{"sin"}},
	)
}

func TestMapMatch(t *testing.T) {
	m := geoMap(t)
	tests := []struct {
		addr string
		loc  geo.Location
		want string // the matching entry, as a map line; "" for none
	}{
		{"198.51.100.7", geo.Location{Country: "US", Continent: "NA"}, `cidr 198.51.100.0/25 = ["iad"]`},
		{"198.51.100.200", geo.Location{ASN: 64500}, `cidr 198.51.100.0/24 = ["sin"]`}, // CIDR beats ASN
		{"::ffff:198.51.100.7", geo.Location{}, `cidr 198.51.100.0/25 = ["iad"]`},      // IPv4-mapped matches by IPv4
		{"2001:db8:b:1::1", geo.Location{}, `cidr 2001:db8:b::/48 = ["sin"]`},
		{"192.0.2.1", geo.Location{ASN: 64500, Country: "GB", Continent: "EU"}, `asn 64500 = ["fra"]`},
		{"192.0.2.1", geo.Location{Country: "US", Continent: "NA", Subdivisions: []string{"CA"}}, `subdivision US-CA = ["sjc", "iad"]`},
		{"192.0.2.1", geo.Location{Country: "US", Continent: "NA", Subdivisions: []string{"VA"}}, `continent NA = ["iad", "sjc", "*"]`},
		{"192.0.2.1", geo.Location{Country: "GB", Continent: "EU"}, `country GB = ["fra", "ams"]`},
		{"192.0.2.1", geo.Location{Country: "DE", Continent: "EU"}, `continent EU = ["ams", "fra"]`},
		{"192.0.2.1", geo.Location{Country: "JP", Continent: "AS"}, `country JP = ["sin", "*"]`},
		{"192.0.2.1", geo.Location{Country: "BR", Continent: "SA"}, `default = ["ams", "*"]`},
		{"192.0.2.1", geo.Location{}, `default = ["ams", "*"]`},
	}
	for _, tt := range tests {
		i := m.Match(netip.MustParseAddr(tt.addr), tt.loc)
		got := ""
		if i >= 0 {
			got = m.Entry(i).String()
		}
		if got != tt.want {
			t.Errorf("Match(%s, %+v) = %s, want %s", tt.addr, tt.loc, got, tt.want)
		}
	}
	none := mustMap(t, "none", MapEntry{Kind: MatchCountry, Key: "JP", Datacenters: []string{"sin"}})
	if i := none.Match(netip.MustParseAddr("192.0.2.1"), geo.Location{Country: "DE"}); i != -1 {
		t.Errorf("no entry and no default: Match = %d, want -1", i)
	}
	var nilMap *Map
	if i := nilMap.Match(netip.MustParseAddr("192.0.2.1"), geo.Location{Country: "DE"}); i != -1 {
		t.Errorf("nil map: Match = %d", i)
	}
}

func TestNewMapRefuses(t *testing.T) {
	for _, e := range [][]MapEntry{
		{{Kind: MatchCIDR, Key: "198.51.100.1/24"}}, // host bits set
		{{Kind: MatchCIDR, Key: "198.51.100.0/33"}},
		{{Kind: MatchASN, Key: "AS-x"}},
		{{Kind: MatchCountry, Key: "JP"}, {Kind: MatchCountry, Key: "jp"}},
		{{Kind: MatchDefault}, {Kind: MatchDefault}},
		{{Key: "x"}},
	} {
		if _, err := NewMap("bad", e); err == nil {
			t.Errorf("NewMap(%+v) succeeded", e)
		}
	}
}

// mapPool is the FORMAT.md datacenters (ams, iad, sin, fra, sjc) in a pool
// with the example map.
func mapPool(t testing.TB, policy Policy) *Pool {
	fra := Datacenter{Name: "fra", Lat: 50.11, Lon: 8.68}
	sjc := Datacenter{Name: "sjc", Lat: 37.34, Lon: -121.89}
	p := &Pool{Name: "web", Policy: policy, Map: geoMap(t), Check: "web", UpFraction: 0.5}
	for i, dc := range []Datacenter{ams, iad, sin, fra, sjc} {
		p.Members = append(p.Members, Member{Datacenter: dc, Weight: 1, V4: []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)})}})
	}
	return p
}

func TestRankWithMap(t *testing.T) {
	p := mapPool(t, Nearest)
	tokyo := city(35.68, 139.69)
	tokyo.Country, tokyo.Continent = "JP", "AS"
	berlin := city(52.52, 13.40)
	berlin.Country, berlin.Continent = "DE", "EU"
	newYork := city(40.71, -74.01)
	newYork.Country, newYork.Continent = "US", "NA"
	sydney := city(-33.87, 151.21)
	sydney.Country, sydney.Continent = "AU", "OC"
	tests := []struct {
		addr string
		loc  geo.Location
		want string
	}{
		// JP = ["sin", "*"]: sin, then the rest by distance from Tokyo.
		{"192.0.2.1", tokyo, "sin / sjc ams fra iad"},
		// EU = ["ams", "fra"]: a fence; the rest follow only for display.
		{"192.0.2.1", berlin, "ams fra | iad sjc sin"},
		// NA = ["iad", "sjc", "*"].
		{"192.0.2.1", newYork, "iad sjc / ams fra sin"},
		// default = ["ams", "*"]: Sydney gets ams first, then by distance.
		{"192.0.2.1", sydney, "ams / sin sjc iad fra"},
		// CIDR beats the location.
		{"198.51.100.7", berlin, "iad | fra ams sjc sin"},
	}
	for _, tt := range tests {
		r := RankClient(netip.MustParseAddr(tt.addr), tt.loc, p)
		if got := rankNames(r, p); got != tt.want {
			t.Errorf("RankClient(%s, %s) = %s, want %s", tt.addr, tt.loc.Country, got, tt.want)
		}
	}
}

// rankNames is names with the candidate markers of Ranking.String.
func rankNames(r Ranking, p *Pool) string {
	allowed, listed := r.Candidates()
	var s []byte
	for i := range r.Len() {
		switch {
		case i > 0 && i == allowed:
			s = append(s, " | "...)
		case i > 0 && i == listed:
			s = append(s, " / "...)
		case i > 0:
			s = append(s, ' ')
		}
		s = append(s, p.Members[r.Member(i)].Datacenter.Name...)
	}
	return string(s)
}

func TestResolveWithMap(t *testing.T) {
	berlin := city(52.52, 13.40)
	berlin.Country, berlin.Continent = "DE", "EU"
	p := mapPool(t, Nearest)
	r := RankClient(netip.MustParseAddr("192.0.2.1"), berlin, p)
	// The fence: with ams and fra down, when_all_down applies (fail-open to
	// ams), never iad, sin or sjc.
	d := Resolve(p, r, Query{Health: down2(p, "ams", "fra")}, nil, nil)
	if d.Datacenter() != "ams" || d.Reason != ReasonAllDown {
		t.Errorf("EU fence all down = %s %v, want ams all-down (fail-open)", d.Datacenter(), d.Reason)
	}
	d = Resolve(p, r, Query{Health: down2(p, "ams")}, nil, nil)
	if d.Datacenter() != "fra" || d.Reason != ReasonFailover {
		t.Errorf("EU fence, ams down = %s %v, want fra failover", d.Datacenter(), d.Reason)
	}
	// Weighted draws among the listed datacenters (ams, fra) only.
	w := mapPool(t, Weighted)
	wr := RankClient(netip.MustParseAddr("192.0.2.1"), berlin, w)
	seen := map[string]bool{}
	for i := range 200 {
		seen[Resolve(w, wr, Query{Rand: uint32(nextRand(1, i))}, nil, nil).Datacenter()] = true
	}
	if !seen["ams"] || !seen["fra"] || len(seen) != 2 {
		t.Errorf("weighted with the EU entry drew %v, want ams and fra only", seen)
	}
	// JP = ["sin", "*"]: weighted takes sin while it is up, the others when
	// it is down.
	tokyo := city(35.68, 139.69)
	tokyo.Country = "JP"
	jr := RankClient(netip.MustParseAddr("192.0.2.1"), tokyo, w)
	for i := range 50 {
		if d := Resolve(w, jr, Query{Rand: uint32(i)}, nil, nil); d.Datacenter() != "sin" || d.Reason != ReasonFirst {
			t.Fatalf("weighted JP = %s %v, want sin first", d.Datacenter(), d.Reason)
		}
		if d := Resolve(w, jr, Query{Rand: uint32(i), Health: down2(w, "sin")}, nil, nil); d.Datacenter() == "sin" || d.Reason != ReasonFailover {
			t.Fatalf("weighted JP with sin down = %s %v, want another, failover", d.Datacenter(), d.Reason)
		}
	}
	// The trace names the entry and the fenced members.
	var tr Trace
	Resolve(p, r, Query{}, nil, &tr)
	if tr.Entry != `continent EU = ["ams", "fra"]` || !tr.Members[2].Fenced {
		t.Errorf("trace entry %q, member 3 fenced %v", tr.Entry, tr.Members[2].Fenced)
	}
}

// down2 is down for pools whose members have one IPv4 address each.
func down2(p *Pool, names ...string) *health.Snapshot { return down(p, names...) }

// TestTableMapProperty checks tables of pools with maps against RankClient
// for every address of small random databases with random CIDR entries:
// rankings equal, scopes uniform and widest.
func TestTableMapProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	locs := []geo.Location{
		{Country: "DE", Continent: "EU", Lat: 52.5, Lon: 13.4, HasCoordinates: true},
		{Country: "GB", Continent: "EU", Lat: 51.5, Lon: -0.1, HasCoordinates: true},
		{Country: "JP", Continent: "AS", Lat: 35.7, Lon: 139.7, HasCoordinates: true},
		{Country: "US", Continent: "NA", Subdivisions: []string{"CA"}, Lat: 37.3, Lon: -121.9, HasCoordinates: true},
		{Country: "US", Continent: "NA", Subdivisions: []string{"VA"}, Lat: 38.9, Lon: -77.4, HasCoordinates: true},
		{Country: "AU", Continent: "OC", Lat: -33.9, Lon: 151.2, HasCoordinates: true, ASN: 64500},
		{Country: "BR", Continent: "SA"},
		{},
	}
	for _, u := range []universe{universe4, universe6} {
		for i := range 80 {
			var entries []MapEntry
			for range rng.IntN(6) {
				size := rng.IntN(13)
				c := u.prefix(rng.IntN(4096)&^(1<<size-1), size)
				dup := slices.ContainsFunc(entries, func(e MapEntry) bool { return e.Key == c.String() })
				if dup {
					continue
				}
				dcs := [][]string{{"iad"}, {"sin", "ams"}, {"fra"}, {"nowhere"}}[rng.IntN(4)]
				entries = append(entries, MapEntry{Kind: MatchCIDR, Key: c.String(), Datacenters: dcs, Rest: rng.IntN(2) == 0})
			}
			entries = append(entries,
				MapEntry{Kind: MatchCountry, Key: "JP", Datacenters: []string{"sin"}, Rest: true},
				MapEntry{Kind: MatchContinent, Key: "EU", Datacenters: []string{"ams", "fra"}},
				MapEntry{Kind: MatchSubdivision, Key: "US-CA", Datacenters: []string{"sjc", "iad"}},
				MapEntry{Kind: MatchASN, Key: "64500", Datacenters: []string{"sin"}},
			)
			if i%2 == 0 {
				entries = append(entries, MapEntry{Kind: MatchDefault, Datacenters: []string{"ams"}, Rest: true})
			}
			m := mustMap(t, "rand", entries...)
			for _, policy := range []Policy{Nearest, Weighted} {
				p := mapPool(t, policy)
				p.Map = m
				nets := randomNetworks(rng, u, 1+rng.IntN(60), locs, false)
				slices.SortFunc(nets, func(a, b network) int { return a.pfx.Addr().Compare(b.pfx.Addr()) })
				checkTable(t, p, nets, u)
			}
		}
	}
}

// mapEntries returns p's map entries, for failure messages.
func mapEntries(p *Pool) []MapEntry {
	if p.Map == nil {
		return nil
	}
	return p.Map.Entries()
}

// TestContainingCIDR compares the parent-chain search with a linear scan
// over random nested and disjoint CIDRs.
func TestContainingCIDR(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for round := range 200 {
		var entries []MapEntry
		seen := map[string]bool{}
		for range 1 + rng.IntN(30) {
			size := rng.IntN(13)
			u := []universe{universe4, universe6}[round%2]
			c := u.prefix(rng.IntN(4096)&^(1<<size-1), size).String()
			if !seen[c] {
				seen[c] = true
				entries = append(entries, MapEntry{Kind: MatchCIDR, Key: c, Datacenters: []string{"ams"}})
			}
		}
		m := mustMap(t, "c", entries...)
		u := []universe{universe4, universe6}[round%2]
		for range 200 {
			size := rng.IntN(13)
			p := u.prefix(rng.IntN(4096)&^(1<<size-1), size)
			want := -1
			for i, c := range m.prefix { // m.prefix is by ascending length: the last match is the longest
				if c.Bits() <= p.Bits() && c.Contains(p.Addr()) {
					want = m.cidrs[i]
				}
			}
			if got := m.containingCIDR(p); got != want {
				t.Fatalf("containingCIDR(%s) = %d, want %d (entries %v)", p, got, want, entries)
			}
		}
	}
}

func TestEmptyFence(t *testing.T) {
	m := mustMap(t, "m", MapEntry{Kind: MatchCountry, Key: "CN", Datacenters: []string{"bej"}})
	cn := geo.Location{Country: "CN"}
	for _, tt := range []struct {
		allDown AllDown
		want    Outcome
	}{{FailOpen, NoData}, {AllDownNoData, NoData}, {AllDownServFail, ServFail}} {
		p := webPool()
		p.Map, p.WhenAllDown = m, tt.allDown
		var tr Trace
		d := Resolve(p, RankClient(netip.MustParseAddr("192.0.2.1"), cn, p), Query{}, nil, &tr)
		if d.Outcome != tt.want || d.Member != -1 || d.Reason != ReasonAllDown {
			t.Errorf("%v: %v member %d reason %v, want %v from nobody", tt.allDown, d.Outcome, d.Member, d.Reason, tt.want)
		}
		if !strings.Contains(tr.Decision, "lists none of this pool's datacenters") {
			t.Errorf("trace decision %q", tr.Decision)
		}
	}
}
