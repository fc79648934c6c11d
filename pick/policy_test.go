package pick

import (
	"fmt"
	"math"
	"net/netip"
	"testing"

	"github.com/gslb/gslb/health"
)

// fivePool returns a pool of five single-address datacenters with the given
// policy and weights.
func fivePool(policy Policy, weights ...uint32) *Pool {
	p := &Pool{Name: "five", Policy: policy, Check: "web", UpFraction: 0.5}
	for i, w := range weights {
		p.Members = append(p.Members, Member{
			Datacenter: Datacenter{Name: fmt.Sprintf("dc%d", i)},
			V4:         []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)})},
			Weight:     w,
		})
	}
	return p
}

// down returns a snapshot in which the named members' addresses are down.
func down(p *Pool, names ...string) *health.Snapshot {
	st := map[health.Target]health.Status{}
	for _, m := range p.Members {
		for _, n := range names {
			if m.Datacenter.Name == n {
				st[health.Target{Check: p.Check, Addr: m.V4[0]}] = health.Down
			}
		}
	}
	return health.NewSnapshot(st, nil)
}

// clientN returns the n-th of a spread of IPv4 client addresses, one per /24.
func clientN(n int) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(1 + n>>16), byte(n >> 8), byte(n), 7})
}

func TestFailoverIgnoresLocation(t *testing.T) {
	p := webPool()
	p.Policy = Failover
	for _, loc := range []string{"singapore", "newYork", "sydney"} {
		l := map[string]struct{ lat, lon float64 }{"singapore": {1.29, 103.85}, "newYork": {40.71, -74.01}, "sydney": {-33.87, 151.21}}[loc]
		r := Rank(city(l.lat, l.lon), p)
		if got := names(r, p); got != "ams iad sin" {
			t.Errorf("failover Rank(%s) = %s, want configuration order", loc, got)
		}
	}
	snap := health.NewSnapshot(map[health.Target]health.Status{
		{Check: "web", Addr: netip.MustParseAddr("192.0.2.10")}: health.Down,
		{Check: "web", Addr: netip.MustParseAddr("192.0.2.11")}: health.Down,
	}, nil)
	d := Resolve(p, Rank(singapore, p), Query{Health: snap}, nil, nil)
	if d.Datacenter() != "iad" || d.Reason != ReasonFailover {
		t.Errorf("failover with ams down = %s %v, want iad failover", d.Datacenter(), d.Reason)
	}
}

func TestBias(t *testing.T) {
	// A client in Paris: ams (~430 km) before iad (~6200 km).
	p := webPool()
	if got := names(Rank(paris, p), p); got != "ams iad sin" {
		t.Fatalf("Rank(paris) = %s", got)
	}
	tests := []struct {
		amsBias, iadBias int
		want             string
	}{
		{0, 0, "ams iad sin"},
		{-99, 0, "ams iad sin"}, // ams repels, but 430 km × 1.99 is still the nearest
		{0, 99, "iad ams sin"},  // iad attracts: 6200 km × 0.01 = 62 km
		{0, 50, "ams iad sin"},  // 3,100 km is still farther than 430
	}
	// Paris is 430 km from ams and 480 km from fra: a bias of -20 on ams
	// (516 km) or +20 on fra (384 km) turns the order around.
	fra := Datacenter{Name: "fra", Lat: 50.11, Lon: 8.68}
	two := func(amsBias, fraBias int) *Pool {
		return &Pool{Members: []Member{{Datacenter: ams, Bias: amsBias}, {Datacenter: fra, Bias: fraBias}}}
	}
	for _, c := range []struct {
		amsBias, fraBias int
		want             string
	}{{0, 0, "ams fra"}, {-20, 0, "fra ams"}, {0, 20, "fra ams"}, {-5, 0, "ams fra"}} {
		p := two(c.amsBias, c.fraBias)
		if got := names(Rank(paris, p), p); got != c.want {
			t.Errorf("Rank(paris, bias ams %d fra %d) = %s, want %s", c.amsBias, c.fraBias, got, c.want)
		}
	}
	for _, tt := range tests {
		p := webPool()
		p.Members[0].Bias, p.Members[1].Bias = tt.amsBias, tt.iadBias
		r := Rank(paris, p)
		if got := names(r, p); got != tt.want {
			t.Errorf("Rank(paris, bias ams %d iad %d) = %s, want %s", tt.amsBias, tt.iadBias, got, tt.want)
		}
		// The table is a cache of Rank: the bias is in its key.
		if tt.amsBias != 0 || tt.iadBias != 0 {
			if p.TableKey() == webPool().TableKey() {
				t.Errorf("bias ams %d iad %d: TableKey unchanged", tt.amsBias, tt.iadBias)
			}
		}
	}
}

