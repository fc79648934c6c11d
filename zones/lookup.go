package zones

import "github.com/gslb/gslb/config"

// Lookup answers qname/qtype from the set into a (which is not reset first:
// call a.Reset when reusing it). qname must be absolute and lower case.
// It implements RFC 1034 section 4.3.2 with RFC 4592 wildcards, RFC 2308
// negative answers and RFC 6604 rcodes for CNAME chains: CNAMEs are followed
// through every zone of the set, and a chain that loops or has more CNAMEs
// than the max_cname_chain of the zone it starts in (default 8) stops with
// what it has.
func (s *Set) Lookup(qname string, qtype uint16, a *Answer) {
	z := s.Find(qname)
	if z == nil {
		a.Outcome = Refused
		return
	}
	if qtype == TypeDS && qname == z.Origin {
		// DS belongs to the parent side of the cut (RFC 4035 3.1.4.1):
		// answer it from the parent zone when we serve that too.
		if parent := s.Find(parentName(qname)); parent != nil {
			z = parent
		}
	}
	chain := z.maxChain
	if chain <= 0 {
		chain = config.DefaultMaxCNAMEChain
	}
	for range chain { // at most chain CNAMEs in the answer
		target := z.lookup(qname, qtype, a)
		if target == "" {
			return
		}
		next := s.Find(target)
		if next == nil || a.seen(target) {
			return // leaves the served zones, or loops: the CNAMEs are the answer
		}
		z, qname = next, target
	}
}

// seen reports whether a CNAME in the answer already has this owner.
func (a *Answer) seen(name string) bool {
	for _, rr := range a.Answer {
		owner := rr.Owner
		if owner == "" {
			owner = rr.Name
		}
		if (rr.Type == TypeCNAME || rr.Synth != "") && owner == name {
			return true
		}
	}
	return false
}

// lookup answers qname inside the zone. It returns the CNAME target to
// follow, if any, after appending the CNAME to a.Answer.
func (z *Zone) lookup(qname string, qtype uint16, a *Answer) (follow string) {
	a.Zone = z
	var buf [128]uint16 // not int: clearing 1 KB took 116 instructions a lookup
	starts := labelStarts(qname, buf[:0])

	// Walk down from the apex towards qname: stop at a zone cut (referral)
	// or at the first name that does not exist (its parent is the closest
	// encloser).
	encloser := z.apex
	var exact *node
	if len(starts) == z.nlabels {
		exact = encloser
	} else if d := encloser.get(TypeDNAME); d != nil {
		return z.dname(qname, qtype, qname[:starts[len(starts)-z.nlabels]], d[0], a)
	}
	for i := len(starts) - z.nlabels - 1; i >= 0; i-- {
		n := z.nodes[qname[starts[i]:]]
		if n == nil {
			break
		}
		if n.cut && !(i == 0 && qtype == TypeDS) {
			z.referral(n, a)
			return ""
		}
		encloser = n
		if i == 0 {
			exact = n
			break
		}
		if d := n.get(TypeDNAME); d != nil {
			return z.dname(qname, qtype, qname[:starts[i]], d[0], a)
		}
	}

	owner := ""
	n := exact
	if n == nil {
		if encloser.wild == nil {
			a.Outcome = NXDomain
			a.Authority = append(a.Authority, RR{Record: z.NegSOA})
			return ""
		}
		n, owner = encloser.wild, qname
	}
	if n.cut { // a DS query at the cut: answered from the parent side
		if ds := n.get(TypeDS); ds != nil {
			a.Outcome = Success
			a.Answer = appendRRs(a.Answer, ds, owner)
			return ""
		}
		z.noData(a)
		return ""
	}
	if n.gslb != nil && (len(n.sets) == 0 || qtype == TypeA || qtype == TypeAAAA) {
		// A GSLB name answers every type from its pool, except at the
		// apex, where only A and AAAA do and SOA, NS and the rest stay
		// static.
		a.Outcome = GSLB
		a.GSLB = n.gslb
		a.GSLBOwner = qname
		return ""
	}
	if qtype == TypeANY {
		// RFC 8482 4.1: one RRset, the first by type as Knot answers
		// (NSD and Knot answer ANY minimally over UDP and TCP), with
		// the additional data that RRset would get.
		if len(n.sets) == 0 {
			z.noData(a)
			return ""
		}
		a.Outcome = Success
		recs := n.sets[0].records
		a.Answer = appendRRs(a.Answer, recs, owner)
		z.additional(recs, a)
		return ""
	}
	if recs := n.get(qtype); recs != nil {
		a.Outcome = Success
		a.Answer = appendRRs(a.Answer, recs, owner)
		z.additional(recs, a)
		return ""
	}
	if cname := n.get(TypeCNAME); cname != nil && qtype != TypeRRSIG && qtype != TypeNSEC {
		// RRSIG and NSEC may sit beside a CNAME (RFC 2181 10.1, RFC
		// 4035 2.5): a query for them is answered at the node, without
		// following the CNAME, as Knot does.
		a.Outcome = Success
		a.Answer = appendRRs(a.Answer, cname, owner)
		return cname[0].Target
	}
	z.noData(a)
	return ""
}

