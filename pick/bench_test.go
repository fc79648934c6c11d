package pick

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"os"
	"strconv"
	"testing"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/health"
)

func BenchmarkRank(b *testing.B) {
	p := webPool()
	b.Run("located", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Rank(frankfurt, p)
		}
	})
	b.Run("unknown", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Rank(geo.Location{}, p)
		}
	})
	big := &Pool{}
	for i := range 12 {
		big.Members = append(big.Members, Member{Datacenter: Datacenter{Name: strconv.Itoa(i), Lat: float64(i * 7), Lon: float64(i * 29)}})
	}
	b.Run("12 members", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Rank(frankfurt, big)
		}
	})
}

func BenchmarkResolve(b *testing.B) {
	p := webPool()
	snap := status("192.0.2.10=up 192.0.2.11=up 198.51.100.10=up 203.0.113.10=up 203.0.113.11=up")
	failover := status("192.0.2.10=down 192.0.2.11=down 198.51.100.10=up",
		dcOverride("sin", health.Drain, after))
	buf := make([]netip.Addr, 0, 4)
	for _, bc := range []struct {
		name string
		snap *health.Snapshot
	}{{"nearest", snap}, {"failover with overrides", failover}} {
		b.Run(bc.name, func(b *testing.B) {
			r := Rank(frankfurt, p)
			q := Query{Health: bc.snap, Now: t0}
			b.ReportAllocs()
			for b.Loop() {
				q.Rand++
				Resolve(p, r, q, buf, nil)
			}
		})
	}
	b.Run("trace", func(b *testing.B) {
		r := Rank(frankfurt, p)
		q := Query{Health: failover, Now: t0}
		var tr Trace
		b.ReportAllocs()
		for b.Loop() {
			Resolve(p, r, q, buf, &tr)
		}
	})
}

func BenchmarkTableLookup(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	nets := synthetic(rng, 200_000, 5000)
	tbl := BuildTable(seq(nets), webPool())
	b.Logf("table: %+v", tbl.Stats())
	// Clients inside random networks of the database.
	var v4, v6 []netip.Addr
	for len(v4) < 1024 || len(v6) < 1024 {
		n := nets[rng.IntN(len(nets))]
		a := n.pfx.Addr().AsSlice()
		for i := n.pfx.Bits(); i < 8*len(a); i++ {
			a[i/8] |= byte(rng.IntN(2)) << (7 - i%8)
		}
		addr, _ := netip.AddrFromSlice(a)
		if !n.pfx.Contains(addr) {
			b.Fatalf("%s not in %s", addr, n.pfx)
		}
		if addr.Is4() {
			v4 = append(v4, addr)
		} else {
			v6 = append(v6, addr)
		}
	}
	for _, bc := range []struct {
		name  string
		addrs []netip.Addr
	}{{"IPv4", v4[:1024]}, {"IPv6", v6[:1024]}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				tbl.Lookup(bc.addrs[i&1023])
				i++
			}
		})
	}
}

func BenchmarkBuildTable(b *testing.B) {
	nets := synthetic(rand.New(rand.NewPCG(5, 6)), 100_000, 5000)
	p := webPool()
	b.ReportAllocs()
	for b.Loop() {
		BuildTable(seq(nets), p)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(nets)), "ns/network")
}

// BenchmarkBuildTableLarge builds tables from a synthetic database the
// size of GeoLite2 City (4M networks; GSLB_PICK_LARGE sets another size)
// and reports the table's size.
func BenchmarkBuildTableLarge(b *testing.B) {
	n := 4_000_000
	if v, err := strconv.Atoi(os.Getenv("GSLB_PICK_LARGE")); err == nil && v > 0 {
		n = v
	}
	for _, bc := range []struct {
		dcs     int
		withMap bool
	}{{3, false}, {10, false}, {10, true}} {
		name := strconv.Itoa(bc.dcs) + "dcs"
		if bc.withMap {
			name += "+map"
		}
		b.Run(name, func(b *testing.B) {
			dcs := bc.dcs
			p := &Pool{}
			rng := rand.New(rand.NewPCG(9, uint64(dcs)))
			for i := range dcs {
				p.Members = append(p.Members, Member{Datacenter: Datacenter{Name: strconv.Itoa(i),
					Lat: rng.Float64()*120 - 50, Lon: rng.Float64()*360 - 180}})
			}
			if bc.withMap {
				p.Map = benchMap(b, rng, dcs)
			}
			// Yield networks from a generator, not a slice, so that the
			// input does not count towards the memory, as with a database walk.
			// With a map, locations get a country and a continent.
			gen := func(yield func(netip.Prefix, geo.Location) bool) {
				for pfx, loc := range syntheticSeq(rand.New(rand.NewPCG(1, 1)), n, 100_000) {
					if bc.withMap && loc.HasCoordinates {
						c := int(loc.Lat*7+loc.Lon*3) & 0x1ff
						loc.Country = countryCodes[c%len(countryCodes)]
						loc.Continent = continentCodes[c%len(continentCodes)]
					}
					if !yield(pfx, loc) {
						return
					}
				}
			}
			var tbl *Table
			for b.Loop() {
				tbl = BuildTable(gen, p)
			}
			st := tbl.Stats()
			b.ReportMetric(float64(st.Bytes)/1e6, "table-MB")
			b.ReportMetric(float64(st.Nodes4+st.Nodes6), "nodes")
			b.ReportMetric(float64(st.Rankings), "rankings")
		})
	}
}

