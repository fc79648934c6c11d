package pick

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// checkPlan compares a plan's decision with Resolve's for the scenario of
// data, made plannable where that does not change its ranking (rotation,
// no capacity spill, no ramp). It reports whether the scenario was
// checked: weighted and sticky pools and snapshots with timed overrides
// are not plannable.
func checkPlan(t *testing.T, data []byte) bool {
	t.Helper()
	in := &fuzzInput{data: data}
	p, r, q := in.scenario()
	p.AddressPolicy, p.Spill, p.RampUp = Rotate, SpillNext, 0
	if !Plannable(p, q.Health) {
		if p.Policy != Weighted && p.Policy != Sticky && !q.Health.Timed() {
			t.Fatalf("pool %+v not plannable without timed overrides", p)
		}
		return false
	}
	pl := MakePlan(p, &r, q.Family, q.Health)
	for _, rnd := range []uint32{q.Rand, 0, 1, 2, 3, 7, 1 << 31, ^uint32(0)} {
		q.Rand = rnd
		want := Resolve(p, r, q, nil, nil)
		got := pl.Decide(rnd, make([]netip.Addr, 0, 1))
		if !equalResult(got, want) || got.MinScope != want.MinScope || got.TTL != want.TTL || got.Scope != want.Scope {
			t.Fatalf("plan of %+v (rand %d) = %+v, want Resolve's %+v", p, rnd, got, want)
		}
	}
	return true
}

// TestPlanMatchesResolve: for plannable pools, a plan decides exactly as
// Resolve does, for every random value (rotation), on random scenarios:
// member health, overrides, up_fraction, when_all_down, maps, max_answers.
func TestPlanMatchesResolve(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for range 20000 {
		data := make([]byte, 96)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		if checkPlan(t, data) {
			checked++
		}
	}
	if checked < 2000 {
		t.Fatalf("only %d of 20000 scenarios were plannable", checked)
	}
}

// TestPlannable: what makes a pool's decisions depend on more than the
// ranking, the family and the rotation.
func TestPlannable(t *testing.T) {
	base := func() *Pool { return webPool() }
	for _, tc := range []struct {
		name string
		edit func(*Pool)
		want bool
	}{
		{"nearest", func(*Pool) {}, true},
		{"failover", func(p *Pool) { p.Policy = Failover }, true},
		{"weighted", func(p *Pool) { p.Policy = Weighted }, false},
		{"sticky", func(p *Pool) { p.Policy = Sticky }, false},
		{"capacity spill", func(p *Pool) { p.Spill = SpillCapacity }, false},
		{"ramp-up", func(p *Pool) { p.RampUp = 60e9 }, false},
		{"weighted addresses", func(p *Pool) { p.AddressPolicy = WeightedAddresses }, false},
		{"sticky addresses", func(p *Pool) { p.AddressPolicy = StickyAddresses }, false},
	} {
		p := base()
		tc.edit(p)
		if got := Plannable(p, nil); got != tc.want {
			t.Errorf("Plannable(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
	if Plannable(nil, nil) {
		t.Error("Plannable(nil pool) = true")
	}
}

// FuzzPlan: a plan decides as Resolve does (see checkPlan).
func FuzzPlan(f *testing.F) {
	f.Add([]byte{2, 3, 0, 1, 2, 0x5a, 1, 2, 0, 1, 0x21, 2, 2, 1, 0, 200, 1, 7})
	f.Add([]byte{1, 0, 3, 1, 1, 3, 0, 0x18, 0x18, 0x80})
	f.Add(slices.Repeat([]byte{3, 0xff, 1}, 30))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkPlan(t, data)
	})
}
