package route

import (
	"cmp"
	"math"
	"net/netip"
	"slices"

	"github.com/gslb/gslb/pick"
)

// Impact is how the first choices of one pool move between two setups for
// one address family, for `gslb diff`: the share of the family's address
// space (as the GeoIP database covers it, weighted by network size) whose
// first choice changes, as a from → to matrix.
type Impact struct {
	Family  pick.Family
	Moved   float64  // share of the address space whose first choice changes, in [0, 1]
	Changes []Change // the moves, largest first
}

// Change is one cell of the from → to matrix.
type Change struct {
	From, To string  // datacenter names; "-" for no answer
	Share    float64 // share of the family's address space
}

// Diff compares pool before (ranked with the GeoIP data oldGeo) with pool
// after (with newGeo) over every network of newGeo: for each part of the
// address space that answers alike in both, the datacenter a client gets
// with every target up. Nearest, failover, biases and maps are compared
// exactly; choices that hash the client's subnet (sticky) are judged by the
// first address of each block that ranks alike, and weighted choices by one
// fixed draw, since enumerating every hashed subnet of IPv6 space is out of
// reach. It builds one ranking table per side, so it takes about as long as
// the server's table build.
func Diff(before, after *pick.Pool, oldGeo, newGeo GeoSource) [2]Impact {
	oldT := buildFor(before, oldGeo)
	newT := buildFor(after, newGeo)
	type key struct{ from, to string }
	var total [2]float64
	moved := [2]map[key]float64{{}, {}}
	first := func(p *pick.Pool, t *pick.Table, a netip.Addr, fam pick.Family) (string, int) {
		r, bits := t.Lookup(a) // a nil table: configuration order, for every address
		d := pick.Resolve(p, r, pick.Query{Family: fam, Client: a}, nil, nil)
		name := d.Datacenter()
		if name == "" {
			name = "-"
		}
		return name, bits
	}
	if newGeo == nil {
		return [2]Impact{{Family: pick.IPv4}, {Family: pick.IPv6}}
	}
	for pfx := range newGeo.Networks() {
		// Tables built from a City × ASN walk narrow their lookups to
		// its splits, so the City walk covers every part once.
		fam, width := pick.IPv4, 32
		if pfx.Addr().Is6() {
			fam, width = pick.IPv6, 128
		}
		f := int(fam)
		a, end := pfx.Addr(), lastAddr(pfx)
		for {
			from, b1 := first(before, oldT, a, fam)
			to, b2 := first(after, newT, a, fam)
			bits := min(max(b1, b2, pfx.Bits()), width)
			size := math.Ldexp(1, width-bits)
			total[f] += size
			if from != to {
				moved[f][key{from, to}] += size
			}
			block, _ := a.Prefix(bits)
			next := lastAddr(block).Next()
			if !next.IsValid() || next.Compare(end) > 0 {
				break
			}
			a = next
		}
	}
	var out [2]Impact
	for f := range out {
		out[f].Family = pick.Family(f)
		if total[f] == 0 {
			continue
		}
		for k, size := range moved[f] {
			share := size / total[f]
			out[f].Moved += share
			out[f].Changes = append(out[f].Changes, Change{From: k.from, To: k.to, Share: share})
		}
		slices.SortFunc(out[f].Changes, func(x, y Change) int {
			return cmp.Or(cmp.Compare(y.Share, x.Share), cmp.Compare(x.From, y.From), cmp.Compare(x.To, y.To))
		})
	}
	return out
}

// buildFor builds p's ranking table from geo, or returns nil when p does
// not rank by location or there is no GeoIP data.
func buildFor(p *pick.Pool, geo GeoSource) *pick.Table {
	if geo == nil || !p.RanksByLocation() {
		return nil
	}
	networks := geo.Networks()
	if p.Map != nil && p.Map.UsesASN() {
		networks = geo.NetworksWithASN()
	}
	return pick.BuildTable(networks, p)
}

// lastAddr returns the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	p = p.Masked()
	a := p.Addr().As16()
	bits := p.Bits()
	off := 0
	if p.Addr().Is4() {
		off, bits = 12, bits+96
	}
	for i := bits; i < 128; i++ {
		a[i/8] |= 1 << (7 - i%8)
	}
	if p.Addr().Is4() {
		return netip.AddrFrom4([4]byte(a[off:]))
	}
	return netip.AddrFrom16(a)
}
