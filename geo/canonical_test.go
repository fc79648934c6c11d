package geo

import (
	"net/netip"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		in   string
		want string
		emb  Embedding
	}{
		{"192.0.2.1", "192.0.2.1", NotEmbedded},
		{"10.1.2.3", "10.1.2.3", NotEmbedded}, // private: located like any other
		{"2001:db8::1", "2001:db8::1", NotEmbedded},
		{"fe80::1%eth0", "fe80::1", NotEmbedded}, // zone dropped
		{"::1", "::1", NotEmbedded},
		{"::", "::", NotEmbedded},
		{"::192.0.2.1", "::192.0.2.1", NotEmbedded}, // deprecated IPv4-compatible: not special
		{"::ffff:192.0.2.1", "192.0.2.1", Mapped},
		{"::ffff:10.0.0.1", "10.0.0.1", Mapped},
		{"::ffff:198.51.100.7%eth0", "198.51.100.7", Mapped},
		{"2002:c000:201::1", "192.0.2.1", SixToFour},
		{"2002:cb00:71ff:1234:5678:9abc:def0:1", "203.0.113.255", SixToFour},
		{"2002::", "0.0.0.0", SixToFour},
		{"2001:0:4136:e378:8000:63bf:3fff:fdfe", "192.0.2.1", Teredo}, // RFC 4380 example
		{"2001::ffff:ffff", "0.0.0.0", Teredo},
		{"2001:1::1", "2001:1::1", NotEmbedded}, // next to Teredo, not Teredo
		{"2001:db8::c000:201", "2001:db8::c000:201", NotEmbedded},
		{"2003::1", "2003::1", NotEmbedded},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, emb := Canonical(netip.MustParseAddr(tt.in))
			if got != netip.MustParseAddr(tt.want) || emb != tt.emb {
				t.Errorf("Canonical(%s) = %s, %v, want %s, %v", tt.in, got, emb, tt.want, tt.emb)
			}
		})
	}
	if got, emb := Canonical(netip.Addr{}); got.IsValid() || emb != NotEmbedded {
		t.Errorf("Canonical(invalid) = %v, %v, want invalid, none", got, emb)
	}
}

func TestOuterBits(t *testing.T) {
	tests := []struct {
		emb  Embedding
		bits int
		want int
	}{
		{NotEmbedded, 0, 0},
		{NotEmbedded, 24, 24},
		{NotEmbedded, 56, 56},
		{Mapped, 0, 96},
		{Mapped, 24, 120},
		{Mapped, 32, 128},
		{SixToFour, 0, 16},
		{SixToFour, 24, 40},
		{SixToFour, 32, 48},
		{Teredo, 0, 128},
		{Teredo, 24, 128},
	}
	for _, tt := range tests {
		if got := tt.emb.OuterBits(tt.bits); got != tt.want {
			t.Errorf("%v.OuterBits(%d) = %d, want %d", tt.emb, tt.bits, got, tt.want)
		}
	}
}

func TestOuterPrefix(t *testing.T) {
	tests := []struct {
		orig  string
		inner string
		want  string
	}{
		{"192.0.2.77", "192.0.2.64/26", "192.0.2.64/26"},
		{"::ffff:192.0.2.77", "192.0.2.64/26", "::ffff:192.0.2.64/122"},
		{"2002:c000:24d:1::1", "192.0.2.0/24", "2002:c000:200::/40"},
		{"2002:c000:24d:1::1", "192.0.2.77/32", "2002:c000:24d::/48"},
		{"2002:c000:24d:1::1", "0.0.0.0/0", "2002::/16"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdfe", "192.0.2.0/26", "2001:0:4136:e378:8000:63bf:3fff:fdfe/128"},
	}
	for _, tt := range tests {
		orig := netip.MustParseAddr(tt.orig)
		canon, emb := Canonical(orig)
		inner := netip.MustParsePrefix(tt.inner)
		if !inner.Contains(canon) {
			t.Fatalf("bad test: %s does not contain %s", inner, canon)
		}
		got := emb.OuterPrefix(orig, inner)
		if got != netip.MustParsePrefix(tt.want) {
			t.Errorf("%v.OuterPrefix(%s, %s) = %s, want %s", emb, orig, inner, got, tt.want)
		}
		// Every address of the outer prefix must canonicalise into inner:
		// check its first and last address.
		for _, a := range []netip.Addr{got.Addr(), last(got)} {
			if c, _ := Canonical(a); !inner.Contains(c) {
				t.Errorf("%s is in %s but canonicalises to %s, outside %s", a, got, c, inner)
			}
		}
	}
	if got := Mapped.OuterPrefix(netip.MustParseAddr("::ffff:1.2.3.4"), netip.Prefix{}); got.IsValid() {
		t.Errorf("OuterPrefix(invalid) = %s, want invalid", got)
	}
}

func last(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestEmbeddingString(t *testing.T) {
	for e, want := range map[Embedding]string{NotEmbedded: "none", Mapped: "ipv4-mapped", SixToFour: "6to4", Teredo: "teredo", 99: "unknown"} {
		if got := e.String(); got != want {
			t.Errorf("Embedding(%d).String() = %q, want %q", e, got, want)
		}
	}
}
