package geo

import "net/netip"

// Embedding says how Canonical found an IPv4 address inside an IPv6 address,
// and so how a prefix length computed on that IPv4 address translates back to
// the original IPv6 address (see OuterBits).
type Embedding uint8

const (
	// NotEmbedded means the address is located as it is: IPv4, or IPv6
	// without an embedded IPv4 address.
	NotEmbedded Embedding = iota
	// Mapped means an IPv4-mapped IPv6 address, ::ffff:a.b.c.d (RFC 4291): the
	// IPv4 address is the last 32 bits.
	Mapped
	// SixToFour means a 6to4 address, 2002:AABB:CCDD::/48 (RFC 3056): the IPv4
	// address A.B.C.D is bits 16 to 47.
	SixToFour
	// Teredo means a Teredo address, 2001:0000::/32 (RFC 4380): the client's
	// IPv4 address is the last 32 bits, inverted.
	Teredo
)

var embeddingNames = [...]string{
	NotEmbedded: "none",
	Mapped:      "ipv4-mapped",
	SixToFour:   "6to4",
	Teredo:      "teredo",
}

// String returns a short lowercase name: "none", "ipv4-mapped", "6to4" or
// "teredo".
func (e Embedding) String() string {
	if int(e) < len(embeddingNames) {
		return embeddingNames[e]
	}
	return "unknown"
}

// Canonical returns the address by which addr is located and how it was
// embedded in addr. IPv4-mapped IPv6 addresses, 6to4 addresses and Teredo
// addresses are located by the IPv4 address they carry (for Teredo, the
// client's public address, not the Teredo server's); every other address is
// returned unchanged. Any IPv6 zone is dropped. An invalid addr is returned
// as is with NotEmbedded.
//
// Private, loopback and other reserved addresses are not special: they are
// looked up like any other, and a real database has no entry for them, so
// their location is unknown. The same holds for the IPv4 address found in a
// 6to4 or Teredo address.
func Canonical(addr netip.Addr) (netip.Addr, Embedding) {
	if !addr.Is6() {
		return addr, NotEmbedded
	}
	addr = addr.WithZone("")
	if addr.Is4In6() {
		return addr.Unmap(), Mapped
	}
	b := addr.As16()
	switch {
	case b[0] == 0x20 && b[1] == 0x02:
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), SixToFour
	case b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0:
		return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}), Teredo
	}
	return addr, NotEmbedded
}

// OuterBits translates bits, a prefix length on the canonical address that
// Canonical returned, to a prefix length on the original address such that
// every address in the resulting prefix has a canonical address within the
// /bits network. For Mapped it is 96+bits; for SixToFour 16+bits (at most
// 48); for Teredo always 128, since the IPv4 address sits in the last 32 bits
// behind the server address and port, so no shorter prefix is safe; for
// NotEmbedded bits itself.
func (e Embedding) OuterBits(bits int) int {
	switch e {
	case Mapped:
		return 96 + min(bits, 32)
	case SixToFour:
		return min(16+bits, 48)
	case Teredo:
		return 128
	}
	return bits
}

// OuterPrefix translates inner, a network that contains the canonical
// address of orig, to the network of orig's family that contains orig and
// whose addresses all have canonical addresses within inner, using
// OuterBits. For NotEmbedded it returns inner unchanged.
func (e Embedding) OuterPrefix(orig netip.Addr, inner netip.Prefix) netip.Prefix {
	if e == NotEmbedded || !inner.IsValid() {
		return inner
	}
	p, err := orig.WithZone("").Prefix(e.OuterBits(inner.Bits()))
	if err != nil {
		return netip.Prefix{}
	}
	return p
}
