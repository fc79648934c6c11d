package monitor

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
)

// manyTargets returns n targets of check on the addresses 127.1.x.y that
// bench/targets.sh probes.
func manyTargets(check string, n int) []health.Target {
	out := make([]health.Target, n)
	for i := range out {
		out[i] = health.Target{Check: check, Addr: netip.AddrFrom4([4]byte{127, 1, byte(i >> 8), byte(i)})}
	}
	return out
}

// TestPhaseEven: the phases of many targets fill their interval evenly —
// the 5,000 targets of make bench-targets at 5 s put no more than twice
// the even share in any 100 ms, and no tenth of it in none — and are
// always in [0, interval).
func TestPhaseEven(t *testing.T) {
	v6 := make([]health.Target, 2000)
	for i := range v6 {
		v6[i] = health.Target{Check: "api", Addr: netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(i >> 8), 15: byte(i)})}
	}
	for _, tc := range []struct {
		name    string
		targets []health.Target
		every   time.Duration
		buckets int
	}{
		{"bench: 5000 at 5s, 100ms buckets", manyTargets("web", 5000), 5 * time.Second, 50},
		{"5000 at 200ms", manyTargets("web", 5000), 200 * time.Millisecond, 50},
		{"5000 at 1h", manyTargets("web", 5000), time.Hour, 50},
		{"another check", manyTargets("db", 5000), 5 * time.Second, 50},
		{"2000 IPv6 at 7s", v6, 7 * time.Second, 20},
		{"200 at 10s", manyTargets("web", 200), 10 * time.Second, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts := make([]int, tc.buckets)
			for _, tg := range tc.targets {
				p := phase(tg, tc.every)
				if p < 0 || p >= tc.every {
					t.Fatalf("phase(%v, %v) = %v, outside [0, interval)", tg, tc.every, p)
				}
				counts[int(p*time.Duration(tc.buckets)/tc.every)]++
			}
			even := len(tc.targets) / tc.buckets
			for i, n := range counts {
				if n > 2*even || n < even/10 {
					t.Errorf("bucket %d of %d holds %d phases, want about %d (at most %d): %v", i, tc.buckets, n, even, 2*even, counts)
					break
				}
			}
		})
	}
}

// TestPhaseStable: a target's phase depends on its check's name, its
// address and the interval only, the same on every run, and is one of
// phaseSteps places in the interval.
func TestPhaseStable(t *testing.T) {
	web1 := health.Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.1")}
	for _, tc := range []struct {
		tg    health.Target
		every time.Duration
		want  time.Duration
	}{
		{web1, 5 * time.Second, 4736328125},
		{web1, 10 * time.Second, 9472656250},
		{health.Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.2")}, 5 * time.Second, 537109375},
		{health.Target{Check: "api", Addr: netip.MustParseAddr("192.0.2.1")}, 5 * time.Second, 1933593750},
		{health.Target{Check: "web", Addr: netip.MustParseAddr("2001:db8::1")}, 5 * time.Second, 1044921875},
		{web1, 0, 0},
	} {
		got := phase(tc.tg, tc.every)
		if got != tc.want {
			t.Errorf("phase(%v, %v) = %v, want %v", tc.tg, tc.every, got, tc.want)
		}
		if step := tc.every / phaseSteps; step > 0 && got%step != 0 {
			t.Errorf("phase(%v, %v) = %v, not a multiple of %v", tc.tg, tc.every, got, step)
		}
	}
}

func TestNextTick(t *testing.T) {
	epoch := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	const every, ph = 5 * time.Second, 2 * time.Second
	for _, tc := range []struct {
		after time.Duration // since epoch
		want  time.Duration // since epoch
	}{
		{0, 2 * time.Second},
		{time.Second, 2 * time.Second},
		{2*time.Second - 1, 2 * time.Second},
		{2 * time.Second, 7 * time.Second}, // strictly after: not the tick it is on
		{2*time.Second + 1, 7 * time.Second},
		{7*time.Second + 300*time.Millisecond, 12 * time.Second}, // a late probe: its next tick
		{time.Hour + 2*time.Second, time.Hour + 7*time.Second},
		{-time.Second, 2 * time.Second},
		{-3 * time.Second, 2 * time.Second}, // a slot: the next one
		{-4 * time.Second, -3 * time.Second},
		{-8 * time.Second, -3 * time.Second},
		{-9 * time.Second, -8 * time.Second},
	} {
		got := nextTick(epoch, epoch.Add(tc.after), ph, every).Sub(epoch)
		if got != tc.want {
			t.Errorf("nextTick(epoch%+v) = epoch%+v, want epoch%+v", tc.after, got, tc.want)
		}
	}
}

func TestFirstProbe(t *testing.T) {
	epoch := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return epoch.Add(d) }
	const ph = 2 * time.Second
	for _, tc := range []struct {
		name      string
		now       time.Duration
		last      time.Duration // -1: no probe yet
		undecided bool
		every     time.Duration
		want      time.Duration
	}{
		{"new target: at once", 100 * time.Millisecond, -1, true, 5 * time.Second, 100 * time.Millisecond},
		{"undecided with a probe (restarted mid-round): at once", 6 * time.Second, 4 * time.Second, true, 5 * time.Second, 6 * time.Second},
		{"fresh persisted state: its tick", 100 * time.Millisecond, -1, false, 5 * time.Second, 2 * time.Second},
		{"fresh persisted state, tick just passed: the next", 2500 * time.Millisecond, -1, false, 5 * time.Second, 7 * time.Second},
		{"check changed, same interval: its tick", 3 * time.Second, 2 * time.Second, false, 5 * time.Second, 7 * time.Second},
		{"longer interval: its new tick", 3 * time.Second, 2500 * time.Millisecond, false, 10 * time.Second, 12 * time.Second},
		{"shorter interval, tick within it: the tick", 3 * time.Second, 2*time.Second + 10*time.Millisecond, false, 1200 * time.Millisecond, 3200 * time.Millisecond},
		{"shorter interval, tick later: one interval after the last", 3 * time.Second, 1900 * time.Millisecond, false, 1500 * time.Millisecond, 3400 * time.Millisecond},
		{"shorter interval, overdue: at once", 4 * time.Second, 2 * time.Second, false, time.Second, 4 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var last time.Time
			if tc.last >= 0 {
				last = at(tc.last)
			}
			p := ph % tc.every
			got := firstProbe(at(tc.now), epoch, last, tc.undecided, p, tc.every)
			if !got.Equal(at(tc.want)) {
				t.Errorf("firstProbe(now epoch+%v, last %v, undecided %v, every %v) = epoch+%v, want epoch+%v",
					tc.now, tc.last, tc.undecided, tc.every, got.Sub(epoch), tc.want)
			}
			if tc.last >= 0 && got.Sub(last) > tc.every && got.After(at(tc.now)) {
				t.Errorf("first probe %v after the last, more than one interval (%v)", got.Sub(last), tc.every)
			}
		})
	}
}
