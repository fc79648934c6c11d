package mmdb

import (
	"net/netip"
	"testing"

	geoip2 "github.com/oschwald/geoip2-golang/v2"
)

// BenchmarkLocate measures the query path. Run with -benchmem: after the
// first query for a record, Locate allocates nothing.
func BenchmarkLocate(b *testing.B) {
	withASN := mustOpen(b, sampleCity, sampleASN)
	cityOnly := mustOpen(b, sampleCity, "")
	var spread []netip.Addr
	for p := range cityOnly.Networks() {
		spread = append(spread, p.Addr().Next())
	}
	for _, bc := range []struct {
		name  string
		db    *DB
		addrs []netip.Addr
	}{
		{"v4-city", cityOnly, addrs("192.0.2.1")},
		{"v4-city-asn", withASN, addrs("192.0.2.1")},
		{"v6-city", cityOnly, addrs("2001:db8:1::1")},
		{"v6-city-asn", withASN, addrs("2001:db8:1::1")},
		{"6to4-city-asn", withASN, addrs("2002:c000:201::1")},
		{"miss", withASN, addrs("10.1.2.3")},
		{"spread-city", cityOnly, spread},
		{"spread-city-asn", withASN, spread},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				bc.db.Locate(bc.addrs[i%len(bc.addrs)])
				i++
			}
		})
	}
}

// BenchmarkLocateUncached measures a query whose record is not cached yet:
// a fresh Snapshot's first query, which decodes the record.
func BenchmarkLocateUncached(b *testing.B) {
	db := mustOpen(b, sampleCity, "")
	a := netip.MustParseAddr("192.0.2.1")
	res := db.Snapshot().city.Lookup(a)
	b.ReportAllocs()
	for b.Loop() {
		var rec cityRecord
		if err := res.Decode(&rec); err != nil {
			b.Fatal(err)
		}
		_ = rec.location()
	}
}

// BenchmarkGeoIP2City is the cost of the full geoip2.City decode of the same
// record, for comparison with BenchmarkLocateUncached.
func BenchmarkGeoIP2City(b *testing.B) {
	r, err := geoip2.Open(sampleCity)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	a := netip.MustParseAddr("192.0.2.1")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.City(a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNetworks walks the whole sample City database.
func BenchmarkNetworks(b *testing.B) {
	db := mustOpen(b, sampleCity, "")
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for range db.Networks() {
			n++
		}
		if n == 0 {
			b.Fatal("no networks")
		}
	}
}

// BenchmarkNetworksWithASN walks the sample City and ASN databases
// together; compare with BenchmarkNetworks, the City database alone.
func BenchmarkNetworksWithASN(b *testing.B) {
	db := mustOpen(b, sampleCity, sampleASN)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for range db.NetworksWithASN() {
			n++
		}
		if n == 0 {
			b.Fatal("no networks")
		}
	}
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}
