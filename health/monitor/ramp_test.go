package monitor

import (
	"context"
	"net/netip"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
)

// These tests cover the inputs of slow ramp-up that the monitor fills:
// Detail.BackSince per target and the snapshot's lifted overrides, both
// kept across restarts.

// blockedProbe never returns before its context ends: a monitor using it
// shows only what it loaded.
func blockedProbe(ctx context.Context, _ health.Check, _ netip.Addr) error {
	<-ctx.Done()
	return ctx.Err()
}

// backSince returns the BackSince that the snapshot of m publishes for tg.
func backSince(m *Monitor, tg health.Target) time.Time {
	d, _ := m.Snapshot().Detail(tg)
	return d.BackSince
}

func TestBackSince(t *testing.T) {
	clock := newClock()
	path := filepath.Join(t.TempDir(), "state.db")
	st := openStore(t, path)
	flappy, steady := tgt("192.0.2.1"), tgt("192.0.2.2")
	var ok atomic.Bool
	p := &countingProbe{ok: func(a netip.Addr) bool { return a == steady.Addr || ok.Load() }}
	targets := map[health.Target]health.Check{flappy: fakeCheck(10 * time.Millisecond), steady: fakeCheck(10 * time.Millisecond)}
	m := mustNew(t, Options{Store: st, Probe: p.Probe, Now: clock.Now})
	m.SetTargets(targets)
	stop := run(t, m)

	// flappy fails from the start; steady is up from the start, which is
	// not a return.
	waitDecided(t, m, flappy, health.Down)
	waitDecided(t, m, steady, health.Up)
	if got := backSince(m, steady); !got.IsZero() {
		t.Errorf("BackSince(steady) after unknown → up = %v, want zero", got)
	}

	// Results carry the clock's time, which moves only here: the first
	// success after each advance is the return.
	var back time.Time
	for i := range 2 {
		clock.Advance(time.Minute)
		back = clock.Now()
		ok.Store(true)
		waitDecided(t, m, flappy, health.Up)
		if got := backSince(m, flappy); !got.Equal(back) {
			t.Errorf("return %d: BackSince(flappy) = %v, want %v", i+1, got, back)
		}
		if got := m.Snapshot().BackSince(flappy); !got.Equal(back) {
			t.Errorf("return %d: Snapshot.BackSince(flappy) = %v, want %v", i+1, got, back)
		}
		if i == 0 {
			ok.Store(false)
			waitDecided(t, m, flappy, health.Down)
			if got := backSince(m, flappy); !got.IsZero() {
				t.Errorf("BackSince(flappy) while down = %v, want zero", got)
			}
		}
	}
	stop()
	st.Close()

	// A restart with fresh state publishes the same times before any probe.
	st = openStore(t, path)
	m = mustNew(t, Options{Store: st, Probe: blockedProbe, Now: clock.Now})
	m.SetTargets(targets)
	if d, _ := m.Snapshot().Detail(flappy); d.Status != health.Up || !d.BackSince.Equal(back) {
		t.Errorf("after a restart: flappy = %+v, want up with BackSince %v", d, back)
	}
	if got := backSince(m, steady); !got.IsZero() {
		t.Errorf("after a restart: BackSince(steady) = %v, want zero", got)
	}
	st.Close()

	// A restart with stale state starts unknown, without BackSince.
	clock.Advance(time.Hour)
	st = openStore(t, path)
	defer st.Close()
	m = mustNew(t, Options{Store: st, Probe: blockedProbe, Now: clock.Now})
	m.SetTargets(targets)
	if d, _ := m.Snapshot().Detail(flappy); d.Status != health.Unknown || !d.BackSince.IsZero() {
		t.Errorf("after a stale restart: flappy = %+v, want unknown without BackSince", d)
	}
	if ts, _ := m.State(flappy); !ts.State.BackSince.IsZero() {
		t.Errorf("after a stale restart: state BackSince = %v, want zero", ts.State.BackSince)
	}
}

