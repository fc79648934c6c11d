package dns

import (
	"net/netip"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/zones"
)

// parseFast parses the commonest zone records written plainly without
// miekg/dns's zone parser, which costs a lexer and a dozen allocations per
// record: A and AAAA (a zone of a million records loads in a third of the
// time), and NS, CNAME, PTR, MX, SRV, TXT and SOA (every zone has one: the
// zones package writes it from the file's [soa] table, and its parse was
// a fifth of loading 10,000 small zones). It returns exactly what
// ParseRecord returns for the same text (TestParseFastAgrees and
// FuzzParseFast compare them), and ok false for anything it does not take
// on, which ParseRecord then hands to the zone parser.
//
// It takes an owner of plain labels (letters, digits, '-', '_', a '*'
// label first), '@', relative or absolute, in a zone whose origin is
// plain; an optional decimal TTL; an optional class IN; the type (any
// case); and RDATA of the type's plainest form: addresses without an
// embedded IPv4 or a zone, decimal numbers, names of plain labels without
// '*' (or '@'), TXT strings in double quotes of printable ASCII without
// '\' or '"' and at most 255 octets each, SOA timers and serial as
// decimal numbers. No comment, parenthesis or escape anywhere.
func parseFast(text, origin string, defaultTTL uint32) (zones.Record, bool) {
	if !plainName(origin) || !strings.HasSuffix(origin, ".") {
		return zones.Record{}, false
	}
	owner, rest := field(text)
	f, rest := field(rest)
	if owner == "" || f == "" {
		return zones.Record{}, false
	}
	ttl := defaultTTL
	if c := f[0]; c >= '0' && c <= '9' {
		if len(f) > 9 {
			return zones.Record{}, false
		}
		v, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return zones.Record{}, false
		}
		ttl = uint32(v)
		f, rest = field(rest)
	}
	if strings.EqualFold(f, "IN") {
		f, rest = field(rest)
	}
	typ, ok := fastType(f)
	if !ok {
		return zones.Record{}, false
	}
	name, ok := ownerName(owner, origin)
	if !ok {
		return zones.Record{}, false
	}
	hdr := mdns.RR_Header{Name: name, Rrtype: typ, Class: mdns.ClassINET, Ttl: ttl}
	rec := zones.Record{Name: name, Type: typ, TTL: ttl}
	switch typ {
	case mdns.TypeA, mdns.TypeAAAA:
		return fastAddress(rec, hdr, rest)
	case mdns.TypeTXT:
		return fastTXT(rec, hdr, rest)
	case mdns.TypeSOA:
		return fastSOA(rec, hdr, rest, origin)
	}
	// The other types are numbers, then one name.
	var nums [3]uint16
	n := 0
	switch typ {
	case mdns.TypeMX:
		n = 1 // preference
	case mdns.TypeSRV:
		n = 3 // priority, weight, port
	}
	for i := range n {
		f, rest = field(rest)
		v, ok := number16(f)
		if !ok {
			return zones.Record{}, false
		}
		nums[i] = v
	}
	f, rest = field(rest)
	target, ok := targetName(f, origin)
	if !ok || rest != "" {
		return zones.Record{}, false
	}
	var buf [2*maxNameWire + 8]byte
	rdata := buf[:0]
	for _, v := range nums[:n] {
		rdata = append(rdata, byte(v>>8), byte(v))
	}
	rdata = appendWireName(rdata, target)
	hdr.Rdlength = uint16(len(rdata))
	rec.RData = string(rdata)
	switch typ {
	case mdns.TypeNS:
		rec.Target, rec.Data = target, &mdns.NS{Hdr: hdr, Ns: target}
	case mdns.TypeCNAME:
		rec.Target, rec.Data = target, &mdns.CNAME{Hdr: hdr, Target: target}
	case mdns.TypePTR:
		rec.Data = &mdns.PTR{Hdr: hdr, Ptr: target}
	case mdns.TypeMX:
		rec.Target, rec.Data = target, &mdns.MX{Hdr: hdr, Preference: nums[0], Mx: target}
	case mdns.TypeSRV:
		// SRV names are not compressed: the reply carries it opaque, as
		// ParseRecord does.
		rec.Target = target
		rec.Data = opaque(&mdns.SRV{Hdr: hdr, Priority: nums[0], Weight: nums[1], Port: nums[2], Target: target})
	}
	return rec, true
}

