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
		"nope.example.com.", "example.com.", "ns.sub.example.com.", "NoPe.ExAmPlE.cOm.", "a.b.c.d.e.f.nope.example.com.",
		"nope.example.org.", "www.example.org.", "example.org.", "sp\\032ace.nope.example.com.", ".", "nope.",
	}
	opts := [][]qopt{nil, {edns(1232, false)}, {edns(512, true)}, {ecs("198.51.100.0/24")}, {ecs("2001:db8::/48")}}
	for _, name := range names {
		for _, qtype := range []uint16{mdns.TypeA, mdns.TypeAAAA, mdns.TypeANY, mdns.TypeMX, mdns.TypeTXT} {
			for _, o := range opts {
				queries = append(queries, query(t, name, qtype, o...))
			}
		}
	}
	outFast := make([]byte, maxTCPSize+1)
	outSlow := make([]byte, maxTCPSize+1)
	byHand, negative := 0, 0
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
				if len(m.Answer) == 0 && len(m.Ns) == 1 && len(m.Extra) <= 1 && m.Ns[0].Header().Rrtype == mdns.TypeSOA {
					negative++
				}
			}
		}
	}
	if byHand == 0 || negative == 0 {
		t.Errorf("%d address answers, %d negative ones with an SOA: the test covers neither packAddrs nor packNegative", byHand, negative)
	}
}

// TestPackNegative compares packNegative with PackBuffer on negative
// replies whose SOA names share more or less with the question and with
// each other, and checks that it declines what it does not take on.
func TestPackNegative(t *testing.T) {
	tests := []struct {
		qname, owner, ns, mbox string
		byHand                 bool
	}{
		{"nope.example.com.", "example.com.", "ns1.example.com.", "hostmaster.example.com.", true},
		{"example.com.", "example.com.", "ns1.example.com.", "hostmaster.example.com.", true},
		{"a.b.example.com.", "example.com.", "ns1.example.net.", "hostmaster.example.net.", true},
		{"a.b.example.com.", "b.example.com.", "b.example.com.", "a.b.example.com.", true},
		{"x.example.org.", "example.org.", "ns.other.", "ns.other.", true},
		{"x.", ".", "a.root-servers.net.", "nstld.verisign-grs.com.", true},
		{".", ".", ".", ".", true},
		{"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.example.com.", "example.com.", "q.r.s.t.u.v.w.x.y.z.example.net.", "a.b.c.d.e.f.g.h.example.org.", false}, // more suffixes than it holds
		{"nope.example.com.", "example.com.", "ns\\.1.example.com.", "hostmaster.example.com.", false},
	}
	for _, tt := range tests {
		m := new(mdns.Msg)
		m.SetQuestion(tt.qname, mdns.TypeAAAA)
		m.Response, m.Authoritative, m.Rcode, m.Compress = true, true, mdns.RcodeNameError, true
		m.Ns = []mdns.RR{&mdns.SOA{Hdr: hdr(tt.owner, mdns.TypeSOA, 300), Ns: tt.ns, Mbox: tt.mbox,
			Serial: 2026120101, Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 300}}
		want, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		wire := make([]byte, maxNameWire+1)
		n, err := mdns.PackDomainName(tt.qname, wire, 0, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		name, lower := presentation(wire[:n])
		r := &request{qwire: wire[:n], name: name, lname: lower}
		var c compressor
		got, ok := packNegative(make([]byte, maxTCPSize), m, r, &c)
		if ok != tt.byHand {
			t.Errorf("%s (SOA %s %s %s): packed by hand %t, want %t", tt.qname, tt.owner, tt.ns, tt.mbox, ok, tt.byHand)
			continue
		}
		if ok && !bytes.Equal(got, want) {
			t.Errorf("%s (SOA %s %s %s):\npacked by hand %x\nmiekg/dns      %x", tt.qname, tt.owner, tt.ns, tt.mbox, got, want)
		}
	}
}
