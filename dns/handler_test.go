package dns

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/dns/golden")

// goldenCase is one query through the handler, compared with
// testdata/dns/golden/NAME.golden.
type goldenCase struct {
	name   string
	query  func(t testing.TB) []byte
	tcp    bool
	src    string // the packet's source address; default 192.0.2.1
	router Router // default fakeRouter{}; noRouter for none
	// anonymous runs the case on a handler without NSID and version.
	anonymous bool
}

// noRouter marks a case run without a Router.
type noRouterT struct{ fakeRouter }

var noRouter Router = noRouterT{}

func q(name string, qtype uint16, opts ...qopt) func(testing.TB) []byte {
	return func(t testing.TB) []byte { return query(t, name, qtype, opts...) }
}

// raw builds a query and then edits its wire form.
func raw(base func(testing.TB) []byte, edit func([]byte) []byte) func(testing.TB) []byte {
	return func(t testing.TB) []byte { return edit(base(t)) }
}

var goldenCases = []goldenCase{
	// Static data.
	{name: "static-a", query: q("www.example.com.", mdns.TypeA)},
	{name: "static-aaaa", query: q("www.example.com.", mdns.TypeAAAA, edns(1232, false))},
	{name: "mx-additional", query: q("example.com.", mdns.TypeMX, edns(1232, false))},
	{name: "txt", query: q("example.com.", mdns.TypeTXT, edns(1232, false))},
	{name: "apex-ns-glue", query: q("example.com.", mdns.TypeNS, edns(1232, false))},
	{name: "soa", query: q("example.com.", mdns.TypeSOA, edns(1232, false))},
	{name: "nxdomain", query: q("nope.example.com.", mdns.TypeA, edns(1232, false))},
	{name: "nodata", query: q("www.example.com.", mdns.TypeTXT, edns(1232, false))},
	{name: "nodata-other-zone-ttl", query: q("host.example.org.", mdns.TypeMX, edns(1232, false))},

	// CNAME.
	{name: "cname", query: q("alias.example.com.", mdns.TypeA)},
	{name: "cname-chain", query: q("chain.example.com.", mdns.TypeA)},
	{name: "cname-across-zones", query: q("toorg.example.com.", mdns.TypeA)},
	{name: "cname-out-of-zones", query: q("out.example.com.", mdns.TypeA)},
	{name: "cname-dangling", query: q("dangling.example.com.", mdns.TypeA)},
	{name: "cname-loop", query: q("loop1.example.com.", mdns.TypeA)},
	{name: "qtype-cname", query: q("alias.example.com.", mdns.TypeCNAME)},
	{name: "dname", query: q("www.Legacy.example.com.", mdns.TypeA)},
	{name: "dname-nxdomain", query: q("nope.legacy.example.com.", mdns.TypeA)},
	{name: "dname-itself", query: q("legacy.example.com.", mdns.TypeDNAME)},
	{name: "dname-qtype-cname", query: q("www.legacy.example.com.", mdns.TypeCNAME)},
	{name: "dname-into-itself", query: q("x.selfdn.example.com.", mdns.TypeA, edns(1232, false))},
	{name: "dname-yxdomain", query: q(strings.Repeat("a", 63)+"."+strings.Repeat("b", 63)+"."+strings.Repeat("c", 63)+"."+strings.Repeat("d", 40)+".lg.example.com.", mdns.TypeA, edns(1232, false))},

	// Wildcards and empty non-terminals (RFC 4592).
	{name: "wildcard", query: q("foo.wild.example.com.", mdns.TypeA)},
	{name: "wildcard-deep", query: q("a.b.c.wild.example.com.", mdns.TypeTXT)},
	{name: "wildcard-0x20", query: q("FoO.wIlD.example.COM.", mdns.TypeA)},
	{name: "wildcard-mx-additional", query: q("mxwild.example.com.", mdns.TypeMX)},
	{name: "wildcard-nodata", query: q("foo.wild.example.com.", mdns.TypeMX, edns(1232, false))},
	{name: "wildcard-blocked-by-name", query: q("exists.wild.example.com.", mdns.TypeTXT)},
	{name: "wildcard-blocked-by-ent", query: q("x.ent.wild.example.com.", mdns.TypeA)},
	{name: "ent-nodata", query: q("ent.wild.example.com.", mdns.TypeA)},
	{name: "ent-nodata-2", query: q("y.z.example.com.", mdns.TypeA)},

	// Delegations.
	{name: "referral", query: q("www.sub.example.com.", mdns.TypeA, edns(1232, false))},
	{name: "referral-at-cut", query: q("sub.example.com.", mdns.TypeNS)},
	{name: "referral-below-cut", query: q("a.b.sub.example.com.", mdns.TypeAAAA)},
	{name: "referral-no-glue", query: q("nods.example.com.", mdns.TypeA)},
	{name: "ds-at-cut", query: q("sub.example.com.", mdns.TypeDS, edns(1232, true))},
	{name: "ds-at-cut-none", query: q("nods.example.com.", mdns.TypeDS)},
	{name: "referral-glue-truncated", query: q("www.bigsub.example.com.", mdns.TypeA)},
	{name: "referral-glue-edns", query: q("www.bigsub.example.com.", mdns.TypeA, edns(1232, false))},

	// Outside the zones; case.
	{name: "refused-out-of-zone", query: q("www.example.net.", mdns.TypeA, edns(1232, false))},
	{name: "refused-root", query: q(".", mdns.TypeNS)},
	{name: "case-0x20", query: q("WwW.ExAmPlE.CoM.", mdns.TypeA)},
	{name: "case-0x20-nxdomain", query: q("NoPe.ExAmPlE.CoM.", mdns.TypeA)},
	{name: "case-0x20-cname-chain", query: q("cHaIn.ExAmPlE.cOm.", mdns.TypeA)},
	{name: "case-0x20-referral", query: q("WWW.Sub.Example.COM.", mdns.TypeA)},
	{name: "case-rdata-lowered", query: q("mixed.example.com.", mdns.TypeCNAME)},
	{name: "escaped-owner", query: q(`sp\ ace.example.com.`, mdns.TypeA)},
	{name: "srv-additional", query: q("_sip._tcp.example.com.", mdns.TypeSRV)},
	{name: "rrsig-at-cname", query: q("alias.example.com.", mdns.TypeRRSIG)},

	// EDNS.
	{name: "edns-echo-do", query: q("www.example.com.", mdns.TypeA, edns(4096, true))},
	{name: "edns-small-size", query: q("big.example.com.", mdns.TypeTXT, edns(100, false))},
	{name: "edns-badvers", query: q("www.example.com.", mdns.TypeA, func(m *mdns.Msg) {
		m.SetEdns0(1232, false)
		m.IsEdns0().SetVersion(1)
	})},
	{name: "edns-nsid", query: q("www.example.com.", mdns.TypeA, nsid())},
	{name: "edns-nsid-nonempty", query: q("www.example.com.", mdns.TypeA, withOption(&mdns.EDNS0_NSID{Code: mdns.EDNS0NSID, Nsid: "0102"}))},
	{name: "edns-unknown-option", query: q("www.example.com.", mdns.TypeA, withOption(&mdns.EDNS0_LOCAL{Code: 65001, Data: []byte{1, 2, 3}}))},

	// DNS Cookies (RFC 7873, RFC 9018): the handler's secret and clock
	// are those of RFC 9018 A.1, whose server cookie the first case gets.
	{name: "cookie-client-only", src: "198.51.100.100", query: q("www.example.com.", mdns.TypeA, cookie("2464c4abcf10c957"))},
	{name: "cookie-valid-echoed", src: "198.51.100.100", query: q("www.example.com.", mdns.TypeA, cookie("2464c4abcf10c957010000005cf79f111f8130c3eee29480"))},
	{name: "cookie-other-address", src: "198.51.100.101", query: q("www.example.com.", mdns.TypeA, cookie("2464c4abcf10c957010000005cf79f111f8130c3eee29480"))},
	{name: "cookie-renewed-after-half-an-hour", src: "198.51.100.100", query: q("www.example.com.", mdns.TypeA, madeCookie("2464c4abcf10c957", "198.51.100.100", testSecret, -31*time.Minute))},
	{name: "cookie-stale-badcookie", src: "198.51.100.100", query: q("www.example.com.", mdns.TypeA, madeCookie("2464c4abcf10c957", "198.51.100.100", testSecret, -61*time.Minute))},
	{name: "cookie-stale-tcp-answered", tcp: true, src: "198.51.100.100", query: q("www.example.com.", mdns.TypeA, madeCookie("2464c4abcf10c957", "198.51.100.100", testSecret, -61*time.Minute))},
	{name: "cookie-ahead-badcookie", src: "198.51.100.100", query: q("www.example.com.", mdns.TypeA, madeCookie("2464c4abcf10c957", "198.51.100.100", testSecret, 6*time.Minute))},
	{name: "cookie-other-secret", src: "198.51.100.100", query: q("www.example.com.", mdns.TypeA, madeCookie("2464c4abcf10c957", "198.51.100.100", CookieSecret{1}, 0))},
	{name: "cookie-other-format", src: "198.51.100.100", query: q("www.example.com.", mdns.TypeA, cookie("2464c4abcf10c9570102030405060708"))},
	{name: "cookie-nxdomain", query: q("nope.example.com.", mdns.TypeA, cookie("0102030405060708"))},
	{name: "cookie-short-formerr", query: q("www.example.com.", mdns.TypeA, cookie("01020304050607"))},
	{name: "cookie-server-short-formerr", query: q("www.example.com.", mdns.TypeA, cookie("01020304050607080102030405060708ff"[:30]))},
	{name: "cookie-long-formerr", query: q("www.example.com.", mdns.TypeA, cookie(strings.Repeat("ab", 41)))},
	{name: "cookie-longest", query: q("www.example.com.", mdns.TypeA, cookie(strings.Repeat("ab", 40)))},
	{name: "cookie-empty-formerr", query: q("www.example.com.", mdns.TypeA, cookie(""))},

	// ANY (RFC 8482).
	{name: "any-udp", query: q("example.com.", mdns.TypeANY, edns(1232, false))},
	{name: "any-tcp", query: q("example.com.", mdns.TypeANY, edns(1232, false)), tcp: true},
	{name: "any-nxdomain", query: q("nope.example.com.", mdns.TypeANY)},
	{name: "any-mx-additional", query: q("manymx.example.com.", mdns.TypeANY), tcp: true},
	{name: "any-cname", query: q("alias.example.com.", mdns.TypeANY)},
	{name: "any-below-dname", query: q("www.legacy.example.com.", mdns.TypeANY)},

	// Truncation.
	{name: "truncated-udp", query: q("big.example.com.", mdns.TypeTXT)},
	{name: "truncated-udp-edns", query: q("big.example.com.", mdns.TypeTXT, edns(1232, false))},
	{name: "truncated-tcp-full", query: q("big.example.com.", mdns.TypeTXT, edns(1232, false)), tcp: true},
	{name: "additional-dropped", query: q("manymx.example.com.", mdns.TypeMX, edns(512, false), nsid())},
	{name: "additional-all-tcp", query: q("manymx.example.com.", mdns.TypeMX), tcp: true},

	// Header and opcode errors.
	{name: "formerr-qdcount-0", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte { return setCount(b[:12], 0, 0) })},
	{name: "formerr-qdcount-0-edns", query: raw(q("www.example.com.", mdns.TypeA, edns(1232, false)), func(b []byte) []byte {
		return setCount(append(b[:12], b[len(b)-11:]...), 0, 0)
	})},
	{name: "formerr-qdcount-2", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte {
		return setCount(append(b, b[12:]...), 0, 2)
	})},
	{name: "formerr-short-question", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte { return b[:len(b)-3] })},
	{name: "no-reply-short-question-tcp", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte { return b[:len(b)-3] }), tcp: true},
	{name: "formerr-pointer-in-question", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte {
		return append(b[:12], 0xC0, 12, 0, 1, 0, 1)
	})},
	{name: "formerr-bad-label-type", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte { b[12] = 0x43; return b })},
	{name: "formerr-answer-in-query", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte {
		rr := []byte{0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4}
		return setCount(append(b, rr...), 1, 1)
	})},
	{name: "formerr-two-opt", query: raw(q("www.example.com.", mdns.TypeA, edns(1232, false)), func(b []byte) []byte {
		opt := b[len(b)-11:]
		return setCount(append(b, opt...), 3, 2)
	})},
	{name: "formerr-opt-not-root", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte {
		opt := []byte{1, 'x', 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0}
		return setCount(append(b, opt...), 3, 1)
	})},
	{name: "formerr-opt-option-overrun", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte {
		opt := []byte{0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 6, 0, 3, 0, 9, 1, 2}
		return setCount(append(b, opt...), 3, 1)
	})},
	{name: "formerr-truncated-additional", query: raw(q("www.example.com.", mdns.TypeA, edns(1232, false)), func(b []byte) []byte { return b[:len(b)-2] })},
	{name: "notimp-opcode-update", query: raw(q("example.com.", mdns.TypeSOA), func(b []byte) []byte { return setFlags(b, 5<<11) })},
	{name: "notimp-opcode-status", query: raw(q("example.com.", mdns.TypeSOA), func(b []byte) []byte { return setFlags(b, 2<<11|flagRD) })},
	{name: "refused-notify", query: raw(q("example.com.", mdns.TypeSOA), func(b []byte) []byte { return setFlags(b, 4<<11|flagAA) })},
	{name: "refused-notify-edns", query: raw(q("example.com.", mdns.TypeSOA, edns(1232, false)), func(b []byte) []byte { return setFlags(b, 4<<11|flagAA) })},
	{name: "notimp-opcode-status-edns", query: raw(q("example.com.", mdns.TypeSOA, edns(1232, false)), func(b []byte) []byte { return setFlags(b, 2<<11) })},
	{name: "refused-class-chaos", query: q("version.bind.", mdns.TypeTXT, chaosClass), anonymous: true},

	// CHAOS identity (as NSD and Knot answer it): the NSID and version
	// when configured, REFUSED otherwise.
	{name: "chaos-id-server", query: q("id.server.", mdns.TypeTXT, chaosClass)},
	{name: "chaos-hostname-bind", query: q("hostname.bind.", mdns.TypeTXT, chaosClass, edns(1232, false))},
	{name: "chaos-version-bind", query: q("version.bind.", mdns.TypeTXT, chaosClass)},
	{name: "chaos-version-server", query: q("version.server.", mdns.TypeTXT, chaosClass, edns(1232, false))},
	{name: "chaos-id-server-any", query: q("id.server.", mdns.TypeANY, chaosClass)},
	{name: "chaos-id-server-0x20", query: q("ID.Server.", mdns.TypeTXT, chaosClass)},
	{name: "chaos-id-server-nsid", query: q("id.server.", mdns.TypeTXT, chaosClass, nsid())},
	{name: "chaos-id-server-tcp", query: q("id.server.", mdns.TypeTXT, chaosClass), tcp: true},
	{name: "refused-chaos-id-server-a", query: q("id.server.", mdns.TypeA, chaosClass)},
	{name: "refused-chaos-authors-bind", query: q("authors.bind.", mdns.TypeTXT, chaosClass)},
	{name: "refused-chaos-id-server-unset", query: q("id.server.", mdns.TypeTXT, chaosClass), anonymous: true},
	{name: "refused-chaos-in-class", query: q("id.server.", mdns.TypeTXT, edns(1232, false))},
	{name: "class-any", query: q("www.example.com.", mdns.TypeA, func(m *mdns.Msg) { m.Question[0].Qclass = mdns.ClassANY })},
	{name: "class-any-nxdomain", query: q("nope.example.com.", mdns.TypeA, func(m *mdns.Msg) { m.Question[0].Qclass = mdns.ClassANY })},
	{name: "refused-class-none", query: q("www.example.com.", mdns.TypeA, func(m *mdns.Msg) { m.Question[0].Qclass = mdns.ClassNONE })},
	{name: "refused-axfr", query: q("example.com.", mdns.TypeAXFR), tcp: true},
	{name: "refused-ixfr", query: q("example.com.", mdns.TypeIXFR, edns(1232, false))},
	{name: "notimp-axfr-udp", query: q("example.com.", mdns.TypeAXFR)},
	{name: "notauth-axfr-not-apex", query: q("www.example.com.", mdns.TypeAXFR), tcp: true},
	{name: "notauth-ixfr-out-of-zone", query: q("www.example.net.", mdns.TypeIXFR)},
	{name: "notauth-tsig-unknown-key", query: q("www.example.com.", mdns.TypeA, edns(1232, false), tsig())},
	{name: "formerr-tsig-not-last", query: raw(q("www.example.com.", mdns.TypeA, tsig()), func(b []byte) []byte {
		opt := []byte{0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0}
		return setCount(append(b, opt...), 3, 2)
	})},
	{name: "no-reply-qr-set", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte { return setFlags(b, flagQR) })},
	{name: "no-reply-short", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte { return b[:11] })},
	{name: "query-flags-ignored", query: raw(q("www.example.com.", mdns.TypeA), func(b []byte) []byte {
		return setFlags(b, flagAA|flagTC|1<<7|1<<6|1<<5|1<<4|3) // AA TC RA Z AD CD, rcode 3
	})},

	// EDNS Client Subnet (RFC 7871).
	{name: "ecs-static-scope-0", query: q("www.example.com.", mdns.TypeA, ecs("203.0.113.0/24"))},
	{name: "ecs-v6", query: q("www.example.com.", mdns.TypeAAAA, ecs("2001:db8:1234::/56"))},
	{name: "ecs-odd-prefix", query: q("www.example.com.", mdns.TypeA, ecs("203.0.112.0/21"))},
	{name: "ecs-source-0", query: q("www.example.com.", mdns.TypeA, ecs("0.0.0.0/0"))},
	{name: "ecs-family-0-dig", query: q("www.example.com.", mdns.TypeA, ecsRaw(0, 0, 0, 0))},
	{name: "ecs-nxdomain", query: q("nope.example.com.", mdns.TypeA, ecs("203.0.113.0/24"))},
	{name: "ecs-refused", query: q("www.example.net.", mdns.TypeA, ecs("203.0.113.0/24"))},
	{name: "ecs-bad-family", query: q("www.example.com.", mdns.TypeA, ecsRaw(0, 3, 8, 0, 10))},
	{name: "ecs-family-0-with-prefix", query: q("www.example.com.", mdns.TypeA, ecsRaw(0, 0, 8, 0, 10))},
	{name: "ecs-v4-prefix-33", query: q("www.example.com.", mdns.TypeA, ecsRaw(0, 1, 33, 0, 1, 2, 3, 4, 5))},
	{name: "ecs-v6-prefix-129", query: q("www.example.com.", mdns.TypeA, ecsRaw(append([]byte{0, 2, 129, 0}, make([]byte, 17)...)...))},
	{name: "ecs-address-too-long", query: q("www.example.com.", mdns.TypeA, ecsRaw(0, 1, 24, 0, 203, 0, 113, 0))},
	{name: "ecs-address-too-short", query: q("www.example.com.", mdns.TypeA, ecsRaw(0, 1, 24, 0, 203, 0))},
	{name: "ecs-bits-beyond-prefix", query: q("www.example.com.", mdns.TypeA, ecsRaw(0, 1, 21, 0, 203, 0, 113))},
	{name: "ecs-scope-in-query", query: q("www.example.com.", mdns.TypeA, ecsRaw(0, 1, 24, 16, 203, 0, 113))},
	{name: "ecs-option-too-short", query: q("www.example.com.", mdns.TypeA, ecsRaw(0, 1, 0))},
	{name: "ecs-twice", query: q("www.example.com.", mdns.TypeA, ecs("203.0.113.0/24"), ecs("203.0.113.0/24"))},

	// Geo-routed names through the Router.
	{name: "gslb-a", query: q("geo.example.com.", mdns.TypeA)},
	{name: "gslb-aaaa-ecs", query: q("geo.example.com.", mdns.TypeAAAA, ecs("2001:db8:77::/48"))},
	{name: "gslb-a-ecs-located", query: q("geo.example.com.", mdns.TypeA, ecs("198.51.100.0/24"))},
	{name: "gslb-a-source-located", query: q("geo.example.com.", mdns.TypeA, edns(1232, false)), src: "198.51.100.77"},
	{name: "gslb-ecs-source-0", query: q("geo.example.com.", mdns.TypeA, ecs("0.0.0.0/0")), src: "198.51.100.77"},
	{name: "gslb-no-family", query: q("geo.example.com.", mdns.TypeAAAA), src: "198.51.100.77"},
	{name: "gslb-cname-chain", query: q("togeo.example.com.", mdns.TypeA, ecs("203.0.113.0/24"))},
	{name: "gslb-nodata", query: q("geo.example.com.", mdns.TypeMX, ecs("203.0.113.0/24"))},
	{name: "gslb-cname", query: q("geo.example.com.", mdns.TypeTXT), src: "192.0.2.99"},
	{name: "gslb-any-tcp", query: q("geo.example.com.", mdns.TypeANY), tcp: true},
	{name: "gslb-any-udp", query: q("geo.example.com.", mdns.TypeANY)},
	{name: "gslb-0x20", query: q("GeO.example.com.", mdns.TypeA)},
	{name: "gslb-no-router", query: q("geo.example.com.", mdns.TypeA, ecs("203.0.113.0/24")), router: noRouter},
}

