package dns

import (
	"errors"
	"fmt"
	"net/netip"
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
	h.Name = strings.ToLower(h.Name)
	rec := zones.Record{Name: h.Name, Type: h.Rrtype, TTL: h.Ttl, Data: rr}
	switch v := rr.(type) {
	case *mdns.A:
		rec.Addr, _ = netip.AddrFromSlice(v.A.To4())
	case *mdns.AAAA:
		rec.Addr, _ = netip.AddrFromSlice(v.AAAA.To16())
	case *mdns.NS:
		rec.Target = strings.ToLower(v.Ns)
	case *mdns.CNAME:
		rec.Target = strings.ToLower(v.Target)
	case *mdns.DNAME:
		rec.Target = strings.ToLower(v.Target)
	case *mdns.MX:
		rec.Target = strings.ToLower(v.Mx)
	case *mdns.SRV:
		rec.Target = strings.ToLower(v.Target)
	}
	return rec, nil
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
		return errors.New(msg)
	}
	return err
}
