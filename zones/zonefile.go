package zones

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/dnscode"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// SOA defaults, used when the [soa] table leaves a field out.
const (
	DefaultZoneTTL     = 3600    // 1h
	DefaultRefresh     = 3600    // 1h
	DefaultRetry       = 900     // 15m
	DefaultExpire      = 1209600 // 2w
	DefaultNegativeTTL = 300     // 5m
	DefaultGSLBTTL     = 30      // 30s
	DefaultUpFraction  = 0.5
)

// CompileOptions tune CompileZone.
type CompileOptions struct {
	// Serial is used when the [soa] table gives none; 0 means 1.
	Serial uint32
	// Now stamps the zone's Loaded time; zero means time.Now().
	Now time.Time
}

var zoneKeys = map[string]bool{"origin": true, "ttl": true, "records": true, "soa": true, "gslb": true, "pools": true}

// misplaced explains a key that belongs at the top of a zone file but was
// written after a [table] header.
func misplaced(key string) string {
	if zoneKeys[key] {
		return fmt.Sprintf("%q belongs at the top of the file: keys after a [table] header belong to that table, so write it before the first header", key)
	}
	return ""
}

// CompileZone validates one zone file and compiles it. cfg supplies the
// datacenters and checks that pools refer to. The error, if any, is an
// ErrorList with every problem found in the file.
func CompileZone(file string, src []byte, cfg *config.Config, parse Parser) (*Zone, error) {
	return Compile(file, src, cfg, parse, CompileOptions{})
}

// Compile is CompileZone with options.
func Compile(file string, src []byte, cfg *config.Config, parse Parser, opts CompileOptions) (*Zone, error) {
	if cfg == nil {
		cfg = &config.Config{}
	}
	var errs tomlcheck.ErrorList
	root := tomlcheck.Parse(file, src, &errs)
	if root == nil {
		return nil, errs.Err()
	}
	c := &compiler{root: root, cfg: cfg, parse: parse, opts: opts}
	z := c.compile()
	root.Unknown(nil)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return z, nil
}

type compiler struct {
	root  *tomlcheck.Table
	cfg   *config.Config
	parse Parser
	opts  CompileOptions

	origin string
	ttl    uint32
	z      *Zone
}

func (c *compiler) compile() *Zone {
	t := c.root
	t.Required("origin")
	origin, _ := t.Str("origin")
	origin = strings.ToLower(strings.TrimSpace(origin))
	if origin != "" && !strings.HasSuffix(origin, ".") {
		t.Errorf(t.KeyPath("origin"), "origin %q must be absolute (end with a dot)", origin)
		origin += "."
	}
	if origin == "" && t.Has("origin") {
		t.Errorf(t.KeyPath("origin"), "origin must not be empty")
	}
	if origin == "" {
		for k := range zoneKeys { // nothing more can be checked without an origin
			t.Use(k)
		}
		return nil
	}
	c.origin = origin
	c.ttl = DefaultZoneTTL
	if v, ok := ttl(t, "ttl"); ok {
		c.ttl = v
	}
	now := c.opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	z := &Zone{
		Origin:  origin,
		Pos:     t.Pos(t.KeyPath("origin")),
		File:    t.File(),
		Loaded:  now,
		Pools:   map[string]*pick.Pool{},
		nodes:   map[string]*node{},
		nlabels: countLabels(origin),
	}
	c.z = z
	z.node(origin)

	records := c.records()
	c.soa(records)
	pools := c.pools()
	c.gslb(pools)
	c.structure()
	return z
}

// node returns the node for name, creating it and its empty ancestors.
func (z *Zone) node(name string) *node {
	if n, ok := z.nodes[name]; ok {
		return n
	}
	n := &node{name: name}
	z.nodes[name] = n
	if name != z.Origin {
		parent := z.node(parentName(name))
		if strings.HasPrefix(name, "*.") {
			parent.wild = n
		}
	}
	return n
}

