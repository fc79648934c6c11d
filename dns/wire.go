package dns

import (
	"encoding/binary"
	"net/netip"
	"time"

	mdns "github.com/miekg/dns"
)

// Wire constants of RFC 1035, RFC 6891, RFC 5001 and RFC 7871.
const (
	headerLen    = 12
	maxNameWire  = 255 // longest domain name in wire format, root label included
	maxLabel     = 63
	flagQR       = 1 << 15
	flagAA       = 1 << 10
	flagTC       = 1 << 9
	flagRD       = 1 << 8
	optDO        = 1 << 15 // the DO bit in the OPT TTL's flags half
	optCO        = 1 << 14 // the CO bit (Compact Answers OK, RFC 9824 4)
	optCodeNSID  = 3
	optCodeECS   = 8
	optCodeEDE   = 15 // Extended DNS Errors, RFC 8914
	edeNotAuth   = 20 // EDE "Not Authoritative"
	tsigBadKey   = 17 // TSIG error BADKEY, RFC 8945
	ecsFamilyV4  = 1
	ecsFamilyV6  = 2
	minUDPSize   = 512   // RFC 1035 4.2.1; also the floor of an EDNS payload size
	maxTCPSize   = 65535 // a TCP message's two-byte length prefix
	optFixedLen  = 11    // root name, type, class, TTL, RDLENGTH
	optionHdrLen = 4     // option code and length
)

// request is one query as read from the wire. It is parsed here rather than
// by miekg/dns because miekg's unpacking normalises what RFC 7871 asks a
// server to reject (an ECS address longer or shorter than its prefix), and
// because the question must be echoed exactly as sent.
type request struct {
	id     uint16
	opcode uint8
	rd     bool
	qend   int    // end of the question section in the query; 0 when it was not parsed
	qwire  []byte // the query name as sent, in wire format (a slice of the query)
	name   string // the query name in presentation format, case as sent
	lname  string // name in lower case, for lookups
	qtype  uint16
	qclass uint16

	edns    bool   // the query had a valid OPT record: the response gets one
	version uint8  // EDNS version
	do      bool   // the DO bit
	co      bool   // the CO bit: NXDOMAIN may keep its rcode in a compact denial (RFC 9824)
	coReply bool   // the reply is such an NXDOMAIN: its OPT has CO set
	udpSize uint16 // the requestor's UDP payload size, at least 512
	nsid    bool   // an empty NSID option was sent

	ecs       bool // a valid ECS option was sent: the response echoes it
	ecsFamily uint16
	ecsSource uint8
	ecsAddr   [16]byte // the address octets as sent (ceil(source/8) of them)

	ede uint16 // an Extended DNS Error to send (RFC 8914), 0 for none

	// The COOKIE option (RFC 7873; see cookie.go): the client and server
	// cookies as sent, and the client and server cookie of the reply.
	cookie      bool // a COOKIE option of a valid length was sent
	cookieBad   bool // a COOKIE option of a malformed length was sent
	cookieLen   uint8
	cookieIn    [clientCookieLen + maxServerCookieLen]byte
	cookieState cookieState
	cookieReply bool // cookieOut goes into the reply's OPT record
	cookieOut   [clientCookieLen + serverCookieLen]byte

	rcode int // the reply's rcode, set when it is packed; counted once per reply

	rrlKind uint8  // the kind of response RRL counts it as (rrlAnswer, ...); 0: an error
	rrlName string // the zone (NXDOMAIN) or delegation (referral) RRL counts it under

	// opt is the reply's OPT record (see buildOPT), optScope the offset of
	// its ECS scope octet (0: no ECS option). Its capacity is kept from
	// query to query.
	opt      []byte
	optScope int

	lim  *limits     // the server's limits for this query, loaded once
	prot *protection // the server's RRL and cookie settings, loaded once
	at   time.Time   // the time of the query, read when RRL or a cookie needs it

	// tsig is the query's TSIG record (RFC 8945), a slice of the query:
	// gslb has no keys, so it is answered NOTAUTH with a BADKEY TSIG.
	tsig     []byte
	tsigName []byte // the key name, wire format
	tsigAlg  []byte // the algorithm name, wire format
	tsigTime []byte // time signed and fudge, 8 octets
	tsigID   []byte // original ID, 2 octets

	names *nameCache // the scratch's last query name; nil: none
}

