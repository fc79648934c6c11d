package zones

import (
	"fmt"
	"strings"
)

// soa builds the SOA records from the [soa] table and the first apex NS.
func (c *compiler) soa(records []*Record) {
	t := c.root
	primary, contact := "", "hostmaster."+c.origin
	for _, r := range records {
		if r.Type == TypeNS && r.Name == c.origin {
			primary = r.Target
			break
		}
	}
	serial, refresh, retry, expire, minimum := c.opts.Serial, uint32(DefaultRefresh), uint32(DefaultRetry), uint32(DefaultExpire), uint32(DefaultNegativeTTL)
	if serial == 0 {
		serial = 1
	}
	if s, ok := t.Table("soa"); ok {
		if v, ok := s.Str("primary"); ok {
			primary = fqdn(v, c.origin)
		}
		if v, ok := s.Str("contact"); ok {
			if name, err := contactName(v, c.origin); err != nil {
				s.Errorf(s.KeyPath("contact"), "%v", err)
			} else {
				contact = name
			}
		}
		if v, ok := s.Int("serial", 0, 1<<32-1); ok {
			serial = uint32(v)
		}
		for _, f := range []struct {
			key string
			dst *uint32
		}{{"refresh", &refresh}, {"retry", &retry}, {"expire", &expire}, {"negative_ttl", &minimum}} {
			if v, ok := ttl(s, f.key); ok {
				*f.dst = v
			}
		}
		s.Unknown(misplaced)
	}
	if primary == "" {
		primary = c.origin
	}
	soaText := func(ttl uint32) string {
		return fmt.Sprintf("%s %d IN SOA %s %s %d %d %d %d %d", c.origin, ttl, primary, contact, serial, refresh, retry, expire, minimum)
	}
	soa, err := c.parse(soaText(c.ttl), c.origin, c.ttl)
	if err != nil {
		t.Errorf(t.KeyPath("soa"), "invalid SOA: %v", err)
		return
	}
	neg, err := c.parse(soaText(min(c.ttl, minimum)), c.origin, c.ttl)
	if err != nil {
		t.Errorf(t.KeyPath("soa"), "invalid SOA: %v", err)
		return
	}
	pos := t.Pos(t.KeyPath("soa"))
	soa.Line, soa.Col = int32(pos.Line), int32(pos.Col)
	neg.Line, neg.Col = soa.Line, soa.Col
	c.z.SOA, c.z.NegSOA, c.z.Serial = &soa, &neg, serial
	c.add(c.z.SOA)
	for _, r := range records {
		c.add(r)
	}
}

// contactName returns the SOA RNAME of the [soa] contact v. An email
// address (hostmaster@example.com) is absolute as written: its local part
// becomes the first label (dots in it escaped, RFC 1035 8) and the domain,
// with or without a final dot, the rest. Without "@", v is a name like any
// other of the zone file: relative to origin unless it ends in a dot.
func contactName(v, origin string) (string, error) {
	v = strings.TrimSpace(v)
	local, domain, ok := strings.Cut(v, "@")
	if !ok {
		return fqdn(v, origin), nil
	}
	domain = strings.TrimSuffix(domain, ".")
	if local == "" || domain == "" || strings.Contains(domain, "@") {
		return "", fmt.Errorf("contact %q: want an email address (hostmaster@example.com) or a name (hostmaster.example.com.)", v)
	}
	return strings.ToLower(strings.ReplaceAll(local, ".", `\.`) + "." + domain + "."), nil
}