// records parses the records array.
func (c *compiler) records() []*Record {
	t := c.root
	texts, _ := t.Strings("records")
	var out []*Record
	for i, text := range texts {
		path := append(t.KeyPath("records"), tomlcheck.Index(i))
		pos := t.Pos(path)
		rec, err := c.parse(text, c.origin, c.ttl)
		if err != nil {
			t.Errorf(path, "%v", err)
			continue
		}
		rec.Pos = pos
		r := &rec
		switch {
		case !inZone(r.Name, c.origin):
			t.Errorf(path, "owner %s is outside the zone's origin %s", r.Name, c.origin)
			continue
		case r.Type == TypeSOA:
			t.Errorf(path, "SOA records come from the [soa] table, not from records")
			continue
		case r.TTL > MaxTTL:
			t.Errorf(path, "TTL %d out of range [0, %d]", r.TTL, MaxTTL)
			continue
		}
		out = append(out, r)
	}
	return out
}

// soa builds the SOA records from the [soa] table and the first apex NS.
func (c *compiler) soa(records []*Record) {
	t := c.root
	primary, contact := "", "hostmaster."+c.origin
	for _, r := range records {
		if r.Type == TypeNS && r.Name == c.origin {
			primary = r.Target
			break
		}
	}
	serial, refresh, retry, expire, minimum := c.opts.Serial, uint32(DefaultRefresh), uint32(DefaultRetry), uint32(DefaultExpire), uint32(DefaultNegativeTTL)
	if serial == 0 {
		serial = 1
	}
	if s, ok := t.Table("soa"); ok {
		if v, ok := s.Str("primary"); ok {
			primary = fqdn(v, c.origin)
		}
		if v, ok := s.Str("contact"); ok {
			contact = fqdn(strings.Replace(v, "@", ".", 1), c.origin)
		}
		if v, ok := s.Int("serial", 0, 1<<32-1); ok {
			serial = uint32(v)
		}
		for _, f := range []struct {
			key string
			dst *uint32
		}{{"refresh", &refresh}, {"retry", &retry}, {"expire", &expire}, {"negative_ttl", &minimum}} {
			if v, ok := ttl(s, f.key); ok {
				*f.dst = v
			}
		}
		s.Unknown(misplaced)
	}
	if primary == "" {
		primary = c.origin
	}
	soaText := func(ttl uint32) string {
		return fmt.Sprintf("%s %d IN SOA %s %s %d %d %d %d %d", c.origin, ttl, primary, contact, serial, refresh, retry, expire, minimum)
	}
	soa, err := c.parse(soaText(c.ttl), c.origin, c.ttl)
	if err != nil {
		t.Errorf(t.KeyPath("soa"), "invalid SOA: %v", err)
		return
	}
	neg, err := c.parse(soaText(min(c.ttl, minimum)), c.origin, c.ttl)
	if err != nil {
		t.Errorf(t.KeyPath("soa"), "invalid SOA: %v", err)
		return
	}
	pos := t.Pos(t.KeyPath("soa"))
	soa.Pos, neg.Pos = pos, pos
	c.z.SOA, c.z.NegSOA, c.z.Serial = &soa, &neg, serial
	c.add(c.z.SOA)
	for _, r := range records {
		c.add(r)
	}
}

