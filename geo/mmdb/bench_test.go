package mmdb

import (
	"iter"
	"net/netip"
	"os"
	"testing"

	"github.com/gslb/gslb/geo"

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

// walkDB opens the databases that the walk benchmarks read: the samples, or
// the files that GSLB_MMDB_CITY and GSLB_MMDB_ASN name (GeoLite2 City and
// ASN, say, for figures at full size).
func walkDB(b *testing.B) *DB {
	city, asn := os.Getenv("GSLB_MMDB_CITY"), os.Getenv("GSLB_MMDB_ASN")
	if city == "" {
		city, asn = sampleCity, sampleASN
	}
	return mustOpen(b, city, asn)
}

// benchmarkWalk walks seq in every iteration and reports the cost per
// network yielded.
func benchmarkWalk(b *testing.B, seq func() iter.Seq2[netip.Prefix, geo.Location]) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		for range seq() {
			n++
		}
		if n == 0 {
			b.Fatal("no networks")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/network")
	b.ReportMetric(float64(n), "networks")
}

// BenchmarkNetworks walks the City database.
func BenchmarkNetworks(b *testing.B) {
	benchmarkWalk(b, walkDB(b).Networks)
}

// BenchmarkNetworksWithASN walks the City and ASN databases together;
// compare with BenchmarkNetworks, the City database alone.
func BenchmarkNetworksWithASN(b *testing.B) {
	benchmarkWalk(b, walkDB(b).NetworksWithASN)
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}
