package main

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// networks holds the networks with data of a GeoIP database, by family.
type networks struct {
	v4, v6 []netip.Prefix
}

// loadNetworks walks every network with data in the database (IPv4 networks
// once, without their IPv6 aliases).
func loadNetworks(path string) (*networks, error) {
	db, err := maxminddb.Open(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var n networks
	for res := range db.Networks() {
		if err := res.Err(); err != nil {
			return nil, err
		}
		p := res.Prefix()
		if p.Addr().Is4() {
			n.v4 = append(n.v4, p)
		} else {
			n.v6 = append(n.v6, p)
		}
	}
	if len(n.v4) == 0 || len(n.v6) == 0 {
		return nil, fmt.Errorf("%s: want networks of both families, got %d IPv4 and %d IPv6", path, len(n.v4), len(n.v6))
	}
	return &n, nil
}

// drawer draws client subnets: a network of the database uniformly at random
// (so that every network, small or large, is as likely), then a random
// address inside it, truncated to the ECS source prefix a resolver would
// send: /24 for IPv4, /48 (three in four) or /56 for IPv6.
type drawer struct {
	nets  *networks
	rng   *rand.Rand
	v6pct int // share of IPv6 subnets, in percent
}

func newDrawer(n *networks, seed uint64, v6pct int) *drawer {
	return &drawer{nets: n, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), v6pct: v6pct}
}

func (d *drawer) subnet() netip.Prefix {
	if d.rng.IntN(100) < d.v6pct {
		p := d.nets.v6[d.rng.IntN(len(d.nets.v6))]
		bits := 48
		if d.rng.IntN(4) == 0 {
			bits = 56
		}
		return d.randomIn(p, bits)
	}
	p := d.nets.v4[d.rng.IntN(len(d.nets.v4))]
	return d.randomIn(p, 24)
}

// randomIn returns a random address of p (random bits after p's length),
// masked to bits.
func (d *drawer) randomIn(p netip.Prefix, bits int) netip.Prefix {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		if d.rng.IntN(2) == 1 {
			b[i/8] |= 0x80 >> (i % 8)
		}
	}
	a, _ := netip.AddrFromSlice(b)
	s, _ := a.Prefix(bits)
	return s
}

// mustLoopback refuses any server address that is not on loopback: the
// benchmark never sends a packet anywhere else.
func mustLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.IsLoopback() {
		return fmt.Errorf("%s: only loopback addresses (127.0.0.0/8, ::1) are allowed", hostport)
	}
	return nil
}