// add puts a record into its node, dropping exact duplicates.
func (c *compiler) add(r *Record) {
	n := c.z.node(r.Name)
	for i := range n.sets {
		set := &n.sets[i]
		if set.typ != r.Type {
			continue
		}
		text := fmt.Sprint(r.Data)
		for _, o := range set.records {
			if fmt.Sprint(o.Data) == text {
				return // the same record twice: an RRset holds it once
			}
		}
		if first := set.records[0]; first.TTL != r.TTL {
			c.root.ErrorAt(r.Pos, "TTL %d differs from TTL %d of the same RRset at %s (RFC 2181 5.2: give every record of an RRset the same TTL)", r.TTL, first.TTL, first.Pos)
			return
		}
		set.records = append(set.records, r)
		return
	}
	n.sets = append(n.sets, rrset{typ: r.Type, records: []*Record{r}})
	slices.SortFunc(n.sets, func(a, b rrset) int { return int(a.typ) - int(b.typ) })
}

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
			} else {
				gt.Errorf(gt.KeyPath("pool"), "pool %q is not defined in this file ([pools.%s])", s, s)
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

// structure checks what needs the whole zone: CNAMEs beside other data,
// the apex NS, zone cuts and what they occlude, and NS targets.
func (c *compiler) structure() {
	z, t := c.z, c.root
	apex := z.nodes[z.Origin]
	if apex.get(TypeNS) == nil {
		t.Errorf(t.KeyPath("origin"), "zone %s has no NS records at its apex", z.Origin)
	}
	for _, n := range z.nodes {
		if n.name != z.Origin && n.get(TypeNS) != nil {
			n.cut = true
		}
	}
	for _, n := range sortedNodes(z) {
		if cname := n.get(TypeCNAME); cname != nil {
			if len(cname) > 1 {
				z.errAt(t, cname[1], "more than one CNAME at %s", n.name)
			}
			for _, set := range n.sets {
				if set.typ != TypeCNAME && set.typ != TypeRRSIG && set.typ != TypeNSEC {
					z.errAt(t, cname[0], "CNAME at %s beside other data (%s at %s)", n.name, dnscode.TypeString(set.typ), set.records[0].Pos)
					break
				}
			}
		}
		if owner := z.dnameAbove(n.name); owner != "" {
			if n.gslb != nil {
				t.ErrorAt(n.gslb.Pos, "GSLB name %s is below the DNAME at %s", n.name, owner)
			}
			for _, set := range n.sets {
				z.errAt(t, set.records[0], "%s at %s is occluded by the DNAME at %s (RFC 6672)", dnscode.TypeString(set.typ), n.name, owner)
			}
		}
		if d := n.get(TypeDNAME); d != nil && n.get(TypeCNAME) != nil {
			z.errAt(t, d[0], "DNAME and CNAME at %s", n.name)
		}
		if d := n.get(TypeDNAME); len(d) > 1 {
			z.errAt(t, d[1], "more than one DNAME at %s", n.name)
		}
		if cut := z.cutAbove(n.name); cut != "" {
			if n.gslb != nil {
				t.ErrorAt(n.gslb.Pos, "GSLB name %s is below the delegation at %s", n.name, cut)
			}
			for _, set := range n.sets {
				if set.typ != TypeA && set.typ != TypeAAAA {
					z.errAt(t, set.records[0], "%s at %s is below the delegation at %s: only glue (A, AAAA) may be there", dnscode.TypeString(set.typ), n.name, cut)
				}
			}
		}
		if n.cut {
			for _, set := range n.sets {
				switch set.typ {
				case TypeNS, TypeDS, TypeA, TypeAAAA:
				default:
					z.errAt(t, set.records[0], "%s at the delegation point %s is occluded: only NS, DS and glue belong there", dnscode.TypeString(set.typ), n.name)
				}
			}
		}
		for _, ns := range n.get(TypeNS) {
			if !inZone(ns.Target, z.Origin) {
				continue
			}
			tn := z.nodes[ns.Target]
			switch {
			case tn != nil && tn.gslb != nil:
				z.errAt(t, ns, "NS target %s is a GSLB name: a name server needs a fixed address", ns.Target)
			case tn == nil || (tn.get(TypeA) == nil && tn.get(TypeAAAA) == nil):
				z.errAt(t, ns, "NS target %s is inside the zone but has no A or AAAA record", ns.Target)
			}
		}
	}
}

// dnameAbove returns the owner of a DNAME strictly above name, or "".
func (z *Zone) dnameAbove(name string) string {
	for p := parentName(name); p != "" && inZone(p, z.Origin); p = parentName(p) {
		if n := z.nodes[p]; n != nil && n.get(TypeDNAME) != nil {
			return p
		}
		if p == z.Origin {
			break
		}
	}
	return ""
}

// cutAbove returns the delegation point strictly above name, or "".
func (z *Zone) cutAbove(name string) string {
	for p := parentName(name); p != "" && inZone(p, z.Origin) && p != z.Origin; p = parentName(p) {
		if n := z.nodes[p]; n != nil && n.cut {
			return p
		}
	}
	return ""
}

func (z *Zone) errAt(t *tomlcheck.Table, r *Record, format string, args ...any) {
	t.ErrorAt(r.Pos, format, args...)
}

func sortedNodes(z *Zone) []*node {
	out := make([]*node, 0, len(z.nodes))
	for _, n := range z.nodes {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b *node) int { return strings.Compare(a.name, b.name) })
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