func TestGolden(t *testing.T) {
	type handlerKey struct {
		router    Router
		anonymous bool
	}
	handlers := map[handlerKey]*handler{
		{fakeRouter{}, false}: newTestHandler(t, fakeRouter{}),
		{noRouter, false}:     newTestHandler(t, nil),
		{fakeRouter{}, true}:  newAnonymousHandler(t),
	}
	seen := map[string]bool{}
	out := make([]byte, maxTCPSize+1)
	for _, tc := range goldenCases {
		if seen[tc.name] {
			t.Fatalf("duplicate case %s", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			router := tc.router
			if router == nil {
				router = fakeRouter{}
			}
			h := handlers[handlerKey{router, tc.anonymous}]
			src := netip.MustParseAddr("192.0.2.1")
			if tc.src != "" {
				src = netip.MustParseAddr(tc.src)
			}
			msg := tc.query(t)
			reply := h.respond(out, msg, src, tc.tcp)
			got := render(t, msg, reply, src, tc.tcp)
			checkReply(t, h, msg, reply, tc.tcp)

			file := filepath.Join("..", "testdata", "dns", "golden", tc.name+".golden")
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test ./dns -update)", err)
			}
			if got != string(want) {
				t.Errorf("reply differs from %s:\n--- got\n%s--- want\n%s", file, got, want)
			}
		})
	}
	if *update {
		// Remove golden files of cases that no longer exist.
		files, _ := filepath.Glob(filepath.Join("..", "testdata", "dns", "golden", "*.golden"))
		for _, f := range files {
			if !seen[strings.TrimSuffix(filepath.Base(f), ".golden")] {
				os.Remove(f)
			}
		}
	}
}