// BenchmarkBuildTableIndexed builds tables as the server does at start:
// from a walk kept in memory with its distinct locations listed once
// (BuildTableIndexed), of the synthetic database of BuildTableLarge
// (GSLB_PICK_LARGE sets its size), for pools of 3 and 13 datacenters.
func BenchmarkBuildTableIndexed(b *testing.B) {
	n := 4_000_000
	if v, err := strconv.Atoi(os.Getenv("GSLB_PICK_LARGE")); err == nil && v > 0 {
		n = v
	}
	type listed struct {
		pfx netip.Prefix
		loc int
	}
	var nets []listed
	var locs []geo.Location
	type place struct {
		lat, lon float64
		ok       bool
	}
	index := map[place]int{} // the synthetic locations differ by coordinates only
	for pfx, loc := range syntheticSeq(rand.New(rand.NewPCG(1, 1)), n, 100_000) {
		k := place{loc.Lat, loc.Lon, loc.HasCoordinates}
		i, ok := index[k]
		if !ok {
			i = len(locs)
			index[k] = i
			locs = append(locs, loc)
		}
		nets = append(nets, listed{pfx, i})
	}
	walk := func(yield func(netip.Prefix, int) bool) {
		for _, n := range nets {
			if !yield(n.pfx, n.loc) {
				return
			}
		}
	}
	for _, dcs := range []int{3, 13} {
		b.Run(strconv.Itoa(dcs)+"dcs", func(b *testing.B) {
			p := &Pool{}
			rng := rand.New(rand.NewPCG(9, uint64(dcs)))
			for i := range dcs {
				p.Members = append(p.Members, Member{Datacenter: Datacenter{Name: strconv.Itoa(i),
					Lat: rng.Float64()*120 - 50, Lon: rng.Float64()*360 - 180}})
			}
			var tbl *Table
			for b.Loop() {
				tbl = BuildTableIndexed(walk, locs, p)
			}
			st := tbl.Stats()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(nets)), "ns/network")
			b.ReportMetric(float64(st.Bytes)/1e6, "table-MB")
		})
	}
}

var continentCodes = []string{"AF", "AS", "EU", "NA", "OC", "SA"}

// countryCodes are every two-letter code, made once: a database walk does
// not allocate a country string per network either (records are cached).
var countryCodes = func() []string {
	var out []string
	for a := byte('A'); a <= 'Z'; a++ {
		for b := byte('A'); b <= 'Z'; b++ {
			out = append(out, string([]byte{a, b}))
		}
	}
	return out
}()

// benchMap returns a map of the size operators write: a default, every
// continent, 60 countries and 200 CIDRs, over n datacenters named by number.
func benchMap(b *testing.B, rng *rand.Rand, n int) *Map {
	dc := func() string { return strconv.Itoa(rng.IntN(n)) }
	list := func() ([]string, bool) {
		a, c := dc(), dc()
		if a == c {
			return []string{a}, rng.IntN(2) == 0
		}
		return []string{a, c}, rng.IntN(2) == 0
	}
	entries := []MapEntry{{Kind: MatchDefault, Datacenters: []string{dc()}, Rest: true}}
	for _, c := range continentCodes {
		l, rest := list()
		entries = append(entries, MapEntry{Kind: MatchContinent, Key: c, Datacenters: l, Rest: rest})
	}
	seen := map[string]bool{}
	for len(seen) < 60 {
		k := string([]byte{'A' + byte(rng.IntN(26)), 'A' + byte(rng.IntN(26))})
		if seen[k] {
			continue
		}
		seen[k] = true
		l, rest := list()
		entries = append(entries, MapEntry{Kind: MatchCountry, Key: k, Datacenters: l, Rest: rest})
	}
	cidrs := map[netip.Prefix]bool{}
	for len(cidrs) < 200 {
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], uint32(1<<24+rng.Uint64N(200<<24)))
		p, _ := netip.AddrFrom4(a).Prefix(16 + rng.IntN(13))
		if cidrs[p] {
			continue
		}
		cidrs[p] = true
		l, rest := list()
		entries = append(entries, MapEntry{Kind: MatchCIDR, Key: p.String(), Datacenters: l, Rest: rest})
	}
	m, err := NewMap("bench", entries)
	if err != nil {
		b.Fatal(err)
	}
	return m
}
