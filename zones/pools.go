package zones

import (
	"net/netip"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
)

// pools compiles the [pools.NAME] tables of the zone file with the server
// configuration's pool compiler (the same keys and checks as pools of the
// server configuration), and returns them with the server configuration's
// pools, which the zone's names may use too. A zone may not define a pool
// of a server pool's name.
func (c *compiler) pools() map[string]*pick.Pool {
	t := c.root
	names, tables := t.Tables("pools")
	out := map[string]*pick.Pool{}
	for name, p := range c.cfg.Pools {
		out[name] = p
	}
	absolute := func(name string) (string, string) { return fqdn(name, c.origin), "" }
	for i, pt := range tables {
		if _, shared := c.cfg.Pools[names[i]]; shared {
			pt.Errorf(pt.Path(), "pool %q is defined in the server configuration: a zone file may not redefine it", names[i])
			continue
		}
		p := c.cfg.CompilePool(names[i], pt, absolute, misplaced)
		out[names[i]] = p
		c.z.Pools[names[i]] = p
	}
	return out
}

// Targets returns every health target the zone's pools probe, with the
// check each uses.
func (z *Zone) Targets(checks map[string]health.Check) map[health.Target]health.Check {
	out := map[health.Target]health.Check{}
	for _, p := range z.Pools {
		ch, ok := checks[p.Check]
		if p.Check == "" || !ok {
			continue
		}
		for _, m := range p.Members {
			for _, a := range append(append([]netip.Addr(nil), m.V4...), m.V6...) {
				out[health.Target{Check: p.Check, Addr: a}] = ch
			}
		}
	}
	return out
}