func TestWeightedDraws(t *testing.T) {
	const draws = 200000
	tests := []struct {
		name    string
		weights []uint32
		down    []string
		want    []float64 // expected share per member
		reason  Reason
	}{
		{"by weight", []uint32{1, 2, 3, 4, 0}, nil, []float64{0.1, 0.2, 0.3, 0.4, 0}, ReasonFirst},
		{"one down", []uint32{1, 2, 3, 4, 0}, []string{"dc3"}, []float64{1.0 / 6, 2.0 / 6, 3.0 / 6, 0, 0}, ReasonFailover},
		{"weight 0 only when no other is up", []uint32{1, 0, 0, 0, 0}, []string{"dc0"}, []float64{0, 0.25, 0.25, 0.25, 0.25}, ReasonFailover},
		{"equal", []uint32{5, 5, 5, 5, 5}, nil, []float64{0.2, 0.2, 0.2, 0.2, 0.2}, ReasonFirst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fivePool(Weighted, tt.weights...)
			q := Query{Health: down(p, tt.down...)}
			counts := make([]int, len(p.Members))
			for i := range draws {
				q.Rand = uint32(nextRand(12345, i))
				d := Resolve(p, Ranking{}, q, nil, nil)
				if d.Member < 0 || d.Reason != tt.reason {
					t.Fatalf("draw %d: member %d reason %v, want a member and %v", i, d.Member, d.Reason, tt.reason)
				}
				counts[d.Member]++
			}
			for m, c := range counts {
				got := float64(c) / draws
				// 5 standard deviations of a binomial share.
				tol := 5 * math.Sqrt(tt.want[m]*(1-tt.want[m])/draws)
				if math.Abs(got-tt.want[m]) > tol+1e-9 {
					t.Errorf("member %d: share %.4f, want %.4f ± %.4f", m, got, tt.want[m], tol)
				}
			}
		})
	}
	// Seeded: the same random value gives the same member.
	p := fivePool(Weighted, 1, 2, 3, 4, 5)
	for i := range 100 {
		q := Query{Rand: uint32(i * 7919)}
		if a, b := Resolve(p, Ranking{}, q, nil, nil), Resolve(p, Ranking{}, q, nil, nil); a.Member != b.Member {
			t.Fatalf("Rand %d: members %d and %d", q.Rand, a.Member, b.Member)
		}
	}
}

// stickyMembers returns the member each of n clients gets.
func stickyMembers(p *Pool, snap *health.Snapshot, n int) []string {
	out := make([]string, n)
	for i := range out {
		d := Resolve(p, Ranking{}, Query{Health: snap, Client: clientN(i)}, nil, nil)
		out[i] = d.Datacenter()
	}
	return out
}