// field returns the first blank-separated field of s and what follows it,
// without the blanks around it.
func field(s string) (string, string) {
	s = strings.TrimLeft(s, " \t")
	end := strings.IndexAny(s, " \t")
	if end < 0 {
		return s, ""
	}
	return s[:end], strings.TrimLeft(s[end:], " \t")
}

// fastType returns the type parseFast takes that s names (any case).
func fastType(s string) (uint16, bool) {
	var up [5]byte
	if len(s) > len(up) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	switch string(up[:len(s)]) {
	case "A":
		return mdns.TypeA, true
	case "AAAA":
		return mdns.TypeAAAA, true
	case "NS":
		return mdns.TypeNS, true
	case "CNAME":
		return mdns.TypeCNAME, true
	case "PTR":
		return mdns.TypePTR, true
	case "MX":
		return mdns.TypeMX, true
	case "SRV":
		return mdns.TypeSRV, true
	case "TXT":
		return mdns.TypeTXT, true
	case "SOA":
		return mdns.TypeSOA, true
	}
	return 0, false
}

// fastAddress finishes an A or AAAA record whose RDATA is rest: one
// address.
func fastAddress(rec zones.Record, hdr mdns.RR_Header, rest string) (zones.Record, bool) {
	f, rest := field(rest)
	addr, ok := plainAddr(f, hdr.Rrtype)
	if !ok || rest != "" {
		return zones.Record{}, false
	}
	// As miekg/dns's parser: the address as net.ParseIP gives it (16
	// octets), and the RDLENGTH that packing sets. The address is held in
	// the same allocation as the record: one object per record, not two.
	ip16 := addr.As16()
	if hdr.Rrtype == mdns.TypeA {
		v4 := addr.As4()
		hdr.Rdlength = 4
		rec.RData = string(v4[:])
		a := &struct {
			rr mdns.A
			ip [16]byte
		}{ip: ip16}
		a.rr = mdns.A{Hdr: hdr, A: a.ip[:]}
		rec.Data = &a.rr
	} else {
		hdr.Rdlength = 16
		rec.RData = string(ip16[:])
		a := &struct {
			rr mdns.AAAA
			ip [16]byte
		}{ip: ip16}
		a.rr = mdns.AAAA{Hdr: hdr, AAAA: a.ip[:]}
		rec.Data = &a.rr
	}
	return rec, true
}

// fastTXT finishes a TXT record whose RDATA is rest: one or more strings
// in double quotes, separated by blanks.
func fastTXT(rec zones.Record, hdr mdns.RR_Header, rest string) (zones.Record, bool) {
	rest = strings.Clone(rest) // not a part of the zone file's text, which it would keep
	var txt []string
	var rdata []byte
	for rest != "" {
		if rest[0] != '"' {
			return zones.Record{}, false
		}
		end := strings.IndexByte(rest[1:], '"') + 1
		if end == 0 || end-1 > 255 {
			return zones.Record{}, false
		}
		s := rest[1:end]
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < ' ' || c > '~' || c == '\\' {
				return zones.Record{}, false
			}
		}
		rest = rest[end+1:]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			return zones.Record{}, false
		}
		rest = strings.TrimLeft(rest, " \t")
		txt = append(txt, s)
		rdata = append(append(rdata, byte(len(s))), s...)
	}
	if len(txt) == 0 || len(rdata) > 0xffff {
		return zones.Record{}, false
	}
	hdr.Rdlength = uint16(len(rdata))
	rec.RData = string(rdata)
	rec.Data = &mdns.TXT{Hdr: hdr, Txt: txt}
	return rec, true
}

