package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
)

// signedFiles are the zones of the signed scenario: gslb signs them online
// with generated keys, Knot with its online signing module
// (mod-onlinesign), which also answers negative answers with NSEC "black
// lies". NSD has no online signing and sits this one out.
var signedFiles = []string{
	"testdata/dnssec/zones/example.test.toml",
	"testdata/dnssec/zones/other.test.toml",
	"testdata/dnssec/zones/gen.test.toml",
}

// signedTypes are asked of every name of the signed scenario, with DO.
var signedTypes = []uint16{
	mdns.TypeA, mdns.TypeAAAA, mdns.TypeNS, mdns.TypeSOA, mdns.TypeMX, mdns.TypeTXT,
	mdns.TypeCNAME, mdns.TypeDS, mdns.TypeDNSKEY, mdns.TypeANY, mdns.TypeNSEC,
}

// signedView is what the signed comparison looks at in a reply: the rcode
// and AA, and per section the RRsets (owner/TYPE), which of them are signed
// and the NSEC type bitmaps. Signatures, keys and TTLs differ by nature.
type signedView struct {
	Rcode, AA                    string
	Answer, AnswerSigned         string
	Authority, AuthoritySigned   string
	Additional, AdditionalSigned string
	NSEC                         string
}

func viewSigned(r reply) signedView {
	if r.Wire == nil {
		return signedView{Rcode: "no reply " + r.Err}
	}
	m := new(mdns.Msg)
	if err := m.Unpack(r.Wire); err != nil {
		return signedView{Rcode: "unpack: " + err.Error()}
	}
	v := signedView{Rcode: mdns.RcodeToString[m.Rcode], AA: fmt.Sprint(m.Authoritative)}
	var nsec []string
	section := func(rrs []mdns.RR) (sets, signed string) {
		s, g := map[string]bool{}, map[string]bool{}
		for _, rr := range rrs {
			h := rr.Header()
			name := strings.ToLower(h.Name)
			switch x := rr.(type) {
			case *mdns.RRSIG:
				g[name+"/"+typeName(x.TypeCovered)] = true
				continue
			case *mdns.NSEC:
				var types []string
				for _, t := range x.TypeBitMap {
					types = append(types, typeName(t))
				}
				nsec = append(nsec, name+" "+strings.ToLower(x.NextDomain)+" "+strings.Join(types, " "))
			}
			s[name+"/"+typeName(h.Rrtype)] = true
		}
		return joinKeys(s), joinKeys(g)
	}
	v.Answer, v.AnswerSigned = section(m.Answer)
	v.Authority, v.AuthoritySigned = section(m.Ns)
	var extra []mdns.RR
	for _, rr := range m.Extra {
		if rr.Header().Rrtype != mdns.TypeOPT {
			extra = append(extra, rr)
		}
	}
	v.Additional, v.AdditionalSigned = section(extra)
	sort.Strings(nsec)
	v.NSEC = strings.Join(nsec, "; ")
	return v
}

func joinKeys(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// runSigned serves the signed zones with gslb and Knot, asks both every
// name × signedTypes with DO over UDP (4096 octets) and reports where
// their replies differ in the fields of signedView.
func runSigned(w io.Writer, root, work string, bins map[string]string, workers int, timeout time.Duration, stopAll func(), track func(*server)) error {
	var zs []*zone
	for _, f := range signedFiles {
		z, err := convert(filepath.Join(root, f))
		if err != nil {
			return err
		}
		zs = append(zs, z)
	}
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	var srvs []*server
	for i, name := range []string{"gslb", "knot"} {
		s, err := startServer(name, bins[name], filepath.Join(work, "signed", name), ports[i], zs, true)
		if err != nil {
			return err
		}
		track(s)
		srvs = append(srvs, s)
	}
	for _, s := range srvs {
		if err := s.ready(zs, 15*time.Second); err != nil {
			return err
		}
	}
	g := newGen(1)
	for _, n := range names(zs) {
		if !served(zs, n) {
			continue
		}
		for _, t := range signedTypes {
			q := g.add("do", n, t, mdns.ClassINET, false, nil, withEDNS(4096, true))
			q.Name = n // no 0x20 case: not what this comparison is about
		}
	}
	for _, q := range g.out { // the queries in lower case
		m := new(mdns.Msg)
		if err := m.Unpack(q.Wire); err == nil {
			m.Question[0].Name = strings.ToLower(m.Question[0].Name)
			q.Wire, _ = m.Pack()
		}
	}
	replies := runQueries(g.out, srvs, workers, timeout)
	stopAll()

	type diffKey struct{ field, gslb, knot string }
	diffs := map[diffKey][]string{}
	same := 0
	fields := []string{"rcode", "aa", "answer", "answer signed", "authority", "authority signed", "additional", "additional signed", "nsec"}
	for i, q := range g.out {
		a, b := viewSigned(replies[i][0]), viewSigned(replies[i][1])
		av := []string{a.Rcode, a.AA, a.Answer, a.AnswerSigned, a.Authority, a.AuthoritySigned, a.Additional, a.AdditionalSigned, a.NSEC}
		bv := []string{b.Rcode, b.AA, b.Answer, b.AnswerSigned, b.Authority, b.AuthoritySigned, b.Additional, b.AdditionalSigned, b.NSEC}
		differs := false
		for j, f := range fields {
			if av[j] != bv[j] {
				differs = true
				k := diffKey{f, generalize(av[j], q.Name), generalize(bv[j], q.Name)}
				diffs[k] = append(diffs[k], q.Name+" "+typeName(q.Qtype))
			}
		}
		if !differs {
			same++
		}
	}
	fmt.Fprintf(w, "\n== signed: gslb vs Knot mod-onlinesign (DO, UDP 4096) ==\n")
	fmt.Fprintf(w, "%d queries: %d replies alike in rcode, AA, the RRsets of every section, which of them are signed, NSEC bitmaps; %d differ\n",
		len(g.out), same, len(g.out)-same)
	fmt.Fprint(w, `Known differences, by design:
  - NSEC bitmaps of names that do not exist: gslb's is RFC 9824's (NXNAME RRSIG NSEC);
    Knot 3.2's onlinesign predates it and lists the types not asked for instead.
  - NSEC bitmaps of NODATA: gslb lists the name's types (a wildcard's, none for an
    empty non-terminal); Knot's onlinesign adds A and AAAA to every bitmap.
  - Referrals: gslb adds the cut's DS RRset, signed (RFC 4035 3.1.4), or an NSEC at
    the cut when there is no DS; Knot's onlinesign sends an NSEC at the cut (or at
    the query name) even when the zone has a DS.
  - CNAME chains into another served zone: gslb follows them (as NSD does), Knot
    answers the CNAME alone, so the other zone's records and proofs are missing.
`)
	var keys []diffKey
	for k := range diffs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(diffs[keys[i]]) != len(diffs[keys[j]]) {
			return len(diffs[keys[i]]) > len(diffs[keys[j]])
		}
		return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j])
	})
	for _, k := range keys {
		qs := diffs[k]
		ex := qs
		if len(ex) > 3 {
			ex = ex[:3]
		}
		fmt.Fprintf(w, "\n%s (%d queries, e.g. %s)\n  gslb: %s\n  knot: %s\n", k.field, len(qs), strings.Join(ex, ", "), k.gslb, k.knot)
	}
	return nil
}

// generalize replaces the query name in a field's value by QNAME, so that
// differences of the same kind group together.
func generalize(v, qname string) string {
	if qname == "" {
		return v
	}
	return strings.ReplaceAll(v, strings.ToLower(qname), "QNAME")
}
