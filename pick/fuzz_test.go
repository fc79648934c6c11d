package pick

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/health"
)

// fuzzInput turns fuzz bytes into a pool, a snapshot and a query.
type fuzzInput struct {
	data []byte
}

func (f *fuzzInput) byte() byte {
	if len(f.data) == 0 {
		return 0
	}
	b := f.data[0]
	f.data = f.data[1:]
	return b
}

var fuzzDCs = []Datacenter{ams, iad, sin,
	{Name: "syd", Lat: -33.9, Lon: 151.2}, {Name: "gru", Lat: -23.4, Lon: -46.5}, {Name: "fra", Lat: 50.1, Lon: 8.7}}

func (f *fuzzInput) scenario() (*Pool, Ranking, Query) {
	p := &Pool{
		Name:        "web",
		MaxAnswers:  int(f.byte() % 5),
		UpFraction:  []float64{0, 0.25, 1.0 / 3, 0.5, 2.0 / 3, 1}[f.byte()%6],
		WhenAllDown: AllDown(f.byte() % 4),
	}
	if f.byte()%4 != 0 {
		p.Check = "web"
	}
	if p.WhenAllDown == AllDownCNAME && f.byte()%4 != 0 {
		p.AllDownCNAME = "fallback.example.net."
	}
	targets := map[health.Target]health.Status{}
	var overrides []health.Override
	n := 1 + int(f.byte())%len(fuzzDCs)
	for i := range n {
		m := Member{Datacenter: fuzzDCs[i]}
		shape := f.byte()
		if shape%8 == 0 {
			m.CNAME = m.Datacenter.Name + ".cdn.example.net."
		} else {
			for j := range int(shape>>3) % 5 {
				m.V4 = append(m.V4, netip.AddrFrom4([4]byte{192, 0, byte(i), byte(j)}))
			}
			for j := range int(shape>>5) % 4 {
				m.V6 = append(m.V6, netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(16*i + j)}))
			}
		}
		for _, a := range slices.Concat(m.V4, m.V6) {
			if s := health.Status(f.byte() % 3); s != health.Unknown {
				targets[health.Target{Check: "web", Addr: a}] = s
			}
		}
		p.Members = append(p.Members, m)
	}
	for range int(f.byte() % 4) {
		o := health.Override{Action: health.Action(1 + f.byte()%3)}
		m := p.Members[int(f.byte())%n]
		all := slices.Concat(m.V4, m.V6)
		if k := int(f.byte()); k%2 == 0 || len(all) == 0 {
			o.Datacenter = m.Datacenter.Name
		} else {
			o.Addr = all[k/2%len(all)]
		}
		if f.byte()%2 == 0 {
			o.Until = t0.Add(time.Duration(int(f.byte())-128) * time.Minute)
		}
		if f.byte()%8 == 0 {
			o.Pool = "other"
		}
		overrides = append(overrides, o)
	}
	var loc geo.Location
	if b := f.byte(); b%4 != 0 {
		loc = city(float64(int(b)-128)*0.7, float64(f.byte())*1.4-180)
	}
	q := Query{Family: Family(f.byte() % 2), Health: health.NewSnapshot(targets, overrides), Now: t0,
		Rand: uint32(f.byte()) | uint32(f.byte())<<8}
	// Policies and weights come last, so that older corpus entries keep
	// their meaning (nearest, rotate).
	p.Policy = Policy(f.byte() % 4)
	p.AddressPolicy = AddressPolicy(f.byte() % 3)
	for i := range p.Members {
		p.Members[i].Weight = uint32(f.byte() % 4)
		p.Members[i].Bias = int(f.byte()%199) - 99
	}
	q.Client = netip.AddrFrom4([4]byte{f.byte(), f.byte(), f.byte(), f.byte()})
	p.Spill, p.SpillWidth = Spill(f.byte()%2), int(f.byte()%4)
	for i := range p.Members {
		p.Members[i].Capacity = uint32(f.byte() % 4)
	}
	// A map half the time: the client's country matches an entry listing
	// up to three datacenters (one the pool may not have), with or
	// without "*".
	if f.byte()%2 == 1 {
		var dcs []string
		for range 1 + int(f.byte()%3) {
			dcs = append(dcs, fuzzDCs[int(f.byte())%len(fuzzDCs)].Name)
		}
		dcs = slices.Compact(dcs)
		seen := map[string]bool{}
		uniq := dcs[:0]
		for _, d := range dcs {
			if !seen[d] {
				seen[d] = true
				uniq = append(uniq, d)
			}
		}
		m, err := NewMap("fuzz", []MapEntry{{Kind: MatchCountry, Key: "XX", Datacenters: uniq, Rest: f.byte()%2 == 0}})
		if err == nil {
			p.Map = m
			loc.Country = "XX"
		}
	}
	return p, Rank(loc, p), q
}

