package dns

import (
	"fmt"
	"strings"

	mdns "github.com/miekg/dns"
)

// The CHAOS-class names a server answers about itself, as NSD and Knot
// do: its identity (the NSID) and its version.
const (
	chaosIDServer      = "id.server."
	chaosHostnameBind  = "hostname.bind."
	chaosVersionBind   = "version.bind."
	chaosVersionServer = "version.server."
)

// chaos answers a query of class CH: a TXT record (TTL 0, AA clear) with
// the NSID for id.server. and hostname.bind., with Config.Version for
// version.bind. and version.server., when they are set and the type is
// TXT or ANY (as NSD; Knot refuses ANY). Anything else is REFUSED, as
// every other class.
func (h *handler) chaos(out, msg []byte, s *scratch, tcp bool) []byte {
	r := &s.req
	var value string
	if r.qtype == mdns.TypeTXT || r.qtype == mdns.TypeANY {
		switch r.lname {
		case chaosIDServer, chaosHostnameBind:
			value = string(r.lim.nsid)
		case chaosVersionBind, chaosVersionServer:
			value = r.lim.version
		}
	}
	if value == "" {
		return h.bare(out, msg, r, mdns.RcodeRefused)
	}
	m := s.header()
	m.Answer = append(m.Answer, &mdns.TXT{
		Hdr: mdns.RR_Header{Name: r.lname, Rrtype: mdns.TypeTXT, Class: mdns.ClassCHAOS},
		Txt: txtStrings(value),
	})
	return h.pack(out, s, tcp, 0)
}

// txtStrings returns v as the character-strings of a TXT record in
// miekg/dns's presentation form: quotes, backslashes and unprintable
// octets escaped, cut into strings of at most 255 octets.
func txtStrings(v string) []string {
	var out []string
	for len(v) > 0 {
		n := min(len(v), 255)
		var b strings.Builder
		for i := range n {
			switch c := v[i]; {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < ' ' || c > '~':
				fmt.Fprintf(&b, "\\%03d", c)
			default:
				b.WriteByte(c)
			}
		}
		out = append(out, b.String())
		v = v[n:]
	}
	return out
}