func TestStickyRendezvous(t *testing.T) {
	const clients = 20000
	p := fivePool(Sticky, 1, 1, 1, 1, 1)
	before := stickyMembers(p, nil, clients)

	t.Run("a member down moves only its clients", func(t *testing.T) {
		after := stickyMembers(p, down(p, "dc2"), clients)
		moved := 0
		for i := range before {
			if before[i] != after[i] {
				moved++
				if before[i] != "dc2" {
					t.Fatalf("client %d moved from %s to %s although %s is up", i, before[i], after[i], before[i])
				}
			}
		}
		if share := float64(moved) / clients; math.Abs(share-0.2) > 0.02 {
			t.Errorf("%.3f of clients moved, want ≈ 1/5", share)
		}
	})
	t.Run("removing a member from the pool moves only its clients", func(t *testing.T) {
		q := fivePool(Sticky, 1, 1, 1, 1)
		after := stickyMembers(q, nil, clients)
		for i := range before {
			if before[i] != "dc4" && before[i] != after[i] {
				t.Fatalf("client %d moved from %s to %s", i, before[i], after[i])
			}
		}
	})
	t.Run("shares follow the weights", func(t *testing.T) {
		w := fivePool(Sticky, 1, 1, 2, 4, 0)
		counts := map[string]int{}
		for _, dc := range stickyMembers(w, nil, clients) {
			counts[dc]++
		}
		want := map[string]float64{"dc0": 0.125, "dc1": 0.125, "dc2": 0.25, "dc3": 0.5, "dc4": 0}
		for dc, share := range want {
			got := float64(counts[dc]) / clients
			if math.Abs(got-share) > 0.02 {
				t.Errorf("%s: share %.3f, want %.3f", dc, got, share)
			}
		}
	})
	t.Run("reason and scope", func(t *testing.T) {
		c := clientN(42)
		d := Resolve(p, Ranking{}, Query{Client: c}, nil, nil)
		if d.Reason != ReasonFirst || d.MinScope != 24 {
			t.Errorf("sticky: reason %v min scope %d, want first, 24", d.Reason, d.MinScope)
		}
		own := d.Datacenter()
		d = Resolve(p, Ranking{}, Query{Client: c, Health: down(p, own)}, nil, nil)
		if d.Reason != ReasonFailover || d.Datacenter() == own {
			t.Errorf("sticky with %s down: %s %v, want another datacenter, failover", own, d.Datacenter(), d.Reason)
		}
		// Every address of the /24 gets the same member.
		for i := range 256 {
			a := c.As4()
			a[3] = byte(i)
			if d := Resolve(p, Ranking{}, Query{Client: netip.AddrFrom4(a)}, nil, nil); d.Datacenter() != own {
				got := d.Datacenter()
				t.Fatalf("%v: %s, want %s like the rest of its /24", netip.AddrFrom4(a), got, own)
			}
		}
		p6 := fivePool(Sticky, 1, 1, 1, 1, 1)
		p6.StickyIPv6Prefix = 48
		if d := Resolve(p6, Ranking{}, Query{Client: netip.MustParseAddr("2001:db8::1")}, nil, nil); d.MinScope != 48 {
			t.Errorf("IPv6 sticky prefix 48: min scope %d", d.MinScope)
		}
	})
}

func TestAddressPolicies(t *testing.T) {
	mk := func(ap AddressPolicy) *Pool {
		return &Pool{Name: "a", AddressPolicy: ap, MaxAnswers: 1, Members: []Member{{
			Datacenter: ams,
			V4:         addrs("192.0.2.1", "192.0.2.2", "192.0.2.3"),
			W4:         []uint32{1, 1, 2},
		}}}
	}
	t.Run("weighted", func(t *testing.T) {
		p := mk(WeightedAddresses)
		const n = 100000
		counts := map[string]int{}
		for i := range n {
			d := Resolve(p, Ranking{}, Query{Rand: uint32(nextRand(7, i))}, nil, nil)
			counts[d.Addrs[0].String()]++
		}
		for a, share := range map[string]float64{"192.0.2.1": 0.25, "192.0.2.2": 0.25, "192.0.2.3": 0.5} {
			if got := float64(counts[a]) / n; math.Abs(got-share) > 0.01 {
				t.Errorf("%s first: share %.3f, want %.2f", a, got, share)
			}
		}
		p.MaxAnswers = 0
		d := Resolve(p, Ranking{}, Query{Rand: 99}, nil, nil)
		if len(d.Addrs) != 3 || d.Addrs[0] == d.Addrs[1] || d.Addrs[1] == d.Addrs[2] || d.Addrs[0] == d.Addrs[2] {
			t.Errorf("weighted order of all = %v, want each address once", d.Addrs)
		}
	})
	t.Run("sticky", func(t *testing.T) {
		p := mk(StickyAddresses)
		firsts := map[string]bool{}
		for i := range 1000 {
			c := clientN(i)
			d := Resolve(p, Ranking{}, Query{Client: c, Rand: uint32(i)}, nil, nil)
			again := Resolve(p, Ranking{}, Query{Client: c, Rand: uint32(i + 1)}, nil, nil)
			if d.Addrs[0] != again.Addrs[0] || d.MinScope != 24 {
				t.Fatalf("client %v: %v then %v (scope %d), want the same address, scope 24", c, d.Addrs, again.Addrs, d.MinScope)
			}
			firsts[d.Addrs[0].String()] = true
		}
		if len(firsts) != 3 {
			t.Errorf("sticky first addresses over 1000 clients: %v, want all three used", firsts)
		}
	})
}