// checkLifted compares what a monitor and its store remember as lifted.
func checkLifted(t *testing.T, what string, m *Monitor, st interface {
	LoadLifted() ([]health.Lifted, error)
}, want []health.Lifted) {
	t.Helper()
	if got := m.Snapshot().Lifted(); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: Snapshot().Lifted() = %+v, want %+v", what, got, want)
	}
	stored, err := st.LoadLifted()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, want) {
		t.Errorf("%s: stored lifted = %+v, want %+v", what, stored, want)
	}
}

func TestLifted(t *testing.T) {
	addr := netip.MustParseAddr("192.0.2.10")
	drain := health.Override{Datacenter: "ams", Action: health.Drain, Reason: "maintenance"}
	down := health.Override{Pool: "web", Addr: addr, Action: health.ForceDown}
	up := health.Override{Datacenter: "ams", Action: health.ForceUp}
	tests := []struct {
		name  string
		o     health.Override
		until time.Duration // after the start; 0: none
		wait  time.Duration // from the start to the clear or purge
		purge bool          // the monitor purges it; else an operator clears it
		want  time.Duration // when it was lifted, after the start; -1: not remembered
	}{
		{"cleared drain", drain, 0, time.Minute, false, time.Minute},
		{"cleared force-down of an address", down, 0, time.Minute, false, time.Minute},
		{"cleared force-up", up, 0, time.Minute, false, -1},
		{"cleared before its until", drain, time.Hour, time.Minute, false, time.Minute},
		{"cleared after it lapsed", drain, time.Minute, 2 * time.Minute, false, time.Minute},
		{"lapsed drain purged", drain, time.Minute, 2 * time.Minute, true, time.Minute},
		{"lapsed force-down purged", down, time.Minute, time.Hour, true, time.Minute},
		{"lapsed force-up purged", up, time.Minute, 2 * time.Minute, true, -1},
		{"lapsed within the retention", drain, time.Minute, time.Minute + DefaultLiftedRetention - time.Second, true, time.Minute},
		{"lapsed the retention ago", drain, time.Minute, time.Minute + DefaultLiftedRetention, true, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			start := clock.Now()
			path := filepath.Join(t.TempDir(), "state.db")
			st := openStore(t, path)
			m := mustNew(t, Options{Store: st, Now: clock.Now})
			o := tt.o
			o.Created = start
			if tt.until > 0 {
				o.Until = start.Add(tt.until)
			}
			if err := m.SetOverride(o); err != nil {
				t.Fatalf("SetOverride = %v", err)
			}
			clock.Advance(tt.wait)
			if tt.purge {
				m.purge()
			} else if err := m.ClearOverride(o.Key()); err != nil {
				t.Fatalf("ClearOverride = %v", err)
			}

			var want []health.Lifted
			if tt.want >= 0 {
				want = []health.Lifted{{Override: o, At: start.Add(tt.want)}}
			}
			checkLifted(t, "at once", m, st, want)
			if ovs := m.Snapshot().Overrides(); len(ovs) != 0 {
				t.Errorf("overrides left = %+v", ovs)
			}
			if stored, _ := st.LoadOverrides(); len(stored) != 0 {
				t.Errorf("stored overrides left = %+v", stored)
			}
			if o.Action != health.ForceUp && tt.want >= 0 {
				if got := m.Snapshot().LiftedAt("web", "ams", addr, clock.Now()); !got.Equal(start.Add(tt.want)) {
					t.Errorf("LiftedAt = %v, want %v", got, start.Add(tt.want))
				}
			}
			st.Close()

			st = openStore(t, path)
			defer st.Close()
			m = mustNew(t, Options{Store: st, Now: clock.Now})
			checkLifted(t, "after a restart", m, st, want)
		})
	}
}

