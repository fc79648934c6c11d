package config

import (
	"net/netip"
	"time"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// RRL is the [rrl] table: response rate limiting per client prefix, as in
// BIND, NSD and Knot. Off unless ResponsesPerSecond is set.
type RRL struct {
	ResponsesPerSecond int            // identical responses per prefix per second; default 0: RRL off
	Window             time.Duration  // how long a limited account is kept in preference to others; default DefaultRRLWindow
	Slip               int            // every Slip-th limited response is sent truncated; 0: all dropped; default DefaultRRLSlip
	IPv4Prefix         int            // client prefix length counted together; default DefaultRRLIPv4Prefix
	IPv6Prefix         int            // default DefaultRRLIPv6Prefix
	Exempt             []netip.Prefix // prefixes never limited; default none
	DryRun             bool           // count what would be limited, limit nothing; default false
}

// Enabled reports whether RRL is on.
func (r RRL) Enabled() bool { return r.ResponsesPerSecond > 0 }

func parseRRL(t *tomlcheck.Table, c *Config) {
	r := &c.RRL
	*r = RRL{Window: DefaultRRLWindow, Slip: DefaultRRLSlip, IPv4Prefix: DefaultRRLIPv4Prefix, IPv6Prefix: DefaultRRLIPv6Prefix}
	if !t.Present() {
		return
	}
	if n, ok := t.Int("responses_per_second", 0, 1_000_000); ok {
		r.ResponsesPerSecond = int(n)
	}
	if d, ok := t.Duration("window"); ok {
		if d < time.Second || d > time.Hour {
			t.Errorf(t.KeyPath("window"), "%s out of range [1s, 1h]", d)
		} else {
			r.Window = d
		}
	}
	if n, ok := t.Int("slip", 0, 10); ok {
		r.Slip = int(n)
	}
	if n, ok := t.Int("ipv4_prefix", 1, 32); ok {
		r.IPv4Prefix = int(n)
	}
	if n, ok := t.Int("ipv6_prefix", 1, 128); ok {
		r.IPv6Prefix = int(n)
	}
	if ss, ok := t.Strings("exempt"); ok {
		for i, s := range ss {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				if a, aerr := netip.ParseAddr(s); aerr == nil {
					p, err = a.Prefix(a.BitLen())
				}
			}
			if err != nil {
				t.Errorf(append(t.KeyPath("exempt"), tomlcheck.Index(i)), "invalid prefix %q: want an address or address/length", s)
				continue
			}
			r.Exempt = append(r.Exempt, p.Masked())
		}
	}
	if b, ok := t.Bool("dry_run"); ok {
		r.DryRun = b
	}
	t.Unknown(nil)
}