// maxNameLen is the longest domain name in presentation form that fits the
// 255-octet wire limit (an approximation that ignores escapes).
const maxNameLen = 254

// dname answers a name below a DNAME (RFC 6672): the DNAME, and a CNAME from
// qname to qname with the DNAME's owner replaced by its target, which the
// caller follows unless the query asked for type CNAME, which the
// synthesized CNAME answers itself (as NSD and Knot do). A DNAME already in
// the answer (a chain through the same DNAME) is not repeated. prefix is
// the part of qname above the DNAME owner, with its final dot.
func (z *Zone) dname(qname string, qtype uint16, prefix string, d *Record, a *Answer) (follow string) {
	a.Outcome = Success
	if !a.has(d) {
		a.Answer = append(a.Answer, RR{Record: d})
	}
	target := prefix + d.Target
	if d.Target == "." {
		target = prefix
	}
	if len(target) > maxNameLen {
		a.Outcome = YXDomain
		return ""
	}
	a.Answer = append(a.Answer, RR{Record: d, Owner: qname, Synth: target})
	if qtype == TypeCNAME {
		return ""
	}
	return target
}

// has reports whether the answer section holds the record r itself (not
// a wildcard expansion or a CNAME synthesized from it).
func (a *Answer) has(r *Record) bool {
	for _, x := range a.Answer {
		if x.Record == r && x.Owner == "" && x.Synth == "" {
			return true
		}
	}
	return false
}

func (z *Zone) noData(a *Answer) {
	a.Outcome = NoData
	a.Authority = append(a.Authority, RR{Record: z.NegSOA})
}

// referral answers a delegation: the cut's NS set in authority and the
// addresses of its in-zone targets (glue) in additional. A referral that
// ends a CNAME chain keeps the chain in the answer section.
func (z *Zone) referral(cut *node, a *Answer) {
	a.Outcome = Referral
	ns := cut.get(TypeNS)
	a.Authority = appendRRs(a.Authority, ns, "")
	z.additional(ns, a)
}

// additional appends the addresses of the in-zone targets of NS, MX and SRV
// records (glue included), synthesized from a wildcard when the target
// does not exist but a wildcard covers it (as NSD and Knot do). GSLB
// targets are left out: their addresses depend on the client.
func (z *Zone) additional(recs []*Record, a *Answer) {
	for _, r := range recs {
		if r.Target == "" || r.Type == TypeCNAME || r.Type == TypeDNAME {
			continue
		}
		t, owner := z.nodes[r.Target], ""
		if t == nil {
			t, owner = z.wildcardFor(r.Target), r.Target
			if t == nil {
				continue
			}
		}
		a.Additional = appendRRs(a.Additional, t.get(TypeA), owner)
		a.Additional = appendRRs(a.Additional, t.get(TypeAAAA), owner)
	}
}

// wildcardFor returns the wildcard node that answers name, a name of the
// zone that does not exist (RFC 4592 3.3.1): the wildcard child of its
// closest encloser, unless that encloser is a zone cut or a DNAME, or
// lies below one. It returns nil when none applies.
func (z *Zone) wildcardFor(name string) *node {
	if !inZone(name, z.Origin) {
		return nil
	}
	p := parentName(name)
	for ; p != "" && inZone(p, z.Origin); p = parentName(p) {
		if z.nodes[p] != nil {
			break
		}
	}
	n := z.nodes[p]
	if n == nil || n.wild == nil || n.cut || n.get(TypeDNAME) != nil || z.cutAbove(p) != "" || z.dnameAbove(p) != "" {
		return nil
	}
	return n.wild
}

func appendRRs(dst []RR, recs []*Record, owner string) []RR {
	for _, r := range recs {
		dst = append(dst, RR{Record: r, Owner: owner})
	}
	return dst
}