func TestLiftedOnePerKey(t *testing.T) {
	clock := newClock()
	start := clock.Now()
	path := filepath.Join(t.TempDir(), "state.db")
	st := openStore(t, path)
	m := mustNew(t, Options{Store: st, Now: clock.Now})
	ams := health.Override{Datacenter: "ams", Action: health.Drain, Created: start}
	sin := health.Override{Datacenter: "sin", Action: health.ForceDown, Created: start}
	amsUp := health.Override{Datacenter: "ams", Action: health.ForceUp, Created: start}
	at := func(i int) time.Time { return start.Add(time.Duration(i) * time.Minute) }
	set := func(o health.Override) func() error { return func() error { return m.SetOverride(o) } }
	unset := func(o health.Override) func() error { return func() error { return m.ClearOverride(o.Key()) } }
	steps := []struct {
		name string
		do   func() error
		want []health.Lifted // sorted by key: ams before sin
	}{
		{"drain ams and force sin down", func() error {
			if err := m.SetOverride(ams); err != nil {
				return err
			}
			return m.SetOverride(sin)
		}, nil},
		{"clear ams", unset(ams), []health.Lifted{{Override: ams, At: at(1)}}},
		{"clear sin", unset(sin), []health.Lifted{{Override: ams, At: at(1)}, {Override: sin, At: at(2)}}},
		{"drain ams again", set(ams), []health.Lifted{{Override: sin, At: at(2)}}},
		{"clear ams again: the latest only", unset(ams), []health.Lifted{{Override: ams, At: at(4)}, {Override: sin, At: at(2)}}},
		{"force ams up", set(amsUp), []health.Lifted{{Override: sin, At: at(2)}}},
		{"clear the force-up: not remembered", unset(amsUp), []health.Lifted{{Override: sin, At: at(2)}}},
	}
	for _, s := range steps { // a minute apart: the i-th at at(i)
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		checkLifted(t, s.name, m, st, s.want)
		clock.Advance(time.Minute)
	}
	st.Close()
	st = openStore(t, path)
	defer st.Close()
	m = mustNew(t, Options{Store: st, Now: clock.Now})
	checkLifted(t, "after a restart", m, st, []health.Lifted{{Override: sin, At: at(2)}})
}

func TestLiftedRetention(t *testing.T) {
	if got := mustNew(t, Options{}).opts.LiftedRetention; got != 7*24*time.Hour {
		t.Errorf("default LiftedRetention = %v, want 168h (the longest ramp_up)", got)
	}
	const retention = time.Hour
	clock := newClock()
	now := clock.Now()
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	tests := []struct {
		dc        string
		age       time.Duration // at the start
		kept      bool          // at the start
		keptLater bool          // a minute later
	}{
		{"ams", 0, true, true},
		{"fra", 59 * time.Minute, true, false},
		{"iad", retention - time.Nanosecond, true, false},
		{"sin", retention, false, false},
		{"sjc", 2 * retention, false, false},
	}
	var kept, keptLater []health.Lifted
	for _, tt := range tests {
		l := health.Lifted{Override: health.Override{Datacenter: tt.dc, Action: health.Drain}, At: now.Add(-tt.age)}
		if err := st.LiftOverride(l); err != nil {
			t.Fatal(err)
		}
		if tt.kept {
			kept = append(kept, l)
		}
		if tt.keptLater {
			keptLater = append(keptLater, l)
		}
	}

	// Too old to publish from the start; deleted by the first purge.
	m := mustNew(t, Options{Store: st, Now: clock.Now, LiftedRetention: retention})
	if got := m.Snapshot().Lifted(); !reflect.DeepEqual(got, kept) {
		t.Errorf("Lifted() before a purge = %+v, want %+v", got, kept)
	}
	m.purge()
	checkLifted(t, "after the first purge", m, st, kept)

	clock.Advance(time.Minute)
	m.purge()
	checkLifted(t, "a minute later", m, st, keptLater)
}

func TestPurgeAtRunLifts(t *testing.T) {
	clock := newClock()
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	drain := health.Override{Datacenter: "ams", Action: health.Drain, Until: clock.Now().Add(-time.Second)}
	st.SaveOverride(drain)
	m := mustNew(t, Options{Store: st, Now: clock.Now})
	m.SetTargets(nil)
	run(t, m)
	s := waitSnapshot(t, m, "purge", func(s *health.Snapshot) bool { return len(s.Overrides()) == 0 })
	want := []health.Lifted{{Override: drain, At: drain.Until}}
	if got := s.Lifted(); !reflect.DeepEqual(got, want) {
		t.Errorf("Lifted() after the purge = %+v, want %+v", got, want)
	}
	if stored, _ := st.LoadLifted(); !reflect.DeepEqual(stored, want) {
		t.Errorf("stored lifted after the purge = %+v, want %+v", stored, want)
	}
}