// parse reads msg, whose header is known to be complete and to be a query
// (QR clear) with opcode QUERY. It returns the rcode the query earns before
// any lookup: RcodeSuccess, RcodeFormatError or RcodeBadVers. What it
// managed to read decides the shape of an error reply: the question is
// echoed when qend > 0 and an OPT record is added when edns is set.
func (r *request) parse(msg []byte) int {
	r.parseHeader(msg)
	qdcount := binary.BigEndian.Uint16(msg[4:])
	if qdcount > 1 {
		return mdns.RcodeFormatError
	}
	off := headerLen
	if qdcount == 1 {
		if !r.parseQuestion(msg) {
			return mdns.RcodeFormatError
		}
		off = r.qend
	}
	ancount := binary.BigEndian.Uint16(msg[6:])
	nscount := binary.BigEndian.Uint16(msg[8:])
	arcount := binary.BigEndian.Uint16(msg[10:])
	if qdcount == 1 && (ancount != 0 || (nscount != 0 && r.qtype != mdns.TypeIXFR)) {
		return mdns.RcodeFormatError // a query carries no answers (RFC 1995 allows IXFR's SOA)
	}
	// Without a question the query is refused, but its OPT record is
	// still read so that the FORMERR carries one, as NSD and Knot do.
	for range int(ancount) + int(nscount) {
		var ok bool
		if off, _, ok = skipRR(msg, off); !ok {
			return mdns.RcodeFormatError
		}
	}
	var opt []byte // the OPT record, from its TYPE field on
	for i := range arcount {
		start := off
		var ok bool
		var typ uint16
		if off, typ, ok = skipRR(msg, off); !ok {
			return mdns.RcodeFormatError
		}
		switch typ {
		case mdns.TypeOPT:
			if opt != nil || msg[start] != 0 {
				return mdns.RcodeFormatError // RFC 6891 6.1.1: one OPT, owned by the root
			}
			opt = msg[start+1 : off]
		case mdns.TypeTSIG:
			// RFC 8945 5.1: the TSIG is the last record; a malformed
			// one is a FORMERR.
			if i != arcount-1 || !r.parseTSIG(msg[start:off]) {
				return mdns.RcodeFormatError
			}
		}
	}
	rcode := mdns.RcodeSuccess
	if opt != nil {
		rcode = r.parseOPT(opt)
	}
	switch {
	case qdcount == 0:
		return mdns.RcodeFormatError
	case rcode == mdns.RcodeSuccess && r.tsig != nil:
		return mdns.RcodeNotAuth // RFC 8945 5.2.2: unknown key, BADKEY
	}
	return rcode
}

// parseTSIG reads a TSIG record (owner name to the end of RDATA), whose
// name and algorithm name must not be compressed (RFC 8945 4.2).
func (r *request) parseTSIG(rr []byte) bool {
	keyEnd, ok := nameEnd(rr, 0, false)
	if !ok || keyEnd+10 > len(rr) {
		return false
	}
	rdata := rr[keyEnd+10:]
	algEnd, ok := nameEnd(rdata, 0, false)
	if !ok || algEnd+10 > len(rdata) {
		return false
	}
	macEnd := algEnd + 10 + int(binary.BigEndian.Uint16(rdata[algEnd+8:]))
	if macEnd+6 > len(rdata) {
		return false
	}
	other := macEnd + 6 + int(binary.BigEndian.Uint16(rdata[macEnd+4:]))
	if other != len(rdata) {
		return false
	}
	r.tsig = rr
	r.tsigName = rr[:keyEnd]
	r.tsigAlg = rdata[:algEnd]
	r.tsigTime = rdata[algEnd : algEnd+8]
	r.tsigID = rdata[macEnd : macEnd+2]
	return true
}

// appendTSIG appends the unsigned TSIG error record that answers a query
// signed with a key we do not have (RFC 8945 5.2.2): the key and
// algorithm names, time signed and fudge copied, no MAC, the original
// ID, error BADKEY.
func (r *request) appendTSIG(b []byte) []byte {
	rdlen := len(r.tsigAlg) + 8 + 2 + 2 + 2 + 2
	b = append(b, r.tsigName...)
	b = append(b, 0, byte(mdns.TypeTSIG), 0, byte(mdns.ClassANY), 0, 0, 0, 0, byte(rdlen>>8), byte(rdlen))
	b = append(b, r.tsigAlg...)
	b = append(b, r.tsigTime...)
	b = append(b, 0, 0) // MAC size
	b = append(b, r.tsigID...)
	b = append(b, 0, tsigBadKey, 0, 0) // error, other length
	binary.BigEndian.PutUint16(b[10:], binary.BigEndian.Uint16(b[10:])+1)
	return b
}

