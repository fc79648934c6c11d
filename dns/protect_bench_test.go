package dns

import (
	"net/netip"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// benchmarkProtected answers msg from src repeatedly with RRL rrl and
// cookies on, on the real clock.
func benchmarkProtected(b *testing.B, msg []byte, rrl RRLConfig) {
	h := newTestHandler(b, fakeRouter{})
	h.now = time.Now
	h.setProtection(rrl, CookieConfig{Secrets: []CookieSecret{testSecret}})
	out := make([]byte, maxTCPSize+1)
	src := netip.MustParseAddr("192.0.2.1")
	h.respond(out, msg, src, false)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.respond(out, msg, src, false)
	}
}

// rrlOn limits at a rate the benchmark never reaches: every response is
// counted and passes.
var rrlOn = RRLConfig{ResponsesPerSecond: 1_000_000_000, Slip: 2}

func BenchmarkStaticARRL(b *testing.B) {
	benchmarkProtected(b, query(b, "www.example.com.", mdns.TypeA, edns(1232, false)), rrlOn)
}

// BenchmarkStaticARRLLimited: every response is limited (slip 2: half
// dropped, half truncated).
func BenchmarkStaticARRLLimited(b *testing.B) {
	benchmarkProtected(b, query(b, "www.example.com.", mdns.TypeA, edns(1232, false)), RRLConfig{ResponsesPerSecond: 1, Slip: 2})
}

// BenchmarkStaticAClientCookie: a client cookie alone, answered with a new
// server cookie (one SipHash).
func BenchmarkStaticAClientCookie(b *testing.B) {
	benchmarkProtected(b, query(b, "www.example.com.", mdns.TypeA, cookie("0123456789abcdef")), RRLConfig{})
}

// BenchmarkStaticAServerCookie: a valid server cookie, checked (one
// SipHash) and echoed.
func BenchmarkStaticAServerCookie(b *testing.B) {
	c := mustHex("0123456789abcdef")
	var sc [serverCookieLen]byte
	makeServerCookie(&sc, &testSecret, c, netip.MustParseAddr("192.0.2.1"), uint32(time.Now().Unix()))
	benchmarkProtected(b, query(b, "www.example.com.", mdns.TypeA, cookie(mustHexString(append(c, sc[:]...)))), RRLConfig{})
}

// BenchmarkStaticAServerCookieRRL: a valid server cookie with RRL on: not
// counted.
func BenchmarkStaticAServerCookieRRL(b *testing.B) {
	c := mustHex("0123456789abcdef")
	var sc [serverCookieLen]byte
	makeServerCookie(&sc, &testSecret, c, netip.MustParseAddr("192.0.2.1"), uint32(time.Now().Unix()))
	benchmarkProtected(b, query(b, "www.example.com.", mdns.TypeA, cookie(mustHexString(append(c, sc[:]...)))), rrlOn)
}

// BenchmarkParallelStaticARRL answers from every core at once with RRL on,
// from as many prefixes, to show the table's contention.
func BenchmarkParallelStaticARRL(b *testing.B) {
	h := newTestHandler(b, fakeRouter{})
	h.now = time.Now
	h.setProtection(rrlOn, CookieConfig{})
	msg := query(b, "www.example.com.", mdns.TypeA, edns(1232, false))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		out := make([]byte, maxTCPSize+1)
		var i uint32
		for pb.Next() {
			i++
			src := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), 1})
			h.respond(out, msg, src, false)
		}
	})
}