// fastSOA finishes an SOA record whose RDATA is rest: the primary name
// server and the contact's mailbox as names, then the serial, refresh,
// retry, expire and minimum as decimal numbers.
func fastSOA(rec zones.Record, hdr mdns.RR_Header, rest, origin string) (zones.Record, bool) {
	var names [2]string
	for i := range names {
		var f string
		f, rest = field(rest)
		name, ok := targetName(f, origin)
		if !ok {
			return zones.Record{}, false
		}
		names[i] = name
	}
	var nums [5]uint32
	for i := range nums {
		var f string
		f, rest = field(rest)
		v, ok := number32(f)
		if !ok {
			return zones.Record{}, false
		}
		nums[i] = v
	}
	if rest != "" {
		return zones.Record{}, false
	}
	var buf [2*maxNameWire + 20]byte
	rdata := appendWireName(appendWireName(buf[:0], names[0]), names[1])
	for _, v := range nums {
		rdata = append(rdata, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	hdr.Rdlength = uint16(len(rdata))
	rec.RData = string(rdata)
	rec.Data = &mdns.SOA{Hdr: hdr, Ns: names[0], Mbox: names[1], Serial: nums[0], Refresh: nums[1],
		Retry: nums[2], Expire: nums[3], Minttl: nums[4]}
	return rec, true
}

// number32 parses a decimal number of at most 32 bits.
func number32(s string) (uint32, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err == nil
}

// number16 parses a decimal number of at most 65535.
func number16(s string) (uint16, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 16)
	return uint16(v), err == nil
}

// targetName returns the absolute, lower-case name for a name in RDATA
// ('@', or plain labels without '*', relative to origin or absolute), or
// false.
func targetName(s, origin string) (string, bool) {
	if strings.Contains(s, "*") {
		return "", false
	}
	return ownerName(s, origin)
}

// appendWireName appends name, absolute and of plain labels, in wire form.
func appendWireName(b []byte, name string) []byte {
	for name != "." && name != "" {
		i := strings.IndexByte(name, '.')
		b = append(append(b, byte(i)), name[:i]...)
		name = name[i+1:]
	}
	return append(b, 0)
}

// plainAddr parses an IPv4 address (digits and dots) for A or an IPv6
// address (hex digits and colons, no embedded IPv4, no zone) for AAAA.
func plainAddr(s string, typ uint16) (netip.Addr, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && typ == mdns.TypeA:
		case c == ':' && typ == mdns.TypeAAAA:
		case typ == mdns.TypeAAAA && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
		default:
			return netip.Addr{}, false
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil || (typ == mdns.TypeA) != a.Is4() {
		return netip.Addr{}, false
	}
	return a, true
}

// ownerName returns the absolute, lower-case owner for owner (plain labels,
// '@', relative to origin or absolute), or false when it is not plain or is
// too long (the zone parser then says why).
func ownerName(owner, origin string) (string, bool) {
	var name string
	switch {
	case owner == "@":
		name = origin
	case !plainName(owner):
		return "", false
	case strings.HasSuffix(owner, "."):
		name = strings.Clone(owner) // not a part of the zone file's text, which it would keep
	case origin == ".":
		name = owner + "."
	default:
		name = owner + "." + origin
	}
	if len(name)+1 > maxNameWire { // plain labels: the wire form is one octet longer
		return "", false
	}
	return strings.ToLower(name), true
}

// plainName reports whether name is made of labels of letters, digits, '-'
// and '_' of at most 63 octets, the first of which may be '*', with or
// without a final dot; "." itself is plain.
func plainName(name string) bool {
	if name == "." {
		return true
	}
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return false
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			c := name[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '*' && start == 0 && i == 0) {
				return false
			}
			continue
		}
		label := name[start:i]
		if label == "" || len(label) > 63 || strings.Contains(label, "*") && label != "*" {
			return false
		}
		start = i + 1
	}
	return true
}
