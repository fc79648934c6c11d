package pick

import (
	"net/netip"
	"time"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/health"
)

// Query is what Resolve needs to know about one query besides the pool and
// the ranking. The zero value asks for IPv4 with every target Unknown (up),
// no overrides and an unknown client.
type Query struct {
	Family Family           // the queried family: IPv4 for A, IPv6 for AAAA
	Health *health.Snapshot // probe statuses and admin overrides; nil: all Unknown, no overrides
	Now    time.Time        // the time at which overrides are judged (Until)
	Rand   uint32           // the random value of draws and rotation; any value, e.g. from a per-worker PRNG
	// Client is the address the answer is for: the ECS address when the
	// query carried one, else the packet's source address. Hash-based
	// choices key on its subnet (see Subnet); the zero Addr is one client
	// like any other.
	Client netip.Addr
}

// Subnet returns the client's subnet for a hash-based choice that keys on
// the first bits4 bits of an IPv4 client or bits6 bits of an IPv6 one,
// and the ECS scope that such a choice needs, in the client address's own
// terms. Clients that embed an IPv4 address (IPv4-mapped, 6to4, Teredo; see
// geo.Canonical) are keyed by the IPv4 address inside, as they are located,
// and their scope is translated back to the IPv6 form they used.
func (q *Query) Subnet(bits4, bits6 int) (subnet netip.Prefix, scope int) {
	a, emb := geo.Canonical(q.Client)
	if !a.IsValid() {
		return netip.Prefix{}, 0
	}
	bits := bits6
	if a.Is4() {
		bits = bits4
	}
	bits = min(max(bits, 0), a.BitLen())
	subnet, _ = a.Prefix(bits)
	return subnet, emb.OuterBits(bits)
}