// refUp is a plain restatement of the rules: whether address a of member m
// is up, and whether it is drained.
func refUp(p *Pool, m *Member, a netip.Addr, q Query) (up, drained bool) {
	if o, ok := q.Health.Override(p.Name, m.Datacenter.Name, a, q.Now); ok {
		return o.Action == health.ForceUp, o.Action == health.Drain
	}
	return p.Check == "" || q.Health.Status(health.Target{Check: p.Check, Addr: a}) != health.Down, false
}

func refMemberUp(p *Pool, m *Member, q Query) bool {
	if m.CNAME != "" {
		o, ok := q.Health.Override(p.Name, m.Datacenter.Name, netip.Addr{}, q.Now)
		return !ok || o.Action == health.ForceUp
	}
	addrs := m.Addrs(q.Family)
	up := 0
	for _, a := range addrs {
		if u, _ := refUp(p, m, a, q); u {
			up++
		}
	}
	return up > 0 && float64(up)/float64(len(addrs)) >= p.UpFraction-1e-9
}

func FuzzResolve(f *testing.F) {
	f.Add([]byte{2, 3, 0, 1, 2, 0x5a, 1, 2, 0, 1, 0x21, 2, 2, 1, 0, 200, 1, 7})
	f.Add([]byte{0, 5, 1, 1, 0, 0xff, 2, 2, 2, 2, 2, 2, 2, 0, 3, 3, 0, 1, 0, 1, 1, 0, 9, 0, 1, 1, 1, 1})
	f.Add([]byte{1, 0, 3, 1, 1, 3, 0, 0x18, 0x18, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzInput{data: data}
		p, r, q := in.scenario()
		res := Resolve(p, r, q, make([]netip.Addr, 0, 2), nil)

		// Determinism, and a trace never changes the decision.
		var tr Trace
		if again := Resolve(p, r, q, nil, &tr); !equalResult(again, res) {
			t.Fatalf("Resolve twice = %+v, then %+v", res, again)
		}
		_ = tr.String()

		// The reference: eligible members in rank order, the first up one
		// (nearest, failover), or any up one, of weight > 0 when there is
		// one (weighted, sticky).
		drawn := p.Policy == Weighted || p.Policy == Sticky
		heavyUp := false
		first, chosen := -1, -1
		var upAfterFirst []int // members up, in rank order (for spill)
		allowed, listed := r.Candidates()
		if r.Len() != len(p.Members) {
			allowed, listed = len(p.Members), len(p.Members)
		}
		listedUp := false
		for i := range allowed {
			m := &p.Members[r.Member(i)]
			if m.CNAME == "" && len(m.Addrs(q.Family)) == 0 {
				continue
			}
			if i < listed && refMemberUp(p, m, q) {
				listedUp = true
			}
			if first < 0 {
				first = r.Member(i)
			}
			if refMemberUp(p, m, q) {
				upAfterFirst = append(upAfterFirst, r.Member(i))
				heavyUp = heavyUp || m.Weight > 0
				if chosen < 0 {
					chosen = r.Member(i)
				}
			}
		}
		switch {
		case allowed == 0:
			want := map[AllDown]Outcome{FailOpen: NoData, AllDownNoData: NoData, AllDownServFail: ServFail, AllDownCNAME: CNAME}[p.WhenAllDown]
			if p.WhenAllDown == AllDownCNAME && p.AllDownCNAME == "" {
				want = ServFail
			}
			if res.Outcome != want || res.Member != -1 || !res.AllDown() {
				t.Fatalf("Resolve(empty fence, %v) = %+v, want %v from nobody", p.WhenAllDown, res, want)
			}
			return
		case first < 0:
			if res.Outcome != NoData || res.Member != -1 || res.AllDown() || res.Degraded() {
				t.Fatalf("Resolve(no eligible member) = %+v, want NoData", res)
			}
			return
		case chosen >= 0 && drawn:
			if res.AllDown() || res.Member < 0 || !refMemberUp(p, &p.Members[res.Member], q) ||
				(heavyUp && !listedUp && p.Members[res.Member].Weight == 0 && p.Map == nil) {
				t.Fatalf("Resolve(%v) = %+v, want an up member (of weight > 0: %v)", p.Policy, res, heavyUp)
			}
			pos := slices.IndexFunc(make([]int, allowed), func(int) bool { return false })
			for i := range allowed {
				if r.Member(i) == res.Member {
					pos = i
				}
			}
			if pos < 0 || (listedUp && pos >= listed) {
				t.Fatalf("Resolve(%v) = member %d at rank %d, want a candidate (of %d), a listed one (of %d) when one is up", p.Policy, res.Member, pos, allowed, listed)
			}
		case chosen >= 0 && p.Spill == SpillCapacity && chosen != first:
			width := p.SpillWidth
			if width == 0 {
				width = DefaultSpillWidth
			}
			if res.Reason != ReasonSpill || !slices.Contains(upAfterFirst[:min(width, len(upAfterFirst))], res.Member) {
				t.Fatalf("Resolve(spill) = %+v, want one of %v (width %d)", res, upAfterFirst, width)
			}
		case chosen >= 0:
			if res.AllDown() || res.Member != chosen || res.Degraded() != (chosen != first) {
				t.Fatalf("Resolve = %+v, want member %d (first eligible %d), not all down", res, chosen, first)
			}
		default:
			if !res.AllDown() || !res.Degraded() {
				t.Fatalf("Resolve(all down) = %+v, want AllDown and Degraded", res)
			}
			want := map[AllDown]Outcome{AllDownNoData: NoData, AllDownServFail: ServFail, AllDownCNAME: CNAME}[p.WhenAllDown]
			if p.WhenAllDown == AllDownCNAME && p.AllDownCNAME == "" {
				want = ServFail
			}
			if p.WhenAllDown != FailOpen && (res.Outcome != want || res.Member != -1) {
				t.Fatalf("Resolve(all down, %v) = %+v, want %v", p.WhenAllDown, res, want)
			}
			if p.WhenAllDown == FailOpen && res.Member < 0 {
				t.Fatalf("Resolve(all down, fail-open) = %+v, want a member", res)
			}
		}

		switch res.Outcome {
		case CNAME:
			if res.Member >= 0 && res.CNAME != p.Members[res.Member].CNAME {
				t.Fatalf("Resolve = CNAME %q, want member's %q", res.CNAME, p.Members[res.Member].CNAME)
			}
		case Addresses:
			m := &p.Members[res.Member]
			if len(res.Addrs) == 0 {
				t.Fatalf("Resolve = %+v: no addresses", res)
			}
			if p.MaxAnswers > 0 && len(res.Addrs) > p.MaxAnswers {
				t.Fatalf("Resolve = %d addresses, want at most %d", len(res.Addrs), p.MaxAnswers)
			}
			seen := map[netip.Addr]bool{}
			for _, a := range res.Addrs {
				if seen[a] || !slices.Contains(m.Addrs(q.Family), a) {
					t.Fatalf("Resolve = %v: %s repeated or not an address of %s", res.Addrs, a, m.Datacenter.Name)
				}
				seen[a] = true
				up, drained := refUp(p, m, a, q)
				if !res.AllDown() && !up {
					t.Fatalf("Resolve = %v: %s is down", res.Addrs, a)
				}
				if res.AllDown() && drained && !refAllDrained(p, m, q) {
					t.Fatalf("Resolve(fail-open) = %v: %s is drained", res.Addrs, a)
				}
			}
		}
	})
}

func refAllDrained(p *Pool, m *Member, q Query) bool {
	for _, a := range m.Addrs(q.Family) {
		if _, d := refUp(p, m, a, q); !d {
			return false
		}
	}
	return true
}
