package health

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestSnapshotStatusDoesNotAllocate(t *testing.T) {
	tg := Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.10")}
	s := NewDetailedSnapshot(map[Target]Detail{tg: {Status: Down, Reason: "x"}}, nil)
	other := Target{Check: "web", Addr: netip.MustParseAddr("2001:db8::1")}
	allocs := testing.AllocsPerRun(100, func() {
		if s.Status(tg) != Down || s.Status(other) != Unknown {
			t.Fatal("wrong status")
		}
	})
	if allocs != 0 {
		t.Errorf("Status allocates %v times per call, want 0", allocs)
	}
}

func TestSnapshotDetail(t *testing.T) {
	a := Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.10")}
	b := Target{Check: "api", Addr: netip.MustParseAddr("192.0.2.11")}
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in := map[Target]Detail{a: {Status: Down, Since: since, Reason: "3 consecutive failures: timeout"}, b: {Status: Up}}
	s := NewDetailedSnapshot(in, nil)
	delete(in, a)
	if d, ok := s.Detail(a); !ok || d.Status != Down || !d.Since.Equal(since) || d.Reason == "" {
		t.Errorf("Detail(a) = %+v, %v", d, ok)
	}
	if _, ok := s.Detail(Target{Check: "x"}); ok {
		t.Error("Detail of an unknown target reported ok")
	}
	if got := s.Targets(); len(got) != 2 || got[0] != b || got[1] != a || s.Len() != 2 {
		t.Errorf("Targets() = %v, want [%v %v]", got, b, a)
	}
	var nilSnap *Snapshot
	if nilSnap.Len() != 0 || nilSnap.Targets() != nil || nilSnap.Status(a) != Unknown {
		t.Error("nil snapshot is not empty")
	}
	if _, ok := nilSnap.Detail(a); ok {
		t.Error("nil snapshot Detail reported ok")
	}
}

func TestOverrideKeyAndValidate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	addr := netip.MustParseAddr("192.0.2.10")
	o := Override{Pool: "web", Datacenter: "ams", Addr: addr, Action: Drain}
	if k := o.Key(); k != KeyFor("web", "", addr) || k.String() != "pool=web addr=192.0.2.10" {
		t.Errorf("Key() = %+v (%s)", k, k)
	}
	if k := (Override{Datacenter: "ams"}).Key(); k.String() != "pool=* dc=ams" {
		t.Errorf("Key().String() = %q", k)
	}
	tests := []struct {
		name string
		o    Override
		ok   bool
	}{
		{"datacenter", Override{Datacenter: "ams", Action: ForceDown}, true},
		{"address until later", Override{Addr: addr, Action: ForceUp, Until: now.Add(time.Minute)}, true},
		{"nothing named", Override{Action: Drain}, false},
		{"no action", Override{Datacenter: "ams"}, false},
		{"expired", Override{Datacenter: "ams", Action: Drain, Until: now}, false},
	}
	for _, tt := range tests {
		err := tt.o.Validate(now)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalidOverride)) {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestRampInputs(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a := netip.MustParseAddr("192.0.2.10")
	up := Target{Check: "web", Addr: a}
	down := Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.11")}
	s := NewDetailedSnapshot(map[Target]Detail{
		up:   {Status: Up, Since: now.Add(-time.Minute), BackSince: now.Add(-time.Minute)},
		down: {Status: Down, BackSince: now.Add(-time.Hour)},
	}, []Override{
		{Datacenter: "ams", Action: Drain, Until: now.Add(-2 * time.Minute)},              // lapsed
		{Datacenter: "ams", Action: Drain, Until: now.Add(time.Hour), Pool: "other"},      // in force, other pool
		{Datacenter: "iad", Action: ForceUp, Until: now.Add(-30 * time.Second)},           // not a drain
		{Addr: a, Datacenter: "ams", Action: ForceDown, Until: now.Add(-3 * time.Minute)}, // address level
	}).WithLifted([]Lifted{
		{Override: Override{Datacenter: "ams", Action: ForceDown}, At: now.Add(-5 * time.Minute)},
		{Override: Override{Datacenter: "sin", Action: Drain, Pool: "web"}, At: now.Add(-10 * time.Second)},
	})
	if got := s.BackSince(up); !got.Equal(now.Add(-time.Minute)) {
		t.Errorf("BackSince(up) = %v", got)
	}
	if got := s.BackSince(down); !got.IsZero() {
		t.Errorf("BackSince(down) = %v, want zero", got)
	}
	tests := []struct {
		pool, dc string
		addr     netip.Addr
		want     time.Time
	}{
		{"web", "ams", netip.Addr{}, now.Add(-2 * time.Minute)}, // the lapsed drain beats the older lift
		{"web", "ams", a, now.Add(-2 * time.Minute)},            // the datacenter drain covered the address too
		{"web", "iad", netip.Addr{}, time.Time{}},
		{"web", "sin", netip.Addr{}, now.Add(-10 * time.Second)},
		{"api", "sin", netip.Addr{}, time.Time{}}, // the lifted drain was for pool web
	}
	for _, tt := range tests {
		if got := s.LiftedAt(tt.pool, tt.dc, tt.addr, now); !got.Equal(tt.want) {
			t.Errorf("LiftedAt(%s, %s, %v) = %v, want %v", tt.pool, tt.dc, tt.addr, got, tt.want)
		}
	}
	var nilSnap *Snapshot
	if !nilSnap.LiftedAt("web", "ams", netip.Addr{}, now).IsZero() || !nilSnap.BackSince(up).IsZero() {
		t.Error("nil snapshot: want zero times")
	}
}
