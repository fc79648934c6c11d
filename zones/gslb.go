package zones

import (
	"github.com/gslb/gslb/internal/dnscode"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// gslb compiles the [gslb.NAME] tables.
func (c *compiler) gslb(pools map[string]*pick.Pool) {
	t := c.root
	names, tables := t.Tables("gslb")
	for i, gt := range tables {
		name := fqdn(names[i], c.origin)
		pos := gt.Pos(gt.Path())
		if !inZone(name, c.origin) {
			gt.Errorf(gt.Path(), "name %s is outside the zone's origin %s", name, c.origin)
			continue
		}
		g := &Name{Name: name, TTL: DefaultGSLBTTL, Pos: pos}
		gt.Required("pool")
		if s, ok := gt.Str("pool"); ok {
			if p, defined := pools[s]; defined {
				g.Pool = p
				// A server pool a name uses is the zone's too: its
				// targets are probed and its table built.
				c.z.Pools[s] = p
			} else {
				gt.Errorf(gt.KeyPath("pool"), "pool %q is not defined in this file or the server configuration ([pools.%s])", s, s)
			}
		}
		if v, ok := ttl(gt, "ttl"); ok {
			g.TTL = v
		}
		g.DegradedTTL = g.TTL / 2
		if v, ok := ttl(gt, "degraded_ttl"); ok {
			g.DegradedTTL = v
		}
		gt.Unknown(misplaced)
		if g.Pool == nil {
			continue
		}
		n := c.z.node(name)
		switch {
		case name == c.origin:
			// At the apex the pool answers A and AAAA beside the static
			// SOA, NS, MX, TXT...: no static address, and no CNAME, which
			// may not stand beside other data (RFC 2181 10.1).
			if !c.apexGSLB(gt, n, g) {
				continue
			}
		case len(n.sets) > 0:
			gt.Errorf(gt.Path(), "%s is both a GSLB name and a static name (records at %s)", name, c.z.at(n.sets[0].records[0]))
			continue
		}
		n.gslb = g
	}
}

// apexGSLB checks a GSLB name at the zone apex: its pool must answer
// addresses only, and the apex must have no static A or AAAA records.
func (c *compiler) apexGSLB(gt *tomlcheck.Table, n *node, g *Name) bool {
	ok := true
	for _, typ := range []uint16{TypeA, TypeAAAA} {
		if recs := n.get(typ); recs != nil {
			gt.Errorf(gt.Path(), "the apex %s has static %s records (at %s): a GSLB name at the apex answers A and AAAA from its pool",
				g.Name, dnscode.TypeString(typ), c.z.at(recs[0]))
			ok = false
		}
	}
	for _, m := range g.Pool.Members {
		if m.CNAME != "" {
			gt.Errorf(gt.KeyPath("pool"), "pool %q has a CNAME member (%s): a CNAME cannot be at the zone apex beside SOA and NS",
				g.Pool.Name, m.Datacenter.Name)
			ok = false
		}
	}
	if g.Pool.WhenAllDown == pick.AllDownCNAME {
		gt.Errorf(gt.KeyPath("pool"), "pool %q answers a CNAME when all down: a CNAME cannot be at the zone apex beside SOA and NS", g.Pool.Name)
		ok = false
	}
	return ok
}
