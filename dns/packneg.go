package dns

import (
	"encoding/binary"
	"strings"

	mdns "github.com/miekg/dns"
)

// packNegative packs by hand the commonest reply after an address answer:
// no answer and the zone's SOA alone in the authority section (NXDOMAIN,
// and NODATA, as for an AAAA query of a name with only A records). It
// writes what PackBuffer writes, octet for octet: the header, the question
// as sent, the SOA's owner and its two RDATA names compressed as miekg/dns
// compresses them (each name's longest suffix already written becomes a
// pointer, and every suffix written before offset 16384 may be pointed
// at; the question's suffixes under their lower-case keys). It reports
// false, having written nothing useful, for any other message and for
// names with escapes or more labels than c holds, which PackBuffer then
// packs.
func packNegative(out []byte, m *mdns.Msg, r *request, c *compressor) ([]byte, bool) {
	if len(m.Answer) > 0 || len(m.Ns) != 1 || len(m.Extra) > 0 || len(m.Question) != 1 ||
		m.Rcode < 0 || m.Rcode > 0xF || !m.Compress || len(r.qwire) < 1 ||
		m.Truncated || m.RecursionAvailable || m.Zero || m.AuthenticatedData || m.CheckingDisabled {
		return nil, false
	}
	soa, ok := m.Ns[0].(*mdns.SOA)
	q := &m.Question[0]
	if !ok || q.Name != r.lname || soa.Hdr.Rrtype != mdns.TypeSOA {
		return nil, false
	}
	// The longest reply: header, question, and three names of at most
	// 255 octets with the SOA's fixed fields.
	if len(out) < headerLen+len(r.qwire)+4+3*maxNameWire+10+20 {
		return nil, false
	}
	c.reset()
	b := out[:headerLen]
	writeHeader(b, m, 0, 1)
	// The question, registered under its lower-case name at the offsets
	// of its labels (a plain name's label at index i of its presentation
	// form starts at octet i of its wire form).
	if !c.addQuestion(r.lname) {
		return nil, false
	}
	b = append(b, r.qwire...)
	b = binary.BigEndian.AppendUint16(b, q.Qtype)
	b = binary.BigEndian.AppendUint16(b, q.Qclass)
	if b, ok = c.appendName(b, soa.Hdr.Name); !ok {
		return nil, false
	}
	b = binary.BigEndian.AppendUint16(b, soa.Hdr.Rrtype)
	b = binary.BigEndian.AppendUint16(b, soa.Hdr.Class)
	b = binary.BigEndian.AppendUint32(b, soa.Hdr.Ttl)
	rdlen := len(b)
	b = append(b, 0, 0)
	if b, ok = c.appendName(b, soa.Ns); !ok {
		return nil, false
	}
	if b, ok = c.appendName(b, soa.Mbox); !ok {
		return nil, false
	}
	for _, v := range [...]uint32{soa.Serial, soa.Refresh, soa.Retry, soa.Expire, soa.Minttl} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	binary.BigEndian.PutUint16(b[rdlen:], uint16(len(b)-rdlen-2))
	return b, true
}

// writeHeader writes m's header into b[:headerLen] with one question and
// the given numbers of answer and authority records, as PackBuffer does
// for a message whose flags packAddrs and packNegative accept.
func writeHeader(b []byte, m *mdns.Msg, answers, authority int) {
	flags := uint16(m.Opcode)<<11 | uint16(m.Rcode)
	if m.Response {
		flags |= flagQR
	}
	if m.Authoritative {
		flags |= flagAA
	}
	if m.RecursionDesired {
		flags |= flagRD
	}
	binary.BigEndian.PutUint16(b[0:], m.Id)
	binary.BigEndian.PutUint16(b[2:], flags)
	binary.BigEndian.PutUint16(b[4:], 1)
	binary.BigEndian.PutUint16(b[6:], uint16(answers))
	binary.BigEndian.PutUint16(b[8:], uint16(authority))
	binary.BigEndian.PutUint16(b[10:], 0)
}

// maxCompressed is the most name suffixes a compressor holds: enough for
// the names of an ordinary negative reply, four names of a few labels.
const maxCompressed = 32

// compressor is miekg/dns's compression map for the few names of one
// reply, searched in order: the suffixes (from a label on, the root
// excepted) of the names written so far and their offsets.
type compressor struct {
	suffix [maxCompressed]string
	off    [maxCompressed]uint16
	n      int
	full   bool // a suffix did not fit: the reply is left to miekg/dns
}

func (c *compressor) reset() { c.n, c.full = 0, false }

// find returns the offset of suffix, if written.
func (c *compressor) find(suffix string) (int, bool) {
	for i := range c.n {
		if c.suffix[i] == suffix {
			return int(c.off[i]), true
		}
	}
	return 0, false
}

// add registers suffix at off when off can be pointed at.
func (c *compressor) add(suffix string, off int) {
	if off >= 1<<14 {
		return // beyond a pointer's reach, as miekg/dns's maxCompressionOffset
	}
	if c.n == maxCompressed {
		c.full = true
		return
	}
	c.suffix[c.n], c.off[c.n] = suffix, uint16(off)
	c.n++
}

// addQuestion registers the suffixes of the question's name, written at
// headerLen; false when the name is not plain.
func (c *compressor) addQuestion(name string) bool {
	if !plainWire(name) {
		return false
	}
	if name == "." {
		return true
	}
	for i := 0; i < len(name); {
		c.add(name[i:], headerLen+i)
		i += strings.IndexByte(name[i:], '.') + 1
	}
	return !c.full
}

// appendName appends name in wire format, compressed as PackBuffer
// compresses a name that may be: the first suffix already written is a
// pointer; the suffixes written before it are registered. false when the
// name is not plain or the compressor is full.
func (c *compressor) appendName(b []byte, name string) ([]byte, bool) {
	if !plainWire(name) {
		return b, false
	}
	if name == "." {
		return append(b, 0), true
	}
	for i := 0; i < len(name); {
		if p, ok := c.find(name[i:]); ok {
			return binary.BigEndian.AppendUint16(b, uint16(p)|0xC000), true
		}
		c.add(name[i:], len(b))
		n := strings.IndexByte(name[i:], '.')
		b = append(b, byte(n))
		b = append(b, name[i:i+n]...)
		i += n + 1
	}
	return append(b, 0), !c.full
}

// plainWire reports whether name is absolute, without escapes, and made of
// labels of 1 to 63 octets ("." itself is plain): its presentation form
// is its wire form with each label's length in place of the dot before it.
func plainWire(name string) bool {
	if name == "." {
		return true
	}
	if len(name) < 2 || len(name) > maxNameWire-1 || name[len(name)-1] != '.' || strings.IndexByte(name, '\\') >= 0 {
		return false
	}
	start := 0
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			if n := i - start; n < 1 || n > maxLabel {
				return false
			}
			start = i + 1
		}
	}
	return true
}