// parseLenient reads what the reply to a query of another opcode than
// QUERY echoes: the question when there is exactly one and it is readable,
// and the OPT record (whatever the other sections hold).
func (r *request) parseLenient(msg []byte) {
	off := headerLen
	switch binary.BigEndian.Uint16(msg[4:]) {
	case 0:
	case 1:
		if !r.parseQuestion(msg) {
			return
		}
		off = r.qend
	default:
		return
	}
	counts := int(binary.BigEndian.Uint16(msg[6:])) + int(binary.BigEndian.Uint16(msg[8:]))
	for range counts {
		var ok bool
		if off, _, ok = skipRR(msg, off); !ok {
			return
		}
	}
	for range binary.BigEndian.Uint16(msg[10:]) {
		start := off
		var ok bool
		var typ uint16
		if off, typ, ok = skipRR(msg, off); !ok {
			return
		}
		if typ == mdns.TypeOPT && msg[start] == 0 {
			r.parseOPT(msg[start+1 : off])
			return
		}
	}
}

// questionCut reports whether msg declares one question that the end of
// the message cuts short.
func questionCut(msg []byte) bool {
	if binary.BigEndian.Uint16(msg[4:]) != 1 {
		return false
	}
	for off := headerLen; ; {
		if off >= len(msg) {
			return true
		}
		c := int(msg[off])
		if c&0xC0 != 0 {
			return false // a pointer or a bad label type, not a cut
		}
		off += c + 1
		if c == 0 {
			return off+4 > len(msg)
		}
	}
}

// parseHeader reads the fields of the header that every reply echoes.
func (r *request) parseHeader(msg []byte) {
	r.id = binary.BigEndian.Uint16(msg)
	flags := binary.BigEndian.Uint16(msg[2:])
	r.opcode = uint8(flags>>11) & 0xF
	r.rd = flags&flagRD != 0
}

// parseQuestion reads the one question: a name without compression
// pointers (nothing precedes it to point at), QTYPE and QCLASS.
func (r *request) parseQuestion(msg []byte) bool {
	end, ok := nameEnd(msg, headerLen, false)
	if !ok || end+4 > len(msg) {
		return false
	}
	r.qtype = binary.BigEndian.Uint16(msg[end:])
	r.qclass = binary.BigEndian.Uint16(msg[end+2:])
	r.qend = end + 4
	r.qwire = msg[headerLen:end]
	if r.names != nil {
		r.name, r.lname = r.names.presentation(r.qwire)
	} else {
		r.name, r.lname = presentation(r.qwire)
	}
	return true
}

// parseOPT reads an OPT record from its TYPE field on (RFC 6891 6.1.2).
func (r *request) parseOPT(opt []byte) int {
	size := binary.BigEndian.Uint16(opt[2:])
	ttl := binary.BigEndian.Uint32(opt[4:])
	rdata := opt[10:]
	// The options must tile RDATA exactly before anything in it is trusted.
	for b := rdata; len(b) > 0; {
		if len(b) < optionHdrLen {
			return mdns.RcodeFormatError
		}
		n := optionHdrLen + int(binary.BigEndian.Uint16(b[2:]))
		if n > len(b) {
			return mdns.RcodeFormatError
		}
		b = b[n:]
	}
	r.edns = true
	r.udpSize = max(size, minUDPSize)
	r.version = uint8(ttl >> 16)
	r.do = ttl&optDO != 0
	r.co = ttl&optCO != 0
	if r.version != 0 {
		return mdns.RcodeBadVers // RFC 6891 6.1.3; options of other versions are not read
	}
	for b := rdata; len(b) > 0; {
		code := binary.BigEndian.Uint16(b)
		n := int(binary.BigEndian.Uint16(b[2:]))
		data := b[optionHdrLen : optionHdrLen+n]
		b = b[optionHdrLen+n:]
		switch code {
		case optCodeNSID:
			// RFC 5001 2.1: the request's option should be empty; NSD
			// and Knot answer one that is not, and so do we.
			r.nsid = true
		case optCodeECS:
			if r.ecs || !r.parseECS(data) {
				r.ecs = false
				return mdns.RcodeFormatError
			}
			r.ecs = true
		case optCodeCookie:
			// The first one counts (RFC 7873 says nothing of several).
			if !r.cookie && !r.cookieBad && !r.parseCookie(data) {
				r.cookieBad = true
			}
		}
	}
	return mdns.RcodeSuccess
}

