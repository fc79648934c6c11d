package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	mdns "github.com/miekg/dns"
)

// group is one kind of difference: a class, a field and a signature.
type group struct {
	class, field, sig string
	count             int
	variants          map[string]int // transport/variant → count
	qtypes            map[string]int
	scenarios         map[string]int
	examples          []diff
	exScen            []string
	note              string
}

type report struct {
	groups  map[string]*group
	queries int
	differ  map[string]int // class → queries with at least one difference of it
}

func newReport() *report {
	return &report{groups: map[string]*group{}, differ: map[string]int{}}
}

const maxExamples = 3

func (r *report) add(scenario string, q *query, ds []diff) {
	r.queries++
	classes := map[string]bool{}
	for _, d := range ds {
		classes[d.class] = true
		key := d.class + "\x00" + d.field + "\x00" + d.sig
		g := r.groups[key]
		if g == nil {
			g = &group{class: d.class, field: d.field, sig: d.sig, variants: map[string]int{}, qtypes: map[string]int{}, scenarios: map[string]int{}}
			g.note = noteFor(d)
			r.groups[key] = g
		}
		g.count++
		g.variants[q.transport()+"/"+q.Variant]++
		if q.Name != "" {
			g.qtypes[typeName(q.Qtype)]++
		}
		g.scenarios[scenario]++
		if len(g.examples) < maxExamples {
			g.examples = append(g.examples, d)
			g.exScen = append(g.exScen, scenario)
		}
	}
	for c := range classes {
		r.differ[c]++
	}
}

func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "\n==== gslb vs NSD and Knot: %d queries, each sent to all three ====\n", r.queries)
	for _, c := range []string{classA, classBNSD, classBKnot, classC} {
		fmt.Fprintf(w, "  %-60s %6d queries\n", classTitle[c], r.differ[c])
	}
	for _, c := range []string{classA, classBNSD, classBKnot, classC} {
		var gs []*group
		for _, g := range r.groups {
			if g.class == c {
				gs = append(gs, g)
			}
		}
		sort.Slice(gs, func(i, j int) bool {
			if fi, fj := fieldRank(gs[i].field), fieldRank(gs[j].field); fi != fj {
				return fi < fj
			}
			if gs[i].count != gs[j].count {
				return gs[i].count > gs[j].count
			}
			return gs[i].sig < gs[j].sig
		})
		fmt.Fprintf(w, "\n==== %s: %d kinds ====\n", classTitle[c], len(gs))
		for _, g := range gs {
			fmt.Fprintf(w, "\n-- [%s] %s: %s  (%d queries)\n", c, g.field, g.sig, g.count)
			if g.note != "" {
				fmt.Fprintf(w, "   note: %s\n", g.note)
			}
			fmt.Fprintf(w, "   where: %s\n", top(g.variants, 6))
			if len(g.qtypes) > 0 {
				fmt.Fprintf(w, "   qtypes: %s\n", top(g.qtypes, 8))
			}
			fmt.Fprintf(w, "   scenarios: %s\n", top(g.scenarios, 4))
			for i, d := range g.examples {
				fmt.Fprintf(w, "   e.g. [%s] %s\n", g.exScen[i], d.q)
				writeVals(w, d)
			}
		}
	}
}

func fieldRank(f string) int {
	for i, x := range fieldOrder {
		if x == f {
			return i
		}
	}
	return len(fieldOrder)
}

// writeVals prints the three values of a difference: for sections only
// the records not common to all three.
func writeVals(w io.Writer, d diff) {
	if sectionFields[d.field] || strings.HasPrefix(d.field, "case.") {
		common := map[string]int{}
		var sets [3][]string
		for i, v := range d.vals {
			sets[i] = splitLines(v)
			seen := map[string]bool{}
			for _, l := range sets[i] {
				if !seen[l] {
					common[l]++
					seen[l] = true
				}
			}
		}
		for i, name := range serverNames {
			var own []string
			for _, l := range sets[i] {
				if common[l] < 3 {
					own = append(own, l)
				}
			}
			if len(own) > 6 {
				own = append(own[:6], fmt.Sprintf("... %d more", len(own)-6))
			}
			if len(own) == 0 {
				fmt.Fprintf(w, "        %-5s (nothing beyond the common records)\n", name)
				continue
			}
			for j, l := range own {
				label := ""
				if j == 0 {
					label = name
				}
				fmt.Fprintf(w, "        %-5s %s\n", label, l)
			}
		}
		return
	}
	for i, name := range serverNames {
		v := d.vals[i]
		if v == "" {
			v = "(absent)"
		}
		fmt.Fprintf(w, "        %-5s %s\n", name, strings.ReplaceAll(v, "\n", " / "))
	}
}

