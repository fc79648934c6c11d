package dns

import (
	"bytes"
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

// TestPackAddrs checks that the replies packed by hand (packAddrs) are the
// octets miekg/dns packs: every golden case and address queries in many
// spellings, with and without EDNS and ECS, over UDP and TCP.
func TestPackAddrs(t *testing.T) {
	fast := newTestHandler(t, fakeRouter{})
	slow := newTestHandler(t, fakeRouter{})
	slow.packSlow = true
	var queries [][]byte
	for _, tc := range goldenCases {
		queries = append(queries, tc.query(t))
	}
	names := []string{
		"www.example.com.", "WWW.EXAMPLE.COM.", "wWw.ExAmPlE.cOm.", "ns1.example.com.", "mail.example.com.",
		"geo.example.com.", "GeO.example.COM.", "exists.wild.example.com.", "foo.wild.example.com.",
		"Foo.Wild.Example.Com.", "sp\\032ace.example.com.", "x.y.z.example.com.", "alias.example.com.",
		"nope.example.com.", "example.com.", "ns.sub.example.com.",
	}
	opts := [][]qopt{nil, {edns(1232, false)}, {edns(512, true)}, {ecs("198.51.100.0/24")}, {ecs("2001:db8::/48")}}
	for _, name := range names {
		for _, qtype := range []uint16{mdns.TypeA, mdns.TypeAAAA, mdns.TypeANY, mdns.TypeMX} {
			for _, o := range opts {
				queries = append(queries, query(t, name, qtype, o...))
			}
		}
	}
	outFast := make([]byte, maxTCPSize+1)
	outSlow := make([]byte, maxTCPSize+1)
	byHand := 0
	for _, msg := range queries {
		for _, src := range []string{"192.0.2.1", "198.51.100.7", "2001:db8::1"} {
			for _, tcp := range []bool{false, true} {
				a := netip.MustParseAddr(src)
				got := fast.respond(outFast, msg, a, tcp)
				want := slow.respond(outSlow, msg, a, tcp)
				if !bytes.Equal(got, want) {
					t.Fatalf("query %x from %s (tcp %t):\npacked by hand %x\nmiekg/dns      %x", msg, src, tcp, got, want)
				}
				var m mdns.Msg
				if m.Unpack(got) == nil && len(m.Answer) > 0 && len(m.Ns) == 0 {
					byHand++
				}
			}
		}
	}
	if byHand == 0 {
		t.Error("no reply was an address answer: the test covers nothing")
	}
}