// parseECS validates an EDNS Client Subnet option strictly (RFC 7871 6 and
// 7.1.2): a known family, a source prefix within the family's length, a
// zero scope, exactly ceil(source/8) address octets and no bit set beyond
// the source prefix. FAMILY 0 is accepted with a source prefix of 0 and no
// address, the form dig sends for +subnet=0 ("use no client address").
func (r *request) parseECS(data []byte) bool {
	if len(data) < 4 {
		return false
	}
	family := binary.BigEndian.Uint16(data)
	source, scope := data[2], data[3]
	addr := data[4:]
	var bits int
	switch family {
	case 0:
		bits = 0
	case ecsFamilyV4:
		bits = 32
	case ecsFamilyV6:
		bits = 128
	default:
		return false
	}
	if int(source) > bits || scope != 0 || len(addr) != (int(source)+7)/8 {
		return false
	}
	if rem := source % 8; rem != 0 && addr[len(addr)-1]&(0xFF>>rem) != 0 {
		return false
	}
	r.ecsFamily, r.ecsSource = family, source
	copy(r.ecsAddr[:], addr)
	return true
}

// ecsLen is the number of address octets of the query's ECS option.
func (r *request) ecsLen() int { return (int(r.ecsSource) + 7) / 8 }

// client is the network the answer is for (RFC 7871 7.1.2): the ECS
// source prefix when the query has one longer than 0, else the packet's
// source address as a host prefix.
func (r *request) client(src netip.Addr) (netip.Prefix, bool) {
	if r.ecs && r.ecsSource > 0 {
		var a netip.Addr
		if r.ecsFamily == ecsFamilyV4 {
			a = netip.AddrFrom4([4]byte(r.ecsAddr[:4]))
		} else {
			a = netip.AddrFrom16(r.ecsAddr)
		}
		return netip.PrefixFrom(a, int(r.ecsSource)), true
	}
	src = src.Unmap()
	return netip.PrefixFrom(src, src.BitLen()), false
}

// nameEnd returns the offset just past the domain name at msg[off:],
// checking label types and the 255-octet limit. Compression pointers end
// the name when allowed; their targets are not followed.
func nameEnd(msg []byte, off int, pointers bool) (int, bool) {
	total := 0
	for {
		if off >= len(msg) {
			return 0, false
		}
		c := int(msg[off])
		switch c & 0xC0 {
		case 0x00:
			total += c + 1
			if total > maxNameWire {
				return 0, false
			}
			off += c + 1
			if c == 0 {
				return off, true
			}
		case 0xC0:
			if !pointers || off+2 > len(msg) {
				return 0, false
			}
			return off + 2, true
		default:
			return 0, false // 0x40 and 0x80 label types are obsolete or reserved
		}
	}
}

// skipRR returns the offset past the resource record at msg[off:] and its
// type.
func skipRR(msg []byte, off int) (int, uint16, bool) {
	off, ok := nameEnd(msg, off, true)
	if !ok || off+10 > len(msg) {
		return 0, 0, false
	}
	typ := binary.BigEndian.Uint16(msg[off:])
	end := off + 10 + int(binary.BigEndian.Uint16(msg[off+8:]))
	if end > len(msg) {
		return 0, 0, false
	}
	return end, typ, true
}

// presentation converts an uncompressed wire-format name into presentation
// format exactly as miekg/dns writes names (which is how zones keys them):
// special characters backslash-escaped, other non-printable octets as \DDD.
// It returns the name as sent and in lower case; they share memory when
// the name has no upper-case letters.
func presentation(wire []byte) (name, lower string) {
	var buf [4 * maxNameWire]byte
	b := buf[:0]
	upper := false
	for i := 0; wire[i] != 0; {
		n := int(wire[i])
		for _, c := range wire[i+1 : i+1+n] {
			switch {
			case c == '.' || c == ' ' || c == '\'' || c == '@' || c == ';' || c == '(' || c == ')' || c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < ' ' || c > '~':
				b = append(b, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
			default:
				upper = upper || ('A' <= c && c <= 'Z')
				b = append(b, c)
			}
		}
		b = append(b, '.')
		i += 1 + n
	}
	if len(b) == 0 {
		return ".", "."
	}
	name = string(b)
	if !upper {
		return name, name
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return name, string(b)
}
