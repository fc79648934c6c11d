package config

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// Defaults of a pool ([pools.NAME] in a zone file or the server
// configuration).
const (
	// DefaultUpFraction is the share of a datacenter's addresses of one
	// family that must be up for it to be up.
	DefaultUpFraction = 0.5
	// DefaultWeight is a member's weight and an address's weight.
	DefaultWeight = 1
	// DefaultCapacity is a member's capacity for spill = "capacity".
	DefaultCapacity = 1
	// MaxWeight bounds member and address weights and capacities.
	MaxWeight = 1_000_000
	// MaxOrderedAddresses is the most addresses of one family a member may
	// have with the weighted and sticky address policies.
	MaxOrderedAddresses = 64
)

// NameFunc makes a domain name written in a pool absolute: lower case,
// ending in a dot. It returns a problem to report instead when the name is
// not acceptable where the pool stands.
type NameFunc func(name string) (absolute, problem string)

// AbsoluteOnly is the NameFunc of pools in the server configuration, which
// have no origin to make a relative name absolute against.
func AbsoluteOnly(name string) (string, string) {
	if name == "" || name[len(name)-1] != '.' {
		return "", fmt.Sprintf("%q must be an absolute name ending in a dot: a pool of the server configuration has no origin", name)
	}
	return toLower(name), ""
}

// parsePools reads the [pools.NAME] tables of the server configuration:
// pools every zone can use. They are read after [datacenters], [checks]
// and [maps].
func parsePools(t *tomlcheck.Table, c *Config) {
	c.Pools = map[string]*pick.Pool{}
	for _, name := range t.Keys() {
		pt, ok := t.Table(name)
		if !ok {
			continue
		}
		c.Pools[name] = c.CompilePool(name, pt, AbsoluteOnly, nil)
	}
}

