package pick

import (
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
)

func TestRampShare(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	p := &Pool{RampUp: 10 * time.Minute}
	tests := []struct {
		back time.Time
		want float64
	}{
		{time.Time{}, 1},                    // no return known
		{now, 0},                            // just back
		{now.Add(time.Minute), 0},           // a clock ahead of ours
		{now.Add(-150 * time.Second), 0.25}, // a quarter of the way
		{now.Add(-5 * time.Minute), 0.5},    // half
		{now.Add(-10 * time.Minute), 1},     // done
		{now.Add(-time.Hour), 1},            // long done
	}
	for _, tt := range tests {
		if got := rampShare(p, tt.back, now); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("rampShare(back %v) = %v, want %v", now.Sub(tt.back), got, tt.want)
		}
	}
	if got := rampShare(&Pool{}, now, now); got != 1 {
		t.Errorf("rampShare without ramp_up = %v, want 1", got)
	}
}

// backAt returns a snapshot in which member dc of p came back up at back.
func backAt(p *Pool, dc string, back time.Time) *health.Snapshot {
	d := map[health.Target]health.Detail{}
	for _, m := range p.Members {
		st := health.Detail{Status: health.Up}
		if m.Datacenter.Name == dc {
			st.BackSince = back
		}
		d[health.Target{Check: p.Check, Addr: m.V4[0]}] = st
	}
	return health.NewDetailedSnapshot(d, nil)
}

func TestRampUp(t *testing.T) {
	const clients = 20000
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, policy := range []Policy{Failover, Sticky} {
		t.Run(policy.String(), func(t *testing.T) {
			p := fivePool(policy, 1, 1, 1, 1, 1)
			p.RampUp = 10 * time.Minute
			// Where each client goes with every member fully up.
			natural := make([]string, clients)
			for i := range natural {
				natural[i] = Resolve(p, Ranking{}, Query{Client: clientN(i), Now: now}, nil, nil).Datacenter()
			}
			// dc0 back 2.5 minutes ago: a quarter of its clients are back.
			snap := backAt(p, "dc0", now.Add(-150*time.Second))
			var own, back int
			for i := range clients {
				q := Query{Client: clientN(i), Now: now, Health: snap}
				d := Resolve(p, Ranking{}, q, nil, nil)
				if natural[i] != "dc0" {
					if d.Datacenter() != natural[i] {
						t.Fatalf("client %d of %s moved to %s during dc0's ramp", i, natural[i], d.Datacenter())
					}
					continue
				}
				own++
				if d.MinScope != 24 {
					t.Fatalf("client %d: scope %d during the ramp, want 24", i, d.MinScope)
				}
				switch {
				case d.Datacenter() == "dc0":
					back++
				case d.Reason != ReasonRamp:
					t.Fatalf("client %d kept away from dc0: reason %v, want ramp", i, d.Reason)
				}
				// Stable: a later query (another random value) agrees, and
				// a client once back stays back as the ramp goes on.
				later := Resolve(p, Ranking{}, Query{Client: clientN(i), Now: now.Add(time.Minute), Health: snap, Rand: 9}, nil, nil)
				if d.Datacenter() == "dc0" && later.Datacenter() != "dc0" {
					t.Fatalf("client %d back on dc0 left it a minute later", i)
				}
			}
			if share := float64(back) / float64(own); math.Abs(share-0.25) > 0.03 {
				t.Errorf("%d of dc0's %d clients back after a quarter of the ramp (%.3f), want ≈ 0.25", back, own, share)
			}
			// After the ramp every client is back.
			done := backAt(p, "dc0", now.Add(-11*time.Minute))
			for i := range 500 {
				d := Resolve(p, Ranking{}, Query{Client: clientN(i), Now: now, Health: done}, nil, nil)
				if d.Datacenter() != natural[i] || d.Reason != ReasonFirst {
					t.Fatalf("client %d after the ramp: %s %v, want %s first", i, d.Datacenter(), d.Reason, natural[i])
				}
			}
		})
	}
	t.Run("a lifted drain ramps too", func(t *testing.T) {
		p := fivePool(Failover, 1, 1, 1, 1, 1)
		p.RampUp = 10 * time.Minute
		snap := health.NewSnapshot(nil, nil).WithLifted([]health.Lifted{
			{Override: health.Override{Datacenter: "dc0", Action: health.Drain}, At: now.Add(-5 * time.Minute)},
		})
		back := 0
		for i := range clients {
			if Resolve(p, Ranking{}, Query{Client: clientN(i), Now: now, Health: snap}, nil, nil).Datacenter() == "dc0" {
				back++
			}
		}
		if share := float64(back) / clients; math.Abs(share-0.5) > 0.03 {
			t.Errorf("half-way through the ramp after a drain: %.3f of clients on dc0, want ≈ 0.5", share)
		}
	})
	t.Run("a ramping member beats none", func(t *testing.T) {
		p := fivePool(Failover, 1, 1)
		p.RampUp = 10 * time.Minute
		snap := health.NewDetailedSnapshot(map[health.Target]health.Detail{
			{Check: "web", Addr: p.Members[0].V4[0]}: {Status: health.Up, BackSince: now},
			{Check: "web", Addr: p.Members[1].V4[0]}: {Status: health.Down},
		}, nil)
		d := Resolve(p, Ranking{}, Query{Client: netip.MustParseAddr("192.0.2.1"), Now: now, Health: snap}, nil, nil)
		if d.Datacenter() != "dc0" || d.Reason != ReasonFirst {
			t.Errorf("only the ramping member up: %s %v, want dc0 first", d.Datacenter(), d.Reason)
		}
	})
	t.Run("an address flapping in an up datacenter does not ramp it", func(t *testing.T) {
		p := &Pool{Name: "p", Check: "web", UpFraction: 0.5, RampUp: 10 * time.Minute, Members: []Member{
			{Datacenter: ams, V4: addrs("192.0.2.1", "192.0.2.2")},
			{Datacenter: iad, V4: addrs("198.51.100.1")},
		}}
		snap := health.NewDetailedSnapshot(map[health.Target]health.Detail{
			{Check: "web", Addr: netip.MustParseAddr("192.0.2.1")}: {Status: health.Up},
			{Check: "web", Addr: netip.MustParseAddr("192.0.2.2")}: {Status: health.Up, BackSince: now},
		}, nil)
		for i := range 200 {
			if d := Resolve(p, Ranking{}, Query{Client: clientN(i), Now: now, Health: snap}, nil, nil); d.Datacenter() != "ams" {
				t.Fatalf("client %d: %s, want ams (one address of two back: ams was up all along)", i, d.Datacenter())
			}
		}
	})
}

func TestRampShareExported(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	p := fivePool(Failover, 1, 1, 1, 1, 1)
	p.RampUp = 10 * time.Minute
	snap := backAt(p, "dc1", now.Add(-150*time.Second))
	for i, want := range []float64{1, 0.25, 1, 1, 1} {
		if got := RampShare(p, i, Query{Health: snap, Now: now}); math.Abs(got-want) > 1e-9 {
			t.Errorf("RampShare(member %d) = %v, want %v", i, got, want)
		}
	}
	if got := RampShare(p, 9, Query{Health: snap, Now: now}); got != 1 {
		t.Errorf("RampShare(no such member) = %v, want 1", got)
	}
}