// render describes the query and its reply in dig's format.
func render(t *testing.T, msg, reply []byte, src netip.Addr, tcp bool) string {
	t.Helper()
	var b strings.Builder
	transport := "udp"
	if tcp {
		transport = "tcp"
	}
	fmt.Fprintf(&b, ";; query over %s from %s, %d octets: %s\n", transport, src, len(msg), describeQuery(msg))
	if reply == nil {
		b.WriteString(";; no reply\n")
		return b.String()
	}
	m := new(mdns.Msg)
	if err := m.Unpack(reply); err != nil {
		t.Fatalf("reply does not unpack: %v\n%x", err, reply)
	}
	rcode := mdns.RcodeToString[m.Rcode]
	if m.Rcode == mdns.RcodeBadVers {
		rcode = "BADVERS"
	}
	fmt.Fprintf(&b, ";; reply: %d octets, rcode %s\n", len(reply), rcode)
	b.WriteString(m.String())
	return b.String()
}

// describeQuery summarises a query's wire form, which may be malformed.
func describeQuery(msg []byte) string {
	m := new(mdns.Msg)
	if err := m.Unpack(msg); err != nil || len(m.Question) != 1 {
		return fmt.Sprintf("(raw) %x", msg)
	}
	qq := m.Question[0]
	s := fmt.Sprintf("%s %s %s", qq.Name, mdns.Class(qq.Qclass), mdns.Type(qq.Qtype))
	if opt := m.IsEdns0(); opt != nil {
		s += fmt.Sprintf(" edns(v%d udp=%d do=%t", opt.Version(), opt.UDPSize(), opt.Do())
		for _, o := range opt.Option {
			s += fmt.Sprintf(" %s", o)
		}
		s += ")"
	}
	if m.Opcode != mdns.OpcodeQuery || m.Response || len(msg) < 12 {
		s = fmt.Sprintf("(raw) %x", msg)
	}
	return s
}