func TestParseAddressPolicy(t *testing.T) {
	for _, a := range []AddressPolicy{Rotate, WeightedAddresses, StickyAddresses} {
		if got, err := ParseAddressPolicy(a.String()); err != nil || got != a {
			t.Errorf("ParseAddressPolicy(%q) = %v, %v", a.String(), got, err)
		}
	}
	for _, p := range []Policy{Nearest, Failover, Weighted, Sticky} {
		if got, err := ParsePolicy(p.String()); err != nil || got != p {
			t.Errorf("ParsePolicy(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := ParseAddressPolicy("random"); err == nil {
		t.Error("ParseAddressPolicy(random) succeeded")
	}
}

func TestSpillByCapacity(t *testing.T) {
	const clients = 20000
	p := fivePool(Failover, 1, 1, 1, 1, 1)
	p.Spill, p.SpillWidth = SpillCapacity, 3
	p.Members[1].Capacity, p.Members[2].Capacity, p.Members[3].Capacity = 1, 2, 1
	snap := down(p, "dc0")
	counts := map[string]int{}
	for i := range clients {
		q := Query{Health: snap, Client: clientN(i)}
		d := Resolve(p, Ranking{}, q, nil, nil)
		if d.Reason != ReasonSpill || d.MinScope != 24 {
			t.Fatalf("client %d: reason %v scope %d, want spill, 24", i, d.Reason, d.MinScope)
		}
		if again := Resolve(p, Ranking{}, Query{Health: snap, Client: clientN(i), Rand: 77}, nil, nil); again.Member != d.Member {
			t.Fatalf("client %d: %s then %s: spill must be stable", i, d.Datacenter(), again.Datacenter())
		}
		counts[d.Datacenter()]++
	}
	for dc, share := range map[string]float64{"dc1": 0.25, "dc2": 0.5, "dc3": 0.25, "dc4": 0} {
		if got := float64(counts[dc]) / clients; math.Abs(got-share) > 0.02 {
			t.Errorf("%s: share %.3f, want %.2f", dc, got, share)
		}
	}
	// With the first choice up nobody spills. With dc2 down too, the spill
	// set becomes dc1, dc3, dc4: dc2's clients move, dc4 takes its share
	// from the others, and no client moves between dc1 and dc3.
	if d := Resolve(p, Ranking{}, Query{Client: clientN(1)}, nil, nil); d.Reason != ReasonFirst || d.Datacenter() != "dc0" {
		t.Errorf("first choice up: %s %v", d.Datacenter(), d.Reason)
	}
	both := down(p, "dc0", "dc2")
	for i := range 2000 {
		before := Resolve(p, Ranking{}, Query{Health: snap, Client: clientN(i)}, nil, nil).Datacenter()
		after := Resolve(p, Ranking{}, Query{Health: both, Client: clientN(i)}, nil, nil).Datacenter()
		if before != "dc2" && before != after && after != "dc4" {
			t.Fatalf("client %d moved from %s to %s although %s is up", i, before, after, before)
		}
	}
}
