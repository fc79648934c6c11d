package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	mdns "github.com/miekg/dns"
)

// query is one packet sent, identically, to every server.
type query struct {
	Name    string // the question's name as sent (0x20 case), or "" for raw packets without one
	Qtype   uint16
	Qclass  uint16
	TCP     bool
	Variant string // what is special about the packet ("edns", "noedns", "do", "opcode-notify", ...)
	Wire    []byte
	NoReply bool // no server is expected to answer (QR set)
}

func (q *query) transport() string {
	if q.TCP {
		return "tcp"
	}
	return "udp"
}

// String describes the query in one line.
func (q *query) String() string {
	if q.Name == "" {
		return fmt.Sprintf("%s %s (raw %x)", q.transport(), q.Variant, q.Wire)
	}
	class := ""
	if q.Qclass != mdns.ClassINET {
		class = mdns.Class(q.Qclass).String() + " "
	}
	return fmt.Sprintf("%s %s%s %s/%s", q.Name, class, typeName(q.Qtype), q.transport(), q.Variant)
}

func typeName(t uint16) string {
	if s, ok := mdns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

// baseTypes are asked of every name, over UDP with and without EDNS and
// over TCP.
var baseTypes = []uint16{
	mdns.TypeA, mdns.TypeAAAA, mdns.TypeNS, mdns.TypeSOA, mdns.TypeMX, mdns.TypeTXT,
	mdns.TypeCNAME, mdns.TypeDNAME, mdns.TypeDS, mdns.TypeSRV, mdns.TypeCAA, mdns.TypePTR,
	mdns.TypeANY, 65534, mdns.TypeHTTPS, mdns.TypeRRSIG, mdns.TypeNSEC, mdns.TypeDNSKEY,
}

// metaTypes are unusual query types asked of a few names.
var metaTypes = []uint16{0, mdns.TypeOPT, mdns.TypeTKEY, mdns.TypeTSIG, mdns.TypeMAILB, mdns.TypeMAILA, 65535, mdns.TypeNULL, 65280, mdns.TypeNSEC3PARAM, mdns.TypeNXT}

// names returns the names to ask about: every owner, a child of each, the
// expansions of wildcards, names below DNAMEs and delegations, names
// outside every zone.
func names(zs []*zone) []string {
	set := map[string]bool{}
	add := func(n string) {
		if _, ok := mdns.IsDomainName(n); ok && len(n) < 250 {
			set[n] = true
		}
	}
	for _, z := range zs {
		add(z.Origin)
		add("nx-q." + z.Origin)
		for _, o := range z.Owners {
			add(o)
			add("q1x." + o)
			if strings.HasPrefix(o, "*.") {
				add("w1" + o[1:])
				add("a.b" + o[1:])
			}
			// the parents of owners (empty non-terminals)
			for p := parent(o); p != "" && strings.HasSuffix(p, z.Origin); p = parent(p) {
				add(p)
			}
		}
	}
	// outside every zone
	for _, n := range []string{".", "example.", "net.", "www.example.net.", "nothing.invalid."} {
		if !served(zs, n) {
			set[n] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func served(zs []*zone, n string) bool {
	for _, z := range zs {
		if mdns.IsSubDomain(z.Origin, n) {
			return true
		}
	}
	return false
}

func parent(n string) string {
	labels := mdns.SplitDomainName(n)
	if len(labels) <= 1 {
		return ""
	}
	i, _ := mdns.NextLabel(n, 0)
	return n[i:]
}

// gen builds queries with random 0x20 case from a seeded source, so that
// every run sends the same packets.
type gen struct {
	rng *rand.Rand
	id  uint16
	out []*query
}

func newGen(seed uint64) *gen {
	return &gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// mix applies random 0x20 case to the letters of name (escapes kept).
func (g *gen) mix(name string) string {
	b := []byte(name)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' {
			if i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '9' {
				i += 3
			} else {
				i++
			}
			continue
		}
		if 'a' <= c && c <= 'z' && g.rng.IntN(2) == 0 {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

type opt func(m *mdns.Msg)

func withEDNS(size uint16, do bool) opt {
	return func(m *mdns.Msg) { m.SetEdns0(size, do) }
}

func withOption(o mdns.EDNS0) opt {
	return func(m *mdns.Msg) {
		if m.IsEdns0() == nil {
			m.SetEdns0(1232, false)
		}
		e := m.IsEdns0()
		e.Option = append(e.Option, o)
	}
}

func withRD(m *mdns.Msg) { m.RecursionDesired = true }

// msg packs a query; edit, if not nil, changes its wire form.
func (g *gen) add(variant, name string, qtype, qclass uint16, tcp bool, edit func([]byte) []byte, opts ...opt) *query {
	g.id++
	m := new(mdns.Msg)
	m.Id = g.id
	m.Opcode = mdns.OpcodeQuery
	sent := g.mix(name)
	m.Question = []mdns.Question{{Name: sent, Qtype: qtype, Qclass: qclass}}
	for _, o := range opts {
		o(m)
	}
	wire, err := m.Pack()
	if err != nil {
		panic(fmt.Sprintf("pack %s %d: %v", name, qtype, err))
	}
	if edit != nil {
		wire = edit(wire)
	}
	q := &query{Name: sent, Qtype: qtype, Qclass: qclass, TCP: tcp, Variant: variant, Wire: wire}
	g.out = append(g.out, q)
	return q
}

func setFlags(b []byte, set uint16) []byte {
	binary.BigEndian.PutUint16(b[2:], binary.BigEndian.Uint16(b[2:])|set)
	return b
}

func setCount(b []byte, i int, n uint16) []byte {
	binary.BigEndian.PutUint16(b[4+2*i:], n)
	return b
}

// build returns every query of a scenario: the base matrix (every name ×
// baseTypes × {UDP, UDP+EDNS, TCP+EDNS}) and the special cases on the
// sample names.
func build(zs []*zone, seed uint64) []*query {
	g := newGen(seed)
	all := names(zs)
	for _, n := range all {
		for _, t := range baseTypes {
			g.add("noedns", n, t, mdns.ClassINET, false, nil, withRD)
			g.add("edns", n, t, mdns.ClassINET, false, nil, withEDNS(1232, false))
			g.add("edns", n, t, mdns.ClassINET, true, nil, withEDNS(1232, false))
		}
	}
	// CHAOS identity: every server is configured with the same NSID
	// (identity) and version.
	for _, n := range []string{"id.server.", "hostname.bind.", "version.bind.", "version.server.", "authors.bind.", "nope.bind."} {
		g.add("chaos", n, mdns.TypeTXT, mdns.ClassCHAOS, false, nil)
		g.add("chaos", n, mdns.TypeTXT, mdns.ClassCHAOS, true, nil, withEDNS(1232, false))
		g.add("chaos", n, mdns.TypeA, mdns.ClassCHAOS, false, nil, withEDNS(1232, false))
	}
	samples := sampleNames(zs, all)
	for _, n := range samples {
		for _, t := range []uint16{mdns.TypeA, mdns.TypeMX, mdns.TypeTXT, mdns.TypeANY, mdns.TypeNS} {
			g.add("noedns", n, t, mdns.ClassINET, true, nil)
			g.add("edns512", n, t, mdns.ClassINET, false, nil, withEDNS(512, false))
			g.add("edns4096", n, t, mdns.ClassINET, false, nil, withEDNS(4096, false))
			g.add("edns100", n, t, mdns.ClassINET, false, nil, withEDNS(100, false))
			g.add("do", n, t, mdns.ClassINET, false, nil, withEDNS(1232, true))
			g.add("do", n, t, mdns.ClassINET, true, nil, withEDNS(1232, true))
		}
		for _, t := range metaTypes {
			g.add("metatype", n, t, mdns.ClassINET, false, nil, withEDNS(1232, false))
		}
		g.add("nsid", n, mdns.TypeA, mdns.ClassINET, false, nil, withOption(&mdns.EDNS0_NSID{Code: mdns.EDNS0NSID}))
		g.add("nsid-nonempty", n, mdns.TypeA, mdns.ClassINET, false, nil, withOption(&mdns.EDNS0_NSID{Code: mdns.EDNS0NSID, Nsid: "0102"}))
		g.add("ednsv1", n, mdns.TypeA, mdns.ClassINET, false, nil, withEDNS(1232, false), func(m *mdns.Msg) { m.IsEdns0().SetVersion(1) })
		g.add("ednsv1-do", n, mdns.TypeA, mdns.ClassINET, true, nil, withEDNS(1232, true), func(m *mdns.Msg) { m.IsEdns0().SetVersion(1) })
		g.add("edns-unknown-option", n, mdns.TypeA, mdns.ClassINET, false, nil, withOption(&mdns.EDNS0_LOCAL{Code: 65001, Data: []byte{1, 2, 3}}))
		g.add("edns-z-flags", n, mdns.TypeA, mdns.ClassINET, false, nil, withEDNS(1232, false), func(m *mdns.Msg) { m.IsEdns0().SetZ(0x1234) })
		g.add("edns-cookie", n, mdns.TypeA, mdns.ClassINET, false, nil, withOption(&mdns.EDNS0_COOKIE{Code: mdns.EDNS0COOKIE, Cookie: "0102030405060708"}))
		g.add("ecs", n, mdns.TypeA, mdns.ClassINET, false, nil, withOption(&mdns.EDNS0_SUBNET{Code: mdns.EDNS0SUBNET, Family: 1, SourceNetmask: 24, Address: []byte{192, 0, 2, 0}}))
		g.add("rd-cd-ad", n, mdns.TypeA, mdns.ClassINET, false, nil, withEDNS(1232, false), func(m *mdns.Msg) {
			m.RecursionDesired, m.CheckingDisabled, m.AuthenticatedData = true, true, true
		})
		g.add("cd", n, mdns.TypeA, mdns.ClassINET, false, nil, func(m *mdns.Msg) { m.CheckingDisabled = true })
		g.add("ad", n, mdns.TypeA, mdns.ClassINET, false, nil, func(m *mdns.Msg) { m.AuthenticatedData = true })
		g.add("aa-tc-ra-z", n, mdns.TypeA, mdns.ClassINET, false, nil, func(m *mdns.Msg) {
			m.Authoritative, m.Truncated, m.RecursionAvailable, m.Zero = true, true, true, true
		})
		for _, c := range []uint16{mdns.ClassCHAOS, mdns.ClassANY, mdns.ClassNONE, mdns.ClassHESIOD, 2} {
			g.add("class", n, mdns.TypeA, c, false, nil, withEDNS(1232, false))
		}
		g.add("class", n, mdns.TypeSOA, mdns.ClassANY, true, nil)
		for _, op := range []int{mdns.OpcodeIQuery, mdns.OpcodeStatus, 3, mdns.OpcodeNotify, mdns.OpcodeUpdate, 6, 15} {
			v := "opcode-" + strings.ToLower(opcodeName(op))
			g.add(v, n, mdns.TypeSOA, mdns.ClassINET, false, nil, func(m *mdns.Msg) { m.Opcode = op })
			g.add(v+"-edns", n, mdns.TypeSOA, mdns.ClassINET, true, nil, withEDNS(1232, false), func(m *mdns.Msg) { m.Opcode = op })
		}
		g.add("notify-aa-soa", n, mdns.TypeSOA, mdns.ClassINET, false, nil, func(m *mdns.Msg) {
			m.Opcode, m.Authoritative = mdns.OpcodeNotify, true
			if soa := soaOf(zs, n); soa != nil {
				m.Answer = []mdns.RR{soa}
			}
		})
		for _, tcp := range []bool{false, true} {
			g.add("axfr", n, mdns.TypeAXFR, mdns.ClassINET, tcp, nil)
			g.add("ixfr", n, mdns.TypeIXFR, mdns.ClassINET, tcp, nil)
			g.add("ixfr-with-soa", n, mdns.TypeIXFR, mdns.ClassINET, tcp, nil, func(m *mdns.Msg) {
				if soa := soaOf(zs, n); soa != nil {
					m.Ns = []mdns.RR{soa}
				}
			})
		}
		g.add("tsig-unknown-key", n, mdns.TypeA, mdns.ClassINET, false, nil, func(m *mdns.Msg) {
			m.SetTsig("nokey.", mdns.HmacSHA256, 300, 1700000000)
			m.Extra[len(m.Extra)-1].(*mdns.TSIG).MAC = strings.Repeat("ab", 32)
			m.Extra[len(m.Extra)-1].(*mdns.TSIG).MACSize = 32
			m.Extra[len(m.Extra)-1].(*mdns.TSIG).OrigId = m.Id
		})
		g.add("trailing-garbage", n, mdns.TypeA, mdns.ClassINET, false, func(b []byte) []byte { return append(b, 0xde, 0xad) })
		g.add("qr-set", n, mdns.TypeA, mdns.ClassINET, false, func(b []byte) []byte { return setFlags(b, 1<<15) }).NoReply = true
		g.add("qdcount-2", n, mdns.TypeA, mdns.ClassINET, false, func(b []byte) []byte { return setCount(append(b, b[12:]...), 0, 2) })
		g.add("qdcount-2-edns", n, mdns.TypeA, mdns.ClassINET, true, nil, withEDNS(1232, false), func(m *mdns.Msg) {
			m.Question = append(m.Question, mdns.Question{Name: "www.example.", Qtype: mdns.TypeA, Qclass: mdns.ClassINET})
		})
		g.add("ancount-1", n, mdns.TypeA, mdns.ClassINET, false, nil, func(m *mdns.Msg) {
			rr, _ := mdns.NewRR(n + " 0 IN A 192.0.2.1")
			m.Answer = []mdns.RR{rr}
		})
		g.add("nscount-1", n, mdns.TypeA, mdns.ClassINET, false, nil, func(m *mdns.Msg) {
			rr, _ := mdns.NewRR(n + " 0 IN A 192.0.2.1")
			m.Ns = []mdns.RR{rr}
		})
		g.add("arcount-a", n, mdns.TypeA, mdns.ClassINET, false, nil, func(m *mdns.Msg) {
			rr, _ := mdns.NewRR(n + " 0 IN A 192.0.2.1")
			m.Extra = []mdns.RR{rr}
		})
		g.add("two-opt", n, mdns.TypeA, mdns.ClassINET, false, func(b []byte) []byte {
			return setCount(append(b, b[len(b)-11:]...), 3, 2)
		}, withEDNS(1232, false))
		g.add("opt-not-root", n, mdns.TypeA, mdns.ClassINET, false, func(b []byte) []byte {
			return setCount(append(b, 1, 'x', 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0), 3, 1)
		})
	}
	// Raw packets without a readable question.
	for _, tcp := range []bool{false, true} {
		g.id++
		hdr := []byte{byte(g.id >> 8), byte(g.id), 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0}
		g.out = append(g.out, &query{TCP: tcp, Variant: "qdcount-0", Wire: hdr})
		g.id++
		hdr2 := []byte{byte(g.id >> 8), byte(g.id), 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0}
		g.out = append(g.out, &query{TCP: tcp, Variant: "qdcount-0-edns", Wire: hdr2})
		g.id++
		hdr3 := []byte{byte(g.id >> 8), byte(g.id), 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w'}
		g.out = append(g.out, &query{TCP: tcp, Variant: "short-question", Wire: hdr3})
		g.id++
		hdr4 := []byte{byte(g.id >> 8), byte(g.id), 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1}
		g.out = append(g.out, &query{TCP: tcp, Variant: "pointer-in-question", Wire: hdr4})
		g.id++
		hdr5 := []byte{byte(g.id >> 8), byte(g.id), 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 'x', 0, 0, 1, 0, 1}
		g.out = append(g.out, &query{TCP: tcp, Variant: "bad-label-type", Wire: hdr5})
		g.id++
		hdr6 := []byte{byte(g.id >> 8), byte(g.id), 0x28, 0x00, 0, 0, 0, 0, 0, 0, 0, 0}
		g.out = append(g.out, &query{TCP: tcp, Variant: "update-qdcount-0", Wire: hdr6})
	}
	return g.out
}

func opcodeName(op int) string {
	if s, ok := mdns.OpcodeToString[op]; ok {
		return s
	}
	return fmt.Sprintf("op%d", op)
}

// soaOf returns the SOA of the zone that holds n, if any.
func soaOf(zs []*zone, n string) mdns.RR {
	var best *zone
	for _, z := range zs {
		if mdns.IsSubDomain(z.Origin, n) && (best == nil || len(z.Origin) > len(best.Origin)) {
			best = z
		}
	}
	if best == nil {
		return nil
	}
	return mdns.Copy(best.SOA)
}

// sampleNames picks the names the special cases are asked of: each zone's
// apex and a nonexistent name, plus one name per construct of the rich
// zone when it is loaded, and one name outside every zone.
func sampleNames(zs []*zone, all []string) []string {
	want := map[string]bool{"www.example.net.": true}
	for _, z := range zs {
		want[z.Origin] = true
		want["nx-q."+z.Origin] = true
		for _, p := range []string{"www.", "alias.", "c1.", "foo.wild.", "www.sub.", "sub.", "big.", "huge.", "manyaddr.", "manymx.", "www.legacy.", "x.ent.wild."} {
			want[p+z.Origin] = true
		}
	}
	var out []string
	for _, n := range all {
		if want[n] {
			out = append(out, n)
		}
	}
	return out
}
