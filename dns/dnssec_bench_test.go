package dns

import (
	"net/netip"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// benchmarkSigned answers a query with DO repeatedly from the signed test
// zones. With refresh set, the signer's clock moves past the refresh time
// at every query, so that every answer is signed anew (the cost of a
// cache miss); without, every answer after the first is signed from the
// cache.
func benchmarkSigned(b *testing.B, msg []byte, refresh bool) {
	now := time.Now()
	set := loadSigned(b, KeyOptions{Dir: b.TempDir(), Generate: true, Now: func() time.Time { return now }})
	h := newSignedHandler(b, set)
	out := make([]byte, maxTCPSize+1)
	src := netip.MustParseAddr("192.0.2.1")
	if h.respond(out, msg, src, false) == nil {
		b.Fatal("no reply")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if refresh {
			now = now.Add(sigRefresh)
		}
		h.respond(out, msg, src, false)
	}
}

// BenchmarkSignedGeo is a geo-routed A answer with ECS and DO from a
// signed zone: the A RRset and its RRSIG (ECDSA P-256).
func BenchmarkSignedGeo(b *testing.B) {
	msg := query(b, "www.example.test.", mdns.TypeA, edns(1232, true), ecs("198.51.100.0/24"))
	b.Run("cached", func(b *testing.B) { benchmarkSigned(b, msg, false) })
	b.Run("uncached", func(b *testing.B) { benchmarkSigned(b, msg, true) })
}

// BenchmarkSignedNXDomain is a compact-denial answer: SOA and NSEC, each
// with its RRSIG; the NSEC is signed from the cache after the first query.
func BenchmarkSignedNXDomain(b *testing.B) {
	benchmarkSigned(b, query(b, "nope.example.test.", mdns.TypeA, edns(1232, true)), false)
}

// BenchmarkSignedAdditional is the apex MX with DO: the MX RRset and, in
// the additional section, the mail server's address, each with its cached
// RRSIG.
func BenchmarkSignedAdditional(b *testing.B) {
	benchmarkSigned(b, query(b, "example.test.", mdns.TypeMX, edns(1232, true)), false)
}
