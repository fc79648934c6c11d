package dns

import (
	"net"
	"net/netip"
	"strconv"
	"strings"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/zones"
)

// parseAddress parses the commonest zone record, an A or AAAA record
// written plainly, without miekg/dns's zone parser, which costs a lexer and
// a dozen allocations per record: a zone of a million records loads in a
// third of the time. It returns exactly what ParseRecord returns for the
// same text (TestParseAddressAgrees and FuzzParseAddress compare them), and
// ok false for anything it does not take on, which ParseRecord then hands to
// the zone parser: it takes an owner of plain labels (letters, digits, '-',
// '_', a '*' label first), '@', relative or absolute; an optional decimal
// TTL; an optional class IN; the type A or AAAA (any case); one address; no
// comment, quote, parenthesis or escape.
func parseAddress(text, origin string, defaultTTL uint32) (zones.Record, bool) {
	var f [6]string
	n := 0
	for rest := text; ; {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		if n == len(f) {
			return zones.Record{}, false
		}
		end := strings.IndexAny(rest, " \t")
		if end < 0 {
			end = len(rest)
		}
		f[n], rest = rest[:end], rest[end:]
		n++
	}
	if n < 3 || !plainName(origin) || !strings.HasSuffix(origin, ".") {
		return zones.Record{}, false
	}
	owner, fields := f[0], f[1:n]
	ttl := defaultTTL
	if c := fields[0][0]; c >= '0' && c <= '9' {
		if len(fields[0]) > 9 {
			return zones.Record{}, false
		}
		v, err := strconv.ParseUint(fields[0], 10, 32)
		if err != nil {
			return zones.Record{}, false
		}
		ttl, fields = uint32(v), fields[1:]
	}
	if len(fields) > 0 && strings.EqualFold(fields[0], "IN") {
		fields = fields[1:]
	}
	if len(fields) != 2 {
		return zones.Record{}, false
	}
	var typ uint16
	switch {
	case strings.EqualFold(fields[0], "A"):
		typ = mdns.TypeA
	case strings.EqualFold(fields[0], "AAAA"):
		typ = mdns.TypeAAAA
	default:
		return zones.Record{}, false
	}
	addr, ok := plainAddr(fields[1], typ)
	if !ok {
		return zones.Record{}, false
	}
	name, ok := ownerName(owner, origin)
	if !ok {
		return zones.Record{}, false
	}
	// As miekg/dns's parser: the address as net.ParseIP gives it (16
	// octets), and the RDLENGTH that packing sets.
	ip16 := addr.As16()
	ip := net.IP(ip16[:])
	var rr mdns.RR
	var rdata string
	if typ == mdns.TypeA {
		v4 := addr.As4()
		rdata = string(v4[:])
		rr = &mdns.A{Hdr: mdns.RR_Header{Name: name, Rrtype: typ, Class: mdns.ClassINET, Ttl: ttl, Rdlength: 4}, A: ip}
	} else {
		rdata = string(ip16[:])
		rr = &mdns.AAAA{Hdr: mdns.RR_Header{Name: name, Rrtype: typ, Class: mdns.ClassINET, Ttl: ttl, Rdlength: 16}, AAAA: ip}
	}
	return zones.Record{Name: name, Type: typ, TTL: ttl, Addr: addr, Data: rr, RData: rdata}, true
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
		name = owner
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