// CompilePool compiles one [pools.NAME] table, in a zone file or in the
// server configuration, reporting its problems through t. names makes the
// CNAME targets absolute. unknownKey, when not nil, explains a key the pool
// does not have (a zone file uses it to point out top-level keys written
// after a table header).
func (c *Config) CompilePool(name string, t *tomlcheck.Table, names NameFunc, unknownKey func(string) string) *pick.Pool {
	p := &pick.Pool{Name: name, UpFraction: DefaultUpFraction, WhenAllDown: pick.FailOpen}
	if s, ok := t.Str("policy"); ok {
		if v, err := pick.ParsePolicy(s); err != nil {
			t.Errorf(t.KeyPath("policy"), "%v", err)
		} else {
			p.Policy = v
		}
	}
	if s, ok := t.Str("map"); ok {
		if m, defined := c.Maps[s]; defined {
			p.Map = m
		} else if !c.mapHadErrors(s) {
			t.Errorf(t.KeyPath("map"), "map %q is not defined in the server configuration ([maps.%s])", s, s)
		}
	}
	if s, ok := t.Str("address_policy"); ok {
		if v, err := pick.ParseAddressPolicy(s); err != nil {
			t.Errorf(t.KeyPath("address_policy"), "%v", err)
		} else {
			p.AddressPolicy = v
		}
	}
	p.StickyIPv4Prefix, p.StickyIPv6Prefix = pick.DefaultStickyIPv4Prefix, pick.DefaultStickyIPv6Prefix
	if n, ok := t.Int("sticky_ipv4_prefix", 0, 32); ok {
		p.StickyIPv4Prefix = int(n)
	}
	if n, ok := t.Int("sticky_ipv6_prefix", 0, 128); ok {
		p.StickyIPv6Prefix = int(n)
	}
	if s, ok := t.Str("spill"); ok {
		if v, err := pick.ParseSpill(s); err != nil {
			t.Errorf(t.KeyPath("spill"), "%v", err)
		} else {
			p.Spill = v
		}
	}
	p.SpillWidth = pick.DefaultSpillWidth
	if n, ok := t.Int("spill_width", 1, 64); ok {
		p.SpillWidth = int(n)
	}
	if d, ok := t.Duration("ramp_up"); ok {
		if d < 0 || d > 7*24*time.Hour {
			t.Errorf(t.KeyPath("ramp_up"), "ramp_up %v out of range [0s, 1w]", d)
		}
		p.RampUp = d
	}
	maxAnswers, hasMax := t.Int("max_answers", 1, 64)
	if s, ok := t.Str("check"); ok {
		if _, defined := c.Checks[s]; !defined {
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
		if v, target, err := pick.ParseAllDown(s); err != nil {
			t.Errorf(t.KeyPath("when_all_down"), "%v", err)
		} else {
			p.WhenAllDown = v
			if v == pick.AllDownCNAME {
				abs, problem := names(target)
				if problem != "" {
					t.Errorf(t.KeyPath("when_all_down"), "%s", problem)
				}
				p.AllDownCNAME = abs
			}
		}
	}
	t.Required("members")
	members, _ := t.TableArray("members")
	seen := map[string]bool{}
	most := 0
	for _, mt := range members {
		m, ok := c.member(mt, p, names)
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
	t.Unknown(unknownKey)
	return p
}

// member compiles one member of pool p; it reports false when the member
// has a problem that leaves it out.
func (c *Config) member(t *tomlcheck.Table, p *pick.Pool, names NameFunc) (pick.Member, bool) {
	m := pick.Member{Weight: DefaultWeight, Capacity: DefaultCapacity}
	t.Required("datacenter")
	dcName, ok := t.Str("datacenter")
	good := ok
	if ok {
		dc, defined := c.Datacenters[dcName]
		if !defined {
			t.Errorf(t.KeyPath("datacenter"), "datacenter %q is not defined in the server configuration ([datacenters.%s])", dcName, dcName)
			good = false
		}
		m.Datacenter = dc
		m.Datacenter.Name = dcName
	}
	if n, ok := t.Int("weight", 0, MaxWeight); ok {
		m.Weight = uint32(n)
	}
	if n, ok := t.Int("capacity", 1, MaxWeight); ok {
		m.Capacity = uint32(n)
	}
	if n, ok := t.Int("bias", -99, 99); ok {
		m.Bias = int(n)
	}
	items, hasAddrs := t.Items("addresses")
	cname, hasCNAME := t.Str("cname")
	switch {
	case t.Has("addresses") && hasCNAME:
		t.Errorf(t.KeyPath("cname"), "a member has either addresses or a cname, not both")
		good = false
	case !t.Has("addresses") && !t.Has("cname"):
		t.Errorf(t.Path(), "a member needs addresses or a cname")
		good = false
	case hasCNAME:
		abs, problem := names(cname)
		if problem != "" {
			t.Errorf(t.KeyPath("cname"), "%s", problem)
			good = false
		}
		m.CNAME = abs
	}
	if t.Has("addresses") && !hasAddrs {
		good = false
	}
	seen := map[string]bool{}
	weighted := false
	var w4, w6 []uint32
	for _, it := range items {
		s, w := it.Str, uint32(DefaultWeight)
		if it.Table != nil {
			it.Table.Required("addr")
			s, _ = it.Table.Str("addr")
			if n, ok := it.Table.Int("weight", 1, MaxWeight); ok {
				w, weighted = uint32(n), true
			}
			it.Table.Unknown(nil)
			if s == "" {
				good = false
				continue
			}
		}
		a, ok := t.Addr(it.Path, s)
		if !ok {
			good = false
			continue
		}
		if seen[a.String()] {
			t.Errorf(it.Path, "address %s listed twice", a)
			continue
		}
		if problem := c.unprobeable(p.Check, a); problem != "" {
			t.Errorf(it.Path, "%s", problem)
			good = false
			continue
		}
		seen[a.String()] = true
		if a.Is4() {
			m.V4, w4 = append(m.V4, a), append(w4, w)
		} else {
			m.V6, w6 = append(m.V6, a), append(w6, w)
		}
	}
	if weighted {
		m.W4, m.W6 = w4, w6
	}
	if hasAddrs && len(items) == 0 {
		t.Errorf(t.KeyPath("addresses"), "no addresses")
		good = false
	}
	if p.AddressPolicy != pick.Rotate && max(len(m.V4), len(m.V6)) > MaxOrderedAddresses {
		t.Errorf(t.KeyPath("addresses"), "more than %d addresses of one family: address_policy %q orders at most %d",
			MaxOrderedAddresses, p.AddressPolicy, MaxOrderedAddresses)
		good = false
	}
	t.Unknown(nil)
	return m, good
}

// mapHadErrors reports whether a [maps.NAME] table exists but was left out
// for its own errors, so that pools naming it are not reported again.
func (c *Config) mapHadErrors(name string) bool { return c.badMaps[name] }

func toLower(s string) string {
	b := []byte(s)
	for i, x := range b {
		if 'A' <= x && x <= 'Z' {
			b[i] = x + 'a' - 'A'
		}
	}
	return string(b)
}

// unprobeable returns why check (a [checks.NAME], "" for none) must not
// probe addr, or "": probes never go to link-local and metadata addresses
// (health.Unprobeable) nor to gslb's own control listener.
func (c *Config) unprobeable(check string, addr netip.Addr) string {
	ch, ok := c.Checks[check]
	if !ok || ch.Type == health.CheckNone {
		return ""
	}
	if why := health.Unprobeable(addr); why != "" {
		return fmt.Sprintf("address %s is %s: check %q would probe it, and probes never go to link-local or metadata addresses", addr, why, check)
	}
	port := ch.Port // the check's parser sets every type's default
	if c.Control.Listen != "" && ListenerServes(c.Control.Listen, netip.AddrPortFrom(addr, port), LocalAddrs) {
		return fmt.Sprintf("address %s port %d is gslb's own control listener (control.listen %q): check %q would probe it", addr, port, c.Control.Listen, check)
	}
	return ""
}