// checkReply asserts what holds for every reply (every query gets one, but
// over TCP one whose question is cut short): the query's ID, QR set,
// RA and Z clear, the size limit of the transport, and an OPT record
// exactly when the query had a well-formed one.
func checkReply(t *testing.T, h *handler, msg, reply []byte, tcp bool) {
	t.Helper()
	if reply == nil {
		if len(msg) >= 12 && binary.BigEndian.Uint16(msg[2:])&flagQR == 0 && !(tcp && questionCut(msg)) {
			t.Errorf("no reply to a query")
		}
		return
	}
	m := new(mdns.Msg)
	if err := m.Unpack(reply); err != nil {
		t.Fatalf("reply does not unpack: %v", err)
	}
	if m.Id != binary.BigEndian.Uint16(msg) || !m.Response || m.RecursionAvailable || m.Zero {
		t.Errorf("header id=%#x qr=%t ra=%t z=%t, want id=%#x qr ra=false z=false", m.Id, m.Response, m.RecursionAvailable, m.Zero, binary.BigEndian.Uint16(msg))
	}
	r := request{lim: h.limits.Load()}
	r.parseHeader(msg)
	limit := h.limit(&r, tcp)
	qm := new(mdns.Msg)
	if qm.Unpack(msg) == nil && qm.IsEdns0() != nil {
		r.edns, r.udpSize = true, max(qm.IsEdns0().UDPSize(), 512)
		limit = h.limit(&r, tcp)
	}
	if len(reply) > limit {
		t.Errorf("reply of %d octets over the limit of %d", len(reply), limit)
	}
	if m.Rcode != mdns.RcodeFormatError && qm.IsEdns0() != nil && m.IsEdns0() == nil {
		t.Errorf("query with OPT, reply without")
	}
	if len(m.Question) == 1 {
		end, ok := nameEnd(msg, headerLen, false)
		if ok && end+4 <= len(msg) && (len(reply) < end+4 || !bytes.Equal(reply[headerLen:end+4], msg[headerLen:end+4])) {
			t.Errorf("question not echoed octet for octet")
		}
	}
}

