package dns

import (
	"errors"
	"fmt"
	"strings"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/zones"
)

// ParseRecord parses one record in presentation format, relative names
// being relative to origin and a missing TTL being defaultTTL. It is the
// zones.Parser of the server: zones never imports miekg/dns itself.
func ParseRecord(text, origin string, defaultTTL uint32) (zones.Record, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return zones.Record{}, errors.New("empty record")
	}
	if strings.HasPrefix(text, "$") {
		return zones.Record{}, fmt.Errorf("directive %q not allowed: one record per string", strings.Fields(text)[0])
	}
	if rec, ok := parseFast(text, origin, defaultTTL); ok {
		return rec, nil
	}
	return parseRecord(text, origin, defaultTTL)
}

// parseRecord is ParseRecord through miekg/dns's zone parser.
func parseRecord(text, origin string, defaultTTL uint32) (zones.Record, error) {
	zp := mdns.NewZoneParser(strings.NewReader(text), origin, "")
	zp.SetDefaultTTL(defaultTTL)
	zp.SetIncludeAllowed(false)
	rr, ok := zp.Next()
	if err := zp.Err(); err != nil {
		return zones.Record{}, parseError(err)
	}
	if !ok || rr == nil {
		return zones.Record{}, errors.New("no record")
	}
	if _, more := zp.Next(); more {
		return zones.Record{}, errors.New("more than one record in one string")
	}
	if err := zp.Err(); err != nil {
		return zones.Record{}, parseError(err)
	}
	h := rr.Header()
	if h.Class != mdns.ClassINET {
		return zones.Record{}, fmt.Errorf("class %s not served: only IN", mdns.ClassToString[h.Class])
	}
	h.Name = canonical(h.Name)
	lowerRdata(rr)
	rdata, err := canonicalRdata(rr)
	if err != nil {
		return zones.Record{}, err
	}
	rec := zones.Record{Name: h.Name, Type: h.Rrtype, TTL: h.Ttl, Data: rr, RData: rdata}
	switch v := rr.(type) {
	case *mdns.NS: // lowerRdata made these names canonical already
		rec.Target = v.Ns
	case *mdns.CNAME:
		rec.Target = v.Target
	case *mdns.DNAME:
		rec.Target = v.Target
	case *mdns.MX:
		rec.Target = v.Mx
	case *mdns.SRV:
		rec.Target = v.Target
	}
	rec.Data = opaque(rr)
	return rec, nil
}

// lowerRdata lower-cases the names in the RDATA of the types that RFC 4034
// 6.2 lists for the canonical form (those of RFC 1035 and RFC 3597 4 that
// hold names, with DNAME, SRV, NAPTR, ...): NSD and Knot answer them in
// lower case whatever the zone file's case.
func lowerRdata(rr mdns.RR) {
	switch v := rr.(type) {
	case *mdns.NS:
		v.Ns = canonical(v.Ns)
	case *mdns.MD:
		v.Md = canonical(v.Md)
	case *mdns.MF:
		v.Mf = canonical(v.Mf)
	case *mdns.CNAME:
		v.Target = canonical(v.Target)
	case *mdns.SOA:
		v.Ns, v.Mbox = canonical(v.Ns), canonical(v.Mbox)
	case *mdns.MB:
		v.Mb = canonical(v.Mb)
	case *mdns.MG:
		v.Mg = canonical(v.Mg)
	case *mdns.MR:
		v.Mr = canonical(v.Mr)
	case *mdns.PTR:
		v.Ptr = canonical(v.Ptr)
	case *mdns.MINFO:
		v.Rmail, v.Email = canonical(v.Rmail), canonical(v.Email)
	case *mdns.MX:
		v.Mx = canonical(v.Mx)
	case *mdns.RP:
		v.Mbox, v.Txt = canonical(v.Mbox), canonical(v.Txt)
	case *mdns.AFSDB:
		v.Hostname = canonical(v.Hostname)
	case *mdns.RT:
		v.Host = canonical(v.Host)
	case *mdns.PX:
		v.Map822, v.Mapx400 = canonical(v.Map822), canonical(v.Mapx400)
	case *mdns.NAPTR:
		v.Replacement = canonical(v.Replacement)
	case *mdns.KX:
		v.Exchanger = canonical(v.Exchanger)
	case *mdns.SRV:
		v.Target = canonical(v.Target)
	case *mdns.DNAME:
		v.Target = canonical(v.Target)
	case *mdns.RRSIG:
		v.SignerName = canonical(v.SignerName)
	case *mdns.SIG:
		v.SignerName = canonical(v.SignerName)
	}
}