func top(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var s []kv
	for k, v := range m {
		s = append(s, kv{k, v})
	}
	sort.Slice(s, func(i, j int) bool {
		if s[i].v != s[j].v {
			return s[i].v > s[j].v
		}
		return s[i].k < s[j].k
	})
	var parts []string
	for i, x := range s {
		if i == n {
			parts = append(parts, fmt.Sprintf("+%d more", len(s)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", x.k, x.v))
	}
	return strings.Join(parts, ", ")
}

// noteFor explains differences that are known: policies the RFCs leave to
// the implementation, on which NSD and Knot differ too, and gslb's
// deliberate choices. A group without a note is worth a look.
func noteFor(d diff) string {
	v, f, sig := d.q.Variant, d.field, d.sig
	malformed := map[string]bool{
		"qdcount-2": true, "qdcount-2-edns": true, "qdcount-0": true, "qdcount-0-edns": true, "bad-label-type": true,
		"pointer-in-question": true, "short-question": true, "ancount-1": true, "nscount-1": true, "arcount-a": true,
		"opt-not-root": true, "two-opt": true, "trailing-garbage": true, "update-qdcount-0": true,
	}
	switch {
	case malformed[v]:
		return "malformed query: FORMERR, no reply or an answer are all seen (RFC 1035 leaves it); gslb answers FORMERR like NSD, and echoes the question when readable like Knot"
	case strings.HasPrefix(v, "opcode-") || strings.HasPrefix(v, "notify"):
		return "opcodes other than QUERY: NSD NOTIMP/REFUSED without question or OPT, Knot NOTAUTH/NOTIMP with both; gslb NOTIMP (NOTIFY: REFUSED) with the question and the OPT (RFC 6891 7)"
	case v == "class":
		return "classes other than IN: REFUSED by all; NSD adds EDE 21 and drops the question; QCLASS ANY is answered from IN, without AA as NSD (RFC 1034)"
	case v == "metatype":
		return "meta query types (0, OPT, TKEY, TSIG, MAILA, MAILB): Knot NOTIMP, NSD and gslb look them up"
	case v == "ecs":
		return "EDNS Client Subnet: gslb and Knot (edns-client-subnet: on) echo it with scope 0 for static data; NSD does not support it"
	case strings.HasPrefix(v, "ednsv1"):
		return "BADVERS: NSD clears DO in the reply, Knot and gslb copy it (RFC 3225 3)"
	case v == "tsig-unknown-key":
		return "TSIG with an unknown key: NOTAUTH + BADKEY (RFC 8945 5.2.2) before or after the zone lookup, depending on the server"
	case strings.HasPrefix(v, "axfr") || strings.HasPrefix(v, "ixfr"):
		return "zone transfers not allowed: NSD REFUSED for a served zone, Knot NOTAUTH; both NOTAUTH for other names and NOTIMP for AXFR over UDP"
	case d.q.Qtype == mdns.TypeANY && (f == "answer" || f == "authority" || f == "additional"):
		return "ANY (RFC 8482): all three answer one RRset over UDP and TCP; NSD picks the first in zone-file order (the SOA at an apex), Knot and gslb the first by type"
	case (d.q.Qtype == mdns.TypeRRSIG || d.q.Qtype == mdns.TypeNSEC) && (f == "answer" || f == "authority" || f == "rcode" || f == "additional"):
		return "RRSIG/NSEC query at a CNAME: Knot and gslb answer at the node (they may sit beside a CNAME, RFC 2181 10.1), NSD follows the CNAME"
	case strings.Contains(sig, "~SVCB"):
		return "SVCB/HTTPS target names: NSD lower-cases them, Knot and gslb keep the zone file's case (RFC 4034 6.2 does not list SVCB)"
	case strings.HasPrefix(f, "case."):
		return "owner and RDATA name case: each server compresses different names into the question (which shows the query's 0x20 case); the names are equal ignoring case"
	case f == "size.same-records":
		return "same records, different name compression: every server compresses validly, not identically"
	case f == "size" || (f == "flag.TC" && v == "noedns") || (f == "additional" && strings.Contains(sig, "+AAAA -A")):
		return "truncation of a referral: NSD fills the packet with A glue first and leaves TC clear; Knot and gslb keep each name server's A and AAAA together and set TC when in-domain glue does not fit (RFC 9471)"
	case (f == "authority" || f == "additional") && strings.Contains(sig, "vs NSD") && (strings.Contains(sig, "-ns") || strings.Contains(sig, "-A")):
		return "NSD (minimal-responses: no) adds the zone's NS RRset and its addresses to positive answers; Knot and gslb answer minimally"
	case strings.Contains(sig, "cname") || strings.Contains(sig, "dname") || strings.Contains(sig, "soa") || f == "rcode":
		return "CNAME and DNAME chains: Knot follows at most a few links and never into another zone, NSD follows longer chains, gslb eight links through every served zone; Knot and gslb answer RRSIG/NSEC at a CNAME without following it, NSD follows (RFC 1034 4.3.2 and 6604 leave the chain length open)"
	}
	return ""
}
