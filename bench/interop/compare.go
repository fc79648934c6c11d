package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	mdns "github.com/miekg/dns"
)

// view is a reply broken into the fields that are compared, each rendered
// as a string: equal strings mean equal fields.
type view struct {
	fields map[string]string
	lines  map[string][]string // the lines of the section fields, for examples
	tc     bool
}

// Section fields are compared as sets of records, owners and names in
// rdata case-insensitively; their case is compared apart (case.*).
var sectionFields = map[string]bool{"answer": true, "authority": true, "additional": true}

// fieldOrder is the order fields are reported in.
var fieldOrder = []string{
	"reply", "id", "opcode", "rcode", "flag.AA", "flag.TC", "flag.RD", "flag.RA", "flag.AD", "flag.CD", "flag.Z",
	"question", "answer", "answer.order", "authority", "authority.order", "additional", "tsig",
	"opt", "opt.nsid", "opt.ecs", "opt.other", "size", "size.same-records",
	"case.answer", "case.authority", "case.additional",
}

// nameTypes are the types whose rdata holds only names and numbers, so
// that it can be compared in lower case.
var nameTypes = map[uint16]bool{
	mdns.TypeCNAME: true, mdns.TypeNS: true, mdns.TypeMX: true, mdns.TypeSRV: true, mdns.TypeDNAME: true,
	mdns.TypePTR: true, mdns.TypeSOA: true, mdns.TypeRP: true,
}

func rrLine(rr mdns.RR, fold bool) string {
	s := rr.String()
	if !fold {
		return s
	}
	h := rr.Header()
	if nameTypes[h.Rrtype] {
		return strings.ToLower(s)
	}
	// lower-case the owner only
	return strings.ToLower(h.Name) + s[len(h.Name):]
}

func extract(q *query, r reply) view {
	v := view{fields: map[string]string{}, lines: map[string][]string{}}
	f := v.fields
	switch {
	case r.Err != "":
		f["reply"] = "error: " + r.Err
		return v
	case r.Wire == nil:
		f["reply"] = "no reply"
		return v
	}
	m := new(mdns.Msg)
	if err := m.Unpack(r.Wire); err != nil {
		f["reply"] = "unparsable reply: " + err.Error()
		// the header may still be comparable
		if len(r.Wire) >= 12 {
			f["rcode"] = mdns.RcodeToString[int(r.Wire[3]&0xF)]
		}
		return v
	}
	f["reply"] = "reply"
	if m.Id != binary.BigEndian.Uint16(q.Wire) {
		f["id"] = "different ID"
	}
	f["opcode"] = opcodeName(m.Opcode)
	if !m.Response {
		f["reply"] = "reply without QR"
	}
	rcode := m.Rcode
	f["rcode"] = rcodeName(rcode)
	flag := func(name string, b bool) {
		if b {
			f["flag."+name] = "1"
		} else {
			f["flag."+name] = "0"
		}
	}
	flag("AA", m.Authoritative)
	flag("TC", m.Truncated)
	flag("RD", m.RecursionDesired)
	flag("RA", m.RecursionAvailable)
	flag("AD", m.AuthenticatedData)
	flag("CD", m.CheckingDisabled)
	flag("Z", m.Zero)
	v.tc = m.Truncated
	var qs []string
	for _, x := range m.Question {
		qs = append(qs, fmt.Sprintf("%s %s %s", x.Name, mdns.Class(x.Qclass), typeName(x.Qtype)))
	}
	if len(qs) == 0 {
		f["question"] = "(none)"
	} else {
		f["question"] = strings.Join(qs, " | ")
	}
	var extra []mdns.RR
	for _, rr := range m.Extra {
		switch rr.Header().Rrtype {
		case mdns.TypeOPT:
		case mdns.TypeTSIG:
			t := rr.(*mdns.TSIG)
			f["tsig"] = fmt.Sprintf("TSIG %s error=%s mac=%d octets", t.Algorithm, rcodeName(int(t.Error)), t.MACSize)
		default:
			extra = append(extra, rr)
		}
	}
	for _, sec := range []struct {
		name string
		rrs  []mdns.RR
	}{{"answer", m.Answer}, {"authority", m.Ns}, {"additional", extra}} {
		var folded, exact []string
		for _, rr := range sec.rrs {
			folded = append(folded, rrLine(rr, true))
			exact = append(exact, rrLine(rr, false))
		}
		sort.Strings(folded)
		sort.Strings(exact)
		f[sec.name] = strings.Join(folded, "\n")
		v.lines[sec.name] = folded
		f["case."+sec.name] = strings.Join(exact, "\n")
		if sec.name != "additional" {
			f[sec.name+".order"] = rrsetOrder(sec.rrs)
		}
	}
	if o := m.IsEdns0(); o != nil {
		f["opt"] = fmt.Sprintf("v%d udp=%d do=%t z=%#x", o.Version(), o.UDPSize(), o.Do(), o.Z())
		var other []string
		for _, e := range o.Option {
			switch e := e.(type) {
			case *mdns.EDNS0_NSID:
				b, _ := hex.DecodeString(e.Nsid)
				f["opt.nsid"] = fmt.Sprintf("%q", b)
			case *mdns.EDNS0_SUBNET:
				f["opt.ecs"] = e.String()
			default:
				other = append(other, fmt.Sprintf("%d:%s", e.Option(), e.String()))
			}
		}
		f["opt.other"] = strings.Join(other, " ")
	} else {
		f["opt"] = "none"
	}
	f["size"] = fmt.Sprintf("%d octets", len(r.Wire))
	f["size.same-records"] = f["size"]
	return v
}

