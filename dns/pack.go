package dns

import (
	"encoding/binary"

	mdns "github.com/miekg/dns"
)

// limit is the largest reply the request may get: 65535 octets over TCP;
// over UDP the requestor's EDNS payload size capped by MaxUDPSize, or 512
// without EDNS (RFC 1035 4.2.1, RFC 6891 6.2.5).
func (h *handler) limit(r *request, tcp bool) int {
	switch {
	case tcp:
		return maxTCPSize
	case r.edns:
		return min(int(r.udpSize), r.lim.maxUDP)
	default:
		return minUDPSize
	}
}

// pack writes the scratch message into out, fitting it into the
// transport's limit, and appends the OPT record.
func (h *handler) pack(out []byte, s *scratch, tcp bool, scope uint8) []byte {
	r, m := &s.req, &s.msg
	h.buildOPT(r)
	limit := h.limit(r, tcp) - len(r.opt)
	var (
		b      []byte
		byHand bool
		err    error
	)
	if !h.packSlow {
		if b, byHand = packAddrs(out, m, r); !byHand {
			b, byHand = packNegative(out, m, r, &s.comp)
		}
	}
	if !byHand {
		b, err = m.PackBuffer(out)
	}
	if err != nil {
		h.log.Error("cannot pack an answer; answered SERVFAIL", "qname", r.name, "qtype", r.qtype, "error", err)
		return h.bare(out, nil, r, mdns.RcodeServerFailure)
	}
	if len(b) > limit {
		byHand = false // packed again by miekg/dns
		b, err = h.truncate(out, s, limit)
		if err != nil {
			h.log.Error("cannot pack a truncated answer; answered SERVFAIL", "qname", r.name, "qtype", r.qtype, "error", err)
			return h.bare(out, nil, r, mdns.RcodeServerFailure)
		}
	}
	if m.Truncated {
		h.stats.truncated.Add(1)
	}
	// The question was packed in lower case (see header): write it back
	// as sent (packAddrs wrote it so).
	if q := b[headerLen:]; !byHand && len(q) >= len(r.qwire) && asciiEqualFold(q[:len(r.qwire)], r.qwire) {
		copy(q, r.qwire)
	}
	r.rcode = m.Rcode
	return appendOPT(b, r, m.Rcode, scope)
}

// packAddrs packs the most common reply by hand, without miekg/dns's
// compression map: nothing but A and AAAA records, each owned by the query
// name (a geo-routed or static address answer). It writes what PackBuffer
// writes, octet for octet: the header, the question as sent (pack writes
// it back so anyway), and every owner as a pointer to the question's name.
// It reports false, having written nothing useful, for any other message,
// which PackBuffer then packs.
func packAddrs(out []byte, m *mdns.Msg, r *request) ([]byte, bool) {
	if len(m.Answer) == 0 || len(m.Ns) > 0 || len(m.Extra) > 0 || len(m.Question) != 1 ||
		m.Rcode < 0 || m.Rcode > 0xF || !m.Compress || r.lname == "." || len(r.qwire) < 2 ||
		m.Truncated || m.RecursionAvailable || m.Zero || m.AuthenticatedData || m.CheckingDisabled {
		return nil, false
	}
	q := &m.Question[0]
	if q.Name != r.lname {
		return nil, false
	}
	qlen := len(r.qwire) + 4
	need := headerLen + qlen + len(m.Answer)*(2+10+16)
	if need > len(out) {
		return nil, false
	}
	b := out[:headerLen+qlen]
	off := len(b)
	for _, rr := range m.Answer {
		var h *mdns.RR_Header
		var rdata []byte
		switch x := rr.(type) {
		case *mdns.A:
			// PackBuffer packs the IPv4 form of a 4- or 16-octet
			// address (net.IP.To4, whose loop over the prefix took a
			// tenth of a static answer's instructions).
			switch {
			case len(x.A) == 4:
				rdata = x.A
			case len(x.A) == 16 && string(x.A[:12]) == v4InV6Prefix:
				rdata = x.A[12:]
			default:
				return nil, false
			}
			h = &x.Hdr
		case *mdns.AAAA:
			if len(x.AAAA) != 16 {
				return nil, false
			}
			h, rdata = &x.Hdr, x.AAAA
		default:
			return nil, false
		}
		if h.Name != r.lname {
			return nil, false
		}
		b = b[:off+12+len(rdata)]
		b[off], b[off+1] = 0xC0, headerLen // a pointer to the question's name
		binary.BigEndian.PutUint16(b[off+2:], h.Rrtype)
		binary.BigEndian.PutUint16(b[off+4:], h.Class)
		binary.BigEndian.PutUint32(b[off+6:], h.Ttl)
		binary.BigEndian.PutUint16(b[off+10:], uint16(len(rdata)))
		copy(b[off+12:], rdata)
		off = len(b)
	}
	writeHeader(b, m, len(m.Answer), 0)
	n := headerLen + copy(b[headerLen:], r.qwire)
	binary.BigEndian.PutUint16(b[n:], q.Qtype)
	binary.BigEndian.PutUint16(b[n+2:], q.Qclass)
	return b, true
}

