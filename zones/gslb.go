package zones

import "github.com/gslb/gslb/pick"

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
		if len(n.sets) > 0 {
			gt.Errorf(gt.Path(), "%s is both a GSLB name and a static name (records at %s)", name, n.sets[0].records[0].Pos)
			continue
		}
		n.gslb = g
	}
}