// panicRouter panics on every query.
type panicRouter struct{}

func (panicRouter) Route(*zones.Name, pick.Family, netip.Addr, int, *pick.Decision) {
	panic("router bug")
}

// TestPanicRecovered checks that a panic while answering is answered
// SERVFAIL with the question, logged once with the panic, and counted.
func TestPanicRecovered(t *testing.T) {
	var logs bytes.Buffer
	set := loadZones(t)
	cfg := Config{
		Zones:  ZonesFunc(func() *zones.Set { return set }),
		Router: panicRouter{},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	}.withDefaults()
	h := newHandler(&cfg, new(counters))
	msg := query(t, "geo.example.com.", mdns.TypeA, edns(1232, false))
	reply := h.respond(make([]byte, maxTCPSize+1), msg, netip.MustParseAddr("192.0.2.1"), false)
	m := new(mdns.Msg)
	if err := m.Unpack(reply); err != nil {
		t.Fatal(err)
	}
	if m.Rcode != mdns.RcodeServerFailure || len(m.Question) != 1 || m.IsEdns0() == nil || m.Id != testID {
		t.Errorf("reply to a panicking query:\n%s", m)
	}
	if !strings.Contains(logs.String(), "router bug") || !strings.Contains(logs.String(), "component=dns") || strings.Count(logs.String(), "\n") != 1 {
		t.Errorf("log = %q, want one line with the panic", logs.String())
	}
	if st := h.stats.snapshot(); st.Panics != 1 || st.ServFail != 1 || requests(st)["udp/4/A"] != 1 {
		t.Errorf("stats = %+v, want 1 panic, 1 SERVFAIL, 1 request", st)
	}
	// The handler still answers afterwards.
	reply = h.respond(make([]byte, maxTCPSize+1), query(t, "www.example.com.", mdns.TypeA), netip.MustParseAddr("192.0.2.1"), false)
	if err := m.Unpack(reply); err != nil || m.Rcode != mdns.RcodeSuccess || len(m.Answer) != 2 {
		t.Errorf("answer after a panic: %v\n%s", err, m)
	}
}