func rcodeName(rc int) string {
	if rc == mdns.RcodeBadVers {
		return "BADVERS"
	}
	if s, ok := mdns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// rrsetOrder is the sequence of RRsets (owner/type) in a section, which
// matters for CNAME chains.
func rrsetOrder(rrs []mdns.RR) string {
	var seq []string
	for _, rr := range rrs {
		k := strings.ToLower(rr.Header().Name) + "/" + typeName(rr.Header().Rrtype)
		if len(seq) == 0 || seq[len(seq)-1] != k {
			seq = append(seq, k)
		}
	}
	return strings.Join(seq, " ")
}

// Classes of a difference.
const (
	classA     = "a"      // gslb differs from both NSD and Knot, which agree
	classBNSD  = "b-nsd"  // gslb matches NSD, differs from Knot
	classBKnot = "b-knot" // gslb matches Knot, differs from NSD
	classC     = "c"      // all three differ
)

var classTitle = map[string]string{
	classA:     "(a) gslb differs from both NSD and Knot, which agree: most likely a gslb bug",
	classBNSD:  "(b) gslb matches NSD, differs from Knot",
	classBKnot: "(b) gslb matches Knot, differs from NSD",
	classC:     "(c) all three differ",
}

// diff is one field of one query on which gslb differs from a peer.
type diff struct {
	class, field, sig string
	q                 *query
	vals              [3]string
}

// compare returns the differences of one query's replies.
func compare(q *query, rs []reply) []diff {
	var vs [3]view
	for i := range vs {
		vs[i] = extract(q, rs[i])
	}
	anyTC := vs[0].tc || vs[1].tc || vs[2].tc
	// Sizes are compared for truncated replies, and for replies that hold
	// the same records: there a difference is one of name compression.
	same := true
	for _, f := range []string{"question", "answer", "authority", "additional", "opt", "opt.nsid", "opt.ecs", "opt.other", "tsig", "case.answer", "case.authority", "case.additional"} {
		if vs[0].fields[f] != vs[1].fields[f] || vs[0].fields[f] != vs[2].fields[f] {
			same = false
		}
	}
	var out []diff
	for _, field := range fieldOrder {
		if (field == "size" && !anyTC) || (field == "size.same-records" && (anyTC || !same)) {
			continue
		}
		if base, ok := strings.CutPrefix(field, "case."); ok {
			// case only matters where the sections agree otherwise
			if vs[0].fields[base] != vs[1].fields[base] || vs[0].fields[base] != vs[2].fields[base] {
				continue
			}
		}
		if base, ok := strings.CutSuffix(field, ".order"); ok {
			if vs[0].fields[base] != vs[1].fields[base] || vs[0].fields[base] != vs[2].fields[base] {
				continue // reported as a set difference already
			}
		}
		g, n, k := vs[0].fields[field], vs[1].fields[field], vs[2].fields[field]
		if g == n && g == k {
			continue
		}
		d := diff{field: field, q: q, vals: [3]string{g, n, k}}
		switch {
		case n == k:
			d.class = classA
			d.sig = signature(field, g, n, "peers")
		case g == n:
			d.class = classBNSD
			d.sig = signature(field, g, k, "Knot")
		case g == k:
			d.class = classBKnot
			d.sig = signature(field, g, n, "NSD")
		default:
			d.class = classC
			d.sig = signature(field, g, n, "NSD") + "; " + signature(field, g, k, "Knot")
		}
		out = append(out, d)
	}
	return out
}

// signature summarises how gslb's value of a field differs from a peer's,
// without the query's names, so that like differences group together.
func signature(field, g, p, peer string) string {
	if sectionFields[field] || strings.HasPrefix(field, "case.") {
		gl, pl := splitLines(g), splitLines(p)
		return "vs " + peer + ": " + setDiffSig(gl, pl)
	}
	if strings.HasPrefix(field, "size") {
		return "sizes differ vs " + peer
	}
	if field == "question" {
		return fmt.Sprintf("gslb %s, %s %s", questionShape(g), peer, questionShape(p))
	}
	return fmt.Sprintf("gslb=%s %s=%s", short(g), peer, short(p))
}

func questionShape(s string) string {
	switch {
	case s == "":
		return "(no reply)"
	case s == "(none)":
		return "no question"
	case strings.Contains(s, " | "):
		return "several questions"
	default:
		return "the question"
	}
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// setDiffSig describes the records gslb has more (+TYPE), less (-TYPE)
// or different (~TYPE: same owner and type, other TTL or rdata).
func setDiffSig(g, p []string) string {
	gs, ps := map[string]bool{}, map[string]bool{}
	for _, l := range g {
		gs[l] = true
	}
	for _, l := range p {
		ps[l] = true
	}
	plus, minus := map[string]bool{}, map[string]bool{}
	for l := range gs {
		if !ps[l] {
			plus[ownerType(l)] = true
		}
	}
	for l := range ps {
		if !gs[l] {
			minus[ownerType(l)] = true
		}
	}
	tokens := map[string]bool{}
	for k := range plus {
		t := k[strings.LastIndex(k, "/")+1:]
		if minus[k] {
			tokens["~"+t] = true
		} else {
			tokens["+"+t] = true
		}
	}
	for k := range minus {
		if !plus[k] {
			tokens["-"+k[strings.LastIndex(k, "/")+1:]] = true
		}
	}
	var out []string
	for t := range tokens {
		out = append(out, t)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "same records"
	}
	return strings.Join(out, " ")
}

// ownerType returns "owner/TYPE" of a record line.
func ownerType(l string) string {
	f := strings.Fields(l)
	if len(f) < 4 {
		return l
	}
	return strings.ToLower(f[0]) + "/" + f[3]
}

func short(s string) string {
	if s == "" {
		s = "(absent)"
	}
	s = strings.ReplaceAll(s, "\n", " / ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}