// canonicalRdata returns the RDATA of rr in canonical wire form (RFC 4034
// 6.2: uncompressed, with the names lowerRdata lowers in lower case), by
// which the zone loader tells a duplicate record. Packing also refuses names
// longer than 255 octets in wire format (RFC 1035 2.3.4), which miekg/dns's
// parser lets through when it appends the origin to a relative name: the
// owner and every name of the RDATA.
//
// The buffer is the record's own length (at most 4×255 octets, beyond which
// the record is refused as before): a zone of a million records should not
// allocate a kilobyte for each.
func canonicalRdata(rr mdns.RR) (string, error) {
	buf := make([]byte, min(mdns.Len(rr)+1, 4*maxNameWire))
	end, err := mdns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		return "", fmt.Errorf("cannot encode the record: %v", err)
	}
	owner := wireLen(rr.Header().Name)
	if owner > maxNameWire {
		return "", fmt.Errorf("owner name is %d octets long, more than 255", owner)
	}
	// RDATA names: miekg/dns packs them whatever their length but
	// refuses to unpack one over the limit. A, AAAA and TXT hold none.
	if t := rr.Header().Rrtype; t != mdns.TypeA && t != mdns.TypeAAAA && t != mdns.TypeTXT {
		if _, _, err := mdns.UnpackRR(buf[:end], 0); err != nil {
			return "", fmt.Errorf("a name in the record is longer than 255 octets (%v)", err)
		}
	}
	const fixed = 10 // type, class, TTL and RDLENGTH after the owner name
	return string(buf[owner+fixed : end]), nil
}

// wireLen returns the length of name in wire format.
func wireLen(name string) int {
	var buf [2 * maxNameWire]byte
	n, err := mdns.PackDomainName(name, buf[:], 0, nil, false)
	if err != nil {
		return len(buf)
	}
	return n
}

// compressible are the types whose RDATA names may be compressed (RFC 3597
// 4: those of RFC 1035). NSD and Knot compress other names neither in RDATA
// nor against them.
var compressible = map[uint16]bool{
	mdns.TypeNS: true, mdns.TypeMD: true, mdns.TypeMF: true, mdns.TypeCNAME: true,
	mdns.TypeSOA: true, mdns.TypeMB: true, mdns.TypeMG: true, mdns.TypeMR: true,
	mdns.TypePTR: true, mdns.TypeMINFO: true, mdns.TypeMX: true,
	// no names in their RDATA: nothing to change
	mdns.TypeA: true, mdns.TypeAAAA: true, mdns.TypeTXT: true,
}

// opaque returns rr as an RFC 3597 record with the same wire form when its
// type may hold names that must not be compressed (DNAME, SRV, NAPTR,
// SVCB, ...): miekg/dns writes those uncompressed but still points later
// names at them, which NSD and Knot never do, so that a reply's later
// names would differ from theirs in size and case.
func opaque(rr mdns.RR) mdns.RR {
	if compressible[rr.Header().Rrtype] {
		return rr
	}
	u := new(mdns.RFC3597)
	if err := u.ToRFC3597(rr); err != nil {
		return rr
	}
	return u
}

// canonical returns name in lower case and in the one presentation form
// the handler gives query names (presentation): a name written with
// another escape for the same octet ("a\032b" for "a\ b", "\097" for
// "a") must find the same records.
func canonical(name string) string {
	var buf [maxNameWire + 1]byte
	off, err := mdns.PackDomainName(name, buf[:], 0, nil, false)
	if err != nil || off == 0 {
		return strings.ToLower(name)
	}
	_, lower := presentation(buf[:off])
	return lower
}

// parseError strips the zone parser's file and line decoration: the caller
// positions the error at the TOML string.
func parseError(err error) error {
	var pe *mdns.ParseError
	if errors.As(err, &pe) {
		msg := strings.TrimPrefix(pe.Error(), "dns: ")
		if i := strings.Index(msg, " at line: "); i >= 0 {
			msg = msg[:i]
		}
		return errors.New(unrepeat(msg))
	}
	return err
}

// unrepeat rewrites miekg/dns's messages that name a field after its type,
// such as `bad A A: "1.2.3"`, as `bad A address: "1.2.3"`: the second word
// says what was wrong, not the type again.
func unrepeat(msg string) string {
	f := strings.SplitN(msg, " ", 3)
	if len(f) < 3 || f[0] != "bad" {
		return msg
	}
	typ, field, rest, ok := f[1], f[2], "", false
	if field, rest, ok = strings.Cut(field, ":"); !ok {
		return msg
	}
	if !strings.EqualFold(typ, field) {
		return msg
	}
	what := "data"
	switch typ {
	case "A", "AAAA":
		what = "address"
	case "NS", "PTR", "MB", "MD", "MF", "MG", "MR":
		what = "name"
	case "MX":
		what = "exchange"
	case "TXT":
		what = "text"
	}
	return "bad " + typ + " " + what + ":" + rest
}
