package dns

import (
	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/zones"
)

// typeNXNAME is the NXNAME pseudo-type of compact denial of existence
// (RFC 9824): in an NSEC type bitmap it says that the name does not exist.
const typeNXNAME = 128

// signerOf returns the signer of a zone, or nil when it is not signed.
func signerOf(z *zones.Zone) *signer {
	if z == nil || z.DNSSEC == nil {
		return nil
	}
	sg, _ := z.DNSSEC.Signer.(*signer)
	return sg
}

// dnssec completes the reply of a query with DO set for a set with signed
// zones: DNSKEY answers, the compact denial of existence (RFC 9824) of
// negative answers, the DS (or its denial) of a referral, and an RRSIG
// after every RRset of the answer and authority sections that a signed
// zone is authoritative for, and of the additional section's RRsets that
// are authoritative data (the in-zone addresses of NS, MX and SRV
// targets; not the glue at or below a zone cut): RFC 4035 3.1.1. The
// RRSIGs of the additional section are the first thing truncation drops.
// It returns an error when a signature could not be made.
func (h *handler) dnssec(s *scratch, set *zones.Set) error {
	r, a, m := &s.req, &s.ans, &s.msg
	switch m.Rcode {
	case mdns.RcodeSuccess, mdns.RcodeNameError, mdns.RcodeYXDomain:
	default:
		return nil // SERVFAIL of a geo-routed name: nothing to sign
	}
	if z, sg := a.Zone, signerOf(a.Zone); sg != nil && m.Rcode != mdns.RcodeYXDomain {
		name := finalName(r.lname, m.Answer)
		switch {
		case a.Outcome == zones.NXDomain:
			// RFC 9824 3.1: NOERROR with an NSEC at the name saying
			// that it does not exist (NXNAME); a resolver that sets
			// CO gets the NXDOMAIN rcode back, and CO (RFC 9824 4).
			if r.co {
				r.coReply = true
			} else {
				m.Rcode = mdns.RcodeSuccess
			}
			m.Ns = append(m.Ns, nsecAt(name, z.NegSOA.TTL, typeNXNAME))
		case r.qtype == mdns.TypeDNSKEY && name == z.Origin && a.Outcome == zones.NoData:
			m.Ns = m.Ns[:0]
			m.Answer = append(m.Answer, sg.dnskeys...)
		case r.qtype == mdns.TypeNSEC && a.Outcome == zones.NoData:
			// The NSEC that a negative answer at the name would carry
			// is the name's NSEC RRset: answered as data, as Knot's
			// online signing does.
			m.Ns = m.Ns[:0]
			m.Answer = append(m.Answer, nsecAt(name, z.NegSOA.TTL, nodataTypes(z, name, 0)...))
		case a.Outcome == zones.NoData || (a.Outcome == zones.GSLB && len(m.Ns) > 0):
			// RFC 9824 3.2: the name's types without the one asked for
			// (a wildcard's when it answers the name; none for an empty
			// non-terminal).
			m.Ns = append(m.Ns, nsecAt(name, z.NegSOA.TTL, nodataTypes(z, name, r.qtype)...))
		case a.Outcome == zones.Referral && len(m.Ns) > 0:
			// The DS of the cut, or the proof that there is none (an
			// insecure delegation).
			cut := m.Ns[0].Header().Name
			if ds := z.RRset(cut, mdns.TypeDS); ds != nil {
				for _, rec := range ds {
					m.Ns = append(m.Ns, s.rr(zones.RR{Record: rec}))
				}
			} else {
				m.Ns = append(m.Ns, nsecAt(cut, z.NegSOA.TTL, z.Types(cut)...))
			}
		}
	}
	var err error
	if m.Answer, err = s.signSection(m.Answer, set, h.stats); err != nil {
		r.coReply = false
		return err
	}
	if m.Ns, err = s.signSection(m.Ns, set, h.stats); err != nil {
		r.coReply = false
		return err
	}
	if m.Extra, err = s.signSection(m.Extra, set, h.stats); err != nil {
		r.coReply = false
	}
	return err
}

// finalName is the name the answer ends at: the query name, or the target
// of the last CNAME of the chain in the answer.
func finalName(qname string, answer []mdns.RR) string {
	name := qname
	for _, rr := range answer {
		if c, ok := rr.(*mdns.CNAME); ok && c.Hdr.Name == name {
			name = c.Target
		}
	}
	return name
}

// nodataTypes is the type bitmap of the NSEC that denies qtype at name.
func nodataTypes(z *zones.Zone, name string, qtype uint16) []uint16 {
	types := z.Types(name)
	if name == z.Origin {
		types = append(types, mdns.TypeDNSKEY)
	}
	out := types[:0]
	for _, t := range types {
		if t != qtype {
			out = append(out, t)
		}
	}
	return out
}

// nsecAt returns the compact-denial NSEC at name (RFC 9824): its next name
// is name's immediate successor, \000.name, so that it covers no other
// name, and its bitmap is types with RRSIG and NSEC.
func nsecAt(name string, ttl uint32, types ...uint16) *mdns.NSEC {
	bitmap := make([]uint16, 0, len(types)+2)
	bitmap = append(bitmap, types...)
	bitmap = append(bitmap, mdns.TypeRRSIG, mdns.TypeNSEC)
	sortTypes(bitmap)
	return &mdns.NSEC{
		Hdr:        hdr(name, mdns.TypeNSEC, ttl),
		NextDomain: `\000.` + name,
		TypeBitMap: bitmap,
	}
}

// sortTypes sorts a short list of types and drops repeats.
func sortTypes(t []uint16) []uint16 {
	for i := 1; i < len(t); i++ {
		for j := i; j > 0 && t[j] < t[j-1]; j-- {
			t[j], t[j-1] = t[j-1], t[j]
		}
	}
	out := t[:0]
	for i, x := range t {
		if i == 0 || x != t[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// signSection returns rrs with the RRSIGs of each RRset that a signed zone
// is authoritative for right after it: not the NS RRset of a zone cut,
// which belongs to the child, nor glue (at or below a cut); the DS and
// NSEC of a cut are the parent's, signed by it.
func (s *scratch) signSection(rrs []mdns.RR, set *zones.Set, c *counters) ([]mdns.RR, error) {
	if len(rrs) == 0 {
		return rrs, nil
	}
	out := s.sig.out[:0]
	for rest := rrs; len(rest) > 0; {
		n := rrsetLen(rest)
		rrset := rest[:n]
		rest = rest[n:]
		out = append(out, rrset...)
		h := rrset[0].Header()
		owner := h.Name
		if h.Rrtype == mdns.TypeDS {
			owner = parentOf(owner)
		}
		z := set.Find(owner)
		sg := signerOf(z)
		if sg == nil || (h.Rrtype != mdns.TypeDS && h.Rrtype != mdns.TypeNSEC && !z.Authoritative(owner)) {
			continue
		}
		sigs, err := sg.sign(rrset, &s.sig, c)
		if err != nil {
			return nil, err
		}
		out = append(out, sigs...)
	}
	s.sig.out = out
	return append(rrs[:0], out...), nil
}

// parentOf returns the name one label up (the root stays the root).
func parentOf(name string) string {
	off, end := mdns.NextLabel(name, 0)
	if end {
		return "."
	}
	return name[off:]
}