// TestZeroConfig checks that a handler without zones refuses everything.
func TestZeroConfig(t *testing.T) {
	cfg := Config{}.withDefaults()
	h := newHandler(&cfg, new(counters))
	reply := h.respond(make([]byte, maxTCPSize+1), query(t, "www.example.com.", mdns.TypeA), netip.MustParseAddr("192.0.2.1"), true)
	m := new(mdns.Msg)
	if err := m.Unpack(reply); err != nil || m.Rcode != mdns.RcodeRefused || m.Authoritative {
		t.Errorf("reply without zones: %v\n%s", err, m)
	}
}

// TestSharedRecordsUnchanged answers wildcard and 0x20 queries, which
// copy records, and checks that the zone's records kept their owners.
func TestSharedRecordsUnchanged(t *testing.T) {
	h := newTestHandler(t, fakeRouter{})
	out := make([]byte, maxTCPSize+1)
	for _, name := range []string{"x.wild.example.com.", "WWW.example.com.", "a.b.wild.example.com."} {
		h.respond(out, query(t, name, mdns.TypeA), netip.MustParseAddr("192.0.2.1"), false)
	}
	set := h.zones.Zones()
	var a zones.Answer
	set.Lookup("www.example.com.", mdns.TypeA, &a)
	for _, rr := range a.Answer {
		if got := rr.Data.(mdns.RR).Header().Name; got != "www.example.com." {
			t.Errorf("shared record's owner became %q", got)
		}
	}
	a.Reset()
	set.Lookup("x.wild.example.com.", mdns.TypeA, &a)
	for _, rr := range a.Answer {
		if got := rr.Data.(mdns.RR).Header().Name; got != "*.wild.example.com." {
			t.Errorf("wildcard record's owner became %q", got)
		}
	}
}