// v4InV6Prefix is the prefix of an IPv4 address in a 16-octet net.IP.
const v4InV6Prefix = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff"

// truncate packs the largest reply within limit that drops only whole
// RRsets (RFC 2181 9) and never separates an RRset from its RRSIGs:
//
//   - when the answer and authority sections (with their RRSIGs) do not
//     fit, the reply is the header and question with TC set;
//   - additional RRsets are added in order while they fit, except that a
//     referral's in-domain glue (names at or below the cut) must all fit
//     or TC is set (RFC 9471 3); other glue and additional data are left
//     out silently;
//   - then the RRSIGs of the additional RRsets kept are added, each
//     RRset's all together right after it, while they fit: they are the
//     first thing dropped, and their absence sets no TC (RFC 4035 3.1.1).
func (h *handler) truncate(out []byte, s *scratch, limit int) ([]byte, error) {
	m := &s.msg
	s.all = append(s.all[:0], m.Extra...)
	if len(m.Extra) == 0 { // the full pack just failed: no need to try again
		return h.truncateAll(out, m)
	}
	m.Extra = m.Extra[:0]
	b, err := m.PackBuffer(out)
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return h.truncateAll(out, m)
	}
	cut := ""
	if !m.Authoritative && len(m.Ns) > 0 && m.Ns[0].Header().Rrtype == mdns.TypeNS {
		cut = m.Ns[0].Header().Name // a referral
	}
	units := s.units[:0]
	for rest := s.all; len(rest) > 0; {
		n := rrsetLen(rest)
		k := n + sigsLen(rest[n:], rest[0].Header())
		units = append(units, extraUnit{set: rest[:n], sigs: rest[n:k]})
		rest = rest[k:]
	}
	s.units = units
	try := func(u *extraUnit, signed bool) (bool, error) {
		u.in, u.signed = true, signed
		m.Extra = appendUnits(m.Extra[:0], units)
		b, err := m.PackBuffer(out)
		if err != nil {
			return false, err
		}
		if len(b) > limit {
			u.in, u.signed = signed, false // the RRset stays when only its RRSIGs were tried
			return false, nil
		}
		return true, nil
	}
	for _, required := range []bool{true, false} {
		for i := range units {
			u := &units[i]
			if (cut != "" && mdns.IsSubDomain(cut, u.set[0].Header().Name)) != required {
				continue
			}
			ok, err := try(u, false)
			if err != nil {
				return nil, err
			}
			if !ok && required {
				m.Truncated = true
			}
		}
	}
	for i := range units {
		if u := &units[i]; u.in && len(u.sigs) > 0 {
			if _, err := try(u, true); err != nil {
				return nil, err
			}
		}
	}
	m.Extra = appendUnits(m.Extra[:0], units)
	return m.PackBuffer(out)
}

// extraUnit is an RRset of the additional section and the RRSIGs that
// follow it, and whether the truncated reply keeps them.
type extraUnit struct {
	set, sigs  []mdns.RR
	in, signed bool
}

// appendUnits appends the RRsets kept, each followed by its RRSIGs when
// they are kept too.
func appendUnits(rrs []mdns.RR, units []extraUnit) []mdns.RR {
	for i := range units {
		u := &units[i]
		if u.in {
			rrs = append(rrs, u.set...)
			if u.signed {
				rrs = append(rrs, u.sigs...)
			}
		}
	}
	return rrs
}

// sigsLen returns the number of leading records of rrs that are RRSIGs
// of the RRset whose header is h.
func sigsLen(rrs []mdns.RR, h *mdns.RR_Header) int {
	for i, rr := range rrs {
		if sig, ok := rr.(*mdns.RRSIG); !ok || sig.Hdr.Name != h.Name || sig.TypeCovered != h.Rrtype || h.Rrtype == mdns.TypeRRSIG {
			return i
		}
	}
	return len(rrs)
}

// truncateAll packs the header and question with TC set.
func (h *handler) truncateAll(out []byte, m *mdns.Msg) ([]byte, error) {
	m.Truncated = true
	m.Answer, m.Ns, m.Extra = m.Answer[:0], m.Ns[:0], m.Extra[:0]
	return m.PackBuffer(out)
}

// rrsetLen returns the number of leading records of rrs that share the
// first one's owner and type.
func rrsetLen(rrs []mdns.RR) int {
	h := rrs[0].Header()
	for i := 1; i < len(rrs); i++ {
		if x := rrs[i].Header(); x.Rrtype != h.Rrtype || x.Name != h.Name {
			return i
		}
	}
	return len(rrs)
}

