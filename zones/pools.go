package zones

import (
	"net/netip"
	"strings"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// pools compiles the [pools.NAME] tables.
func (c *compiler) pools() map[string]*pick.Pool {
	t := c.root
	names, tables := t.Tables("pools")
	out := map[string]*pick.Pool{}
	for i, pt := range tables {
		p := c.pool(names[i], pt)
		out[names[i]] = p
		c.z.Pools[names[i]] = p
	}
	return out
}

func (c *compiler) pool(name string, t *tomlcheck.Table) *pick.Pool {
	p := &pick.Pool{Name: name, UpFraction: DefaultUpFraction, WhenAllDown: pick.FailOpen}
	if s, ok := t.Str("policy"); ok && s != "nearest" {
		t.Errorf(t.KeyPath("policy"), "unknown policy %q: want nearest", s)
	}
	maxAnswers, hasMax := t.Int("max_answers", 1, 64)
	if s, ok := t.Str("check"); ok {
		if _, defined := c.cfg.Checks[s]; !defined {
			t.Errorf(t.KeyPath("check"), "check %q is not defined in the server configuration ([checks.%s])", s, s)
		}
		p.Check = s
	}
	if f, ok := t.Float("up_fraction", 0, 1); ok {
		if f == 0 {
			t.Errorf(t.KeyPath("up_fraction"), "must be greater than 0")
		}
		p.UpFraction = f
	}
	if s, ok := t.Str("when_all_down"); ok {
		switch {
		case s == "fail-open":
			p.WhenAllDown = pick.FailOpen
		case s == "nodata":
			p.WhenAllDown = pick.AllDownNoData
		case s == "servfail":
			p.WhenAllDown = pick.AllDownServFail
		case strings.HasPrefix(s, "cname:"):
			target := strings.TrimSpace(strings.TrimPrefix(s, "cname:"))
			if target == "" {
				t.Errorf(t.KeyPath("when_all_down"), "cname: needs a target name")
			}
			p.WhenAllDown, p.AllDownCNAME = pick.AllDownCNAME, fqdn(target, c.origin)
		default:
			t.Errorf(t.KeyPath("when_all_down"), "unknown policy %q: want fail-open, nodata, servfail or cname:NAME", s)
		}
	}
	t.Required("members")
	members, _ := t.TableArray("members")
	seen := map[string]bool{}
	most := 0
	for _, mt := range members {
		m, ok := c.member(mt)
		if !ok {
			continue
		}
		if seen[m.Datacenter.Name] {
			mt.Errorf(mt.KeyPath("datacenter"), "datacenter %q is already a member of pool %q", m.Datacenter.Name, name)
			continue
		}
		seen[m.Datacenter.Name] = true
		most = max(most, len(m.V4), len(m.V6))
		p.Members = append(p.Members, m)
	}
	if t.Has("members") && len(members) == 0 {
		t.Errorf(t.KeyPath("members"), "pool has no members")
	}
	p.MaxAnswers = max(most, 1)
	if hasMax {
		p.MaxAnswers = int(maxAnswers)
	}
	t.Unknown(misplaced)
	return p
}

func (c *compiler) member(t *tomlcheck.Table) (pick.Member, bool) {
	var m pick.Member
	t.Required("datacenter")
	dcName, ok := t.Str("datacenter")
	good := ok
	if ok {
		dc, defined := c.cfg.Datacenters[dcName]
		if !defined {
			t.Errorf(t.KeyPath("datacenter"), "datacenter %q is not defined in the server configuration ([datacenters.%s])", dcName, dcName)
			good = false
		}
		m.Datacenter = dc
		m.Datacenter.Name = dcName
	}
	addrs, hasAddrs := t.Strings("addresses")
	cname, hasCNAME := t.Str("cname")
	switch {
	case hasAddrs && hasCNAME:
		t.Errorf(t.KeyPath("cname"), "a member has either addresses or a cname, not both")
		good = false
	case !t.Has("addresses") && !t.Has("cname"):
		t.Errorf(t.Path(), "a member needs addresses or a cname")
		good = false
	case hasCNAME:
		m.CNAME = fqdn(cname, c.origin)
	}
	seen := map[string]bool{}
	for i, s := range addrs {
		path := append(t.KeyPath("addresses"), tomlcheck.Index(i))
		a, ok := t.Addr(path, s)
		if !ok {
			good = false
			continue
		}
		if seen[a.String()] {
			t.Errorf(path, "address %s listed twice", a)
			continue
		}
		seen[a.String()] = true
		if a.Is4() {
			m.V4 = append(m.V4, a)
		} else {
			m.V6 = append(m.V6, a)
		}
	}
	if hasAddrs && len(addrs) == 0 {
		t.Errorf(t.KeyPath("addresses"), "no addresses")
		good = false
	}
	t.Unknown(nil)
	return m, good
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
