package zones_test

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/zones"
)

// bigZoneFile returns a zone file of n records like bench/scale's big
// zone: apex NS and glue, then one record per owner, six in ten A, two
// AAAA, one TXT and one MX.
func bigZoneFile(n int) []byte {
	var b strings.Builder
	b.WriteString("origin = \"big.test.\"\nrecords = [\n  \"@ NS ns1\",\n  \"ns1 A 192.0.2.53\",\n")
	for i := range n - 2 {
		var r string
		switch i % 10 {
		case 6, 7:
			r = fmt.Sprintf("h%d AAAA 2001:db8::%x:%x", i, i>>16, i&0xffff)
		case 8:
			r = fmt.Sprintf(`h%d TXT "v=scale %d"`, i, i)
		case 9:
			r = fmt.Sprintf("h%d MX 10 mx%d.example.net.", i, i%100)
		default:
			r = fmt.Sprintf("h%d A 10.%d.%d.%d", i, i>>16&0xff, i>>8&0xff, i&0xff)
		}
		b.WriteString("  " + strconv.Quote(r) + ",\n")
	}
	b.WriteString("]\n\n[soa]\nserial = 1\n")
	return []byte(b.String())
}

// BenchmarkCompile100k compiles a zone file of 100,000 records: the
// loader's time and allocations per record (make bench-scale measures
// the whole server on 1,000,000).
func BenchmarkCompile100k(b *testing.B) {
	const n = 100_000
	src := bigZoneFile(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := zones.CompileZone("big.toml", src, nil, dns.ParseRecord); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/record")
	b.StopTimer()
	b.ReportMetric(float64(retained(func() any {
		z, _ := zones.CompileZone("big.toml", src, nil, dns.ParseRecord)
		return z
	}))/n, "retained-B/record")
}

// retained returns the bytes of heap that what build returns keeps alive.
func retained(build func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return after.HeapAlloc - before.HeapAlloc
}