// buildOPT builds the reply's OPT record into r.opt when the query had one
// (RFC 6891 7): our payload size, version 0, the DO bit copied (RFC 3225
// 3), the NSID when asked for and configured (RFC 5001), the query's ECS
// option echoed (RFC 7871 7.2.1), the client and server cookie (RFC 7873)
// and the extended DNS error (RFC 8914). The
// upper bits of the rcode and the ECS scope are left zero for appendOPT to
// set. Built before packing, its length is the room the reply leaves for it.
func (h *handler) buildOPT(r *request) {
	r.opt, r.optScope = r.opt[:0], 0
	if !r.edns {
		return
	}
	var flags byte
	if r.do {
		flags = optDO >> 8
	}
	if r.coReply {
		flags |= optCO >> 8
	}
	maxUDP, nsid := r.lim.maxUDP, r.lim.nsid
	b := append(r.opt, 0, 0, byte(mdns.TypeOPT), byte(maxUDP>>8), byte(maxUDP),
		0, 0, flags, 0, 0, 0) // the extended rcode and RDLENGTH follow
	if r.nsid && len(nsid) > 0 {
		b = append(b, 0, optCodeNSID, byte(len(nsid)>>8), byte(len(nsid)))
		b = append(b, nsid...)
	}
	if r.ecs {
		n := r.ecsLen()
		b = append(b, 0, optCodeECS, 0, byte(4+n), byte(r.ecsFamily>>8), byte(r.ecsFamily), r.ecsSource, 0)
		r.optScope = len(b) - 1
		b = append(b, r.ecsAddr[:n]...)
	}
	if r.cookieReply {
		b = append(b, 0, optCodeCookie, 0, byte(len(r.cookieOut)))
		b = append(b, r.cookieOut[:]...)
	}
	if r.ede != 0 {
		b = append(b, 0, optCodeEDE, 0, 2, byte(r.ede>>8), byte(r.ede))
	}
	binary.BigEndian.PutUint16(b[optFixedLen-2:], uint16(len(b)-optFixedLen))
	r.opt = b
}

// appendOPT appends the OPT record buildOPT built to the packed message b,
// with the upper bits of rcode and the answer's ECS scope, and counts it in
// the header's ARCOUNT.
func appendOPT(b []byte, r *request, rcode int, scope uint8) []byte {
	if len(r.opt) == 0 {
		return b
	}
	at := len(b)
	b = append(b, r.opt...)
	b[at+5] = byte(rcode >> 4)
	if r.optScope > 0 {
		if scope > 128 || (r.ecsFamily == ecsFamilyV4 && scope > 32) || r.ecsFamily == 0 {
			scope = 0 // a Router's impossible scope is not passed on
		}
		b[at+r.optScope] = scope
	}
	binary.BigEndian.PutUint16(b[10:], binary.BigEndian.Uint16(b[10:])+1)
	return b
}

// bare writes a reply without records: the header (ID, opcode and RD
// echoed, QR set, the low bits of rcode), the question when the request
// got as far as reading it, and the OPT record when it had a valid one. It
// serves errors (FORMERR, NOTIMP, REFUSED, SERVFAIL, BADVERS). With msg
// nil, the question comes from r.
func (h *handler) bare(out, msg []byte, r *request, rcode int) []byte {
	b := out[:headerLen]
	binary.BigEndian.PutUint16(b, r.id)
	flags := uint16(flagQR) | uint16(r.opcode)<<11 | uint16(rcode&0xF)
	if r.rd {
		flags |= flagRD
	}
	binary.BigEndian.PutUint16(b[2:], flags)
	clear(b[4:])
	if r.qend > 0 {
		if msg != nil {
			b = append(b, msg[headerLen:r.qend]...)
		} else {
			var err error
			if b, err = r.appendQuestion(b); err != nil {
				b = b[:headerLen]
			}
		}
		if len(b) > headerLen {
			b[5] = 1
		}
	}
	r.rcode = rcode
	h.buildOPT(r)
	b = appendOPT(b, r, rcode, 0)
	if rcode == mdns.RcodeNotAuth && r.tsig != nil {
		b = r.appendTSIG(b) // after the OPT: a TSIG is the last record
	}
	return b
}

// appendQuestion appends the question of r in wire format.
func (r *request) appendQuestion(b []byte) ([]byte, error) {
	n := len(b)
	b = b[:n+maxNameWire+4]
	off, err := mdns.PackDomainName(r.name, b, n, nil, false)
	if err != nil {
		return b[:n], err
	}
	binary.BigEndian.PutUint16(b[off:], r.qtype)
	binary.BigEndian.PutUint16(b[off+2:], r.qclass)
	return b[:off+4], nil
}

// asciiEqualFold reports whether a and b are equal but for the case of
// ASCII letters (DNS names compare so, RFC 4343; other octets exactly).
func asciiEqualFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
