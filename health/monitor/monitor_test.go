package monitor

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/store"
)

var _ Store = (*store.Store)(nil)

// waitLimit bounds every wait of these tests; a pass takes far less.
const waitLimit = 10 * time.Second

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logBuffer is a concurrency-safe buffer for a test logger.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	var b logBuffer
	return slog.New(slog.NewTextHandler(&b, nil)), &b
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(path, store.Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("store.Open = %v", err)
	}
	return st
}

func mustNew(t *testing.T, opts Options) *Monitor {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger, _ = newLogger()
	}
	m, err := New(opts)
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	return m
}

// run starts m.Run and stops it at the end of the test (or when the
// returned stop is called), failing if Run does not return nil.
func run(t *testing.T, m *Monitor) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitSnapshot waits until cond holds for the current snapshot.
func waitSnapshot(t *testing.T, m *Monitor, what string, cond func(*health.Snapshot) bool) *health.Snapshot {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		ch := m.Changed()
		if s := m.Snapshot(); cond(s) {
			return s
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// waitStatus waits until the snapshot has tg at want.
func waitStatus(t *testing.T, m *Monitor, tg health.Target, want health.Status) health.Detail {
	t.Helper()
	s := waitSnapshot(t, m, tg.String()+" "+want.String(), func(s *health.Snapshot) bool { return s.Status(tg) == want })
	d, _ := s.Detail(tg)
	return d
}

// waitDecided waits until the state machine itself (not only the snapshot,
// which follows the last probe of an undecided target) has status want.
func waitDecided(t *testing.T, m *Monitor, tg health.Target, want health.Status) health.Detail {
	t.Helper()
	s := waitSnapshot(t, m, tg.String()+" decided "+want.String(), func(s *health.Snapshot) bool {
		st, ok := m.State(tg)
		return ok && st.State.Status == want && s.Status(tg) == want
	})
	d, _ := s.Detail(tg)
	return d
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitLimit):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func httpTarget(t *testing.T, ts *httptest.Server) (health.Target, health.Check) {
	t.Helper()
	ap := netip.MustParseAddrPort(ts.Listener.Addr().String())
	return health.Target{Check: "web", Addr: ap.Addr()}, health.Check{
		Name: "web", Type: health.CheckHTTP, Port: ap.Port(), Path: "/healthz",
		Interval: 20 * time.Millisecond, Timeout: time.Second, Rise: 2, Fall: 3,
	}
}

func TestEndToEndHTTP(t *testing.T) {
	var code atomic.Int32
	code.Store(http.StatusOK)
	var probes atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probes.Add(1)
		w.WriteHeader(int(code.Load()))
	}))
	defer ts.Close()
	tg, check := httpTarget(t, ts)

	path := filepath.Join(t.TempDir(), "state.db")
	st := openStore(t, path)
	log, logs := newLogger()
	m := mustNew(t, Options{Store: st, Logger: log})
	m.SetTargets(map[health.Target]health.Check{tg: check})
	if s := m.Snapshot().Status(tg); s != health.Unknown {
		t.Fatalf("status before any probe = %v, want unknown", s)
	}
	if isClosed(m.Ready()) {
		t.Fatal("Ready closed before any probe")
	}
	stop := run(t, m)

	d := waitDecided(t, m, tg, health.Up)
	if d.Reason != "2 consecutive successes" {
		t.Errorf("up reason = %q", d.Reason)
	}
	waitClosed(t, m.Ready(), "Ready")

	code.Store(http.StatusInternalServerError)
	before := probes.Load()
	d = waitDecided(t, m, tg, health.Down)
	if want := "3 consecutive failures: unexpected status 500, want 200-399"; d.Reason != want {
		t.Errorf("down reason = %q, want %q", d.Reason, want)
	}
	if n := probes.Load() - before; n < 3 {
		t.Errorf("down after %d probes, want at least fall=3", n)
	}

	code.Store(http.StatusOK)
	waitDecided(t, m, tg, health.Up)

	ts.Close()
	d = waitDecided(t, m, tg, health.Down)
	if !strings.Contains(d.Reason, "3 consecutive failures: ") || !strings.Contains(d.Reason, "connection refused") {
		t.Errorf("down reason = %q, want connection refused", d.Reason)
	}
	ts2, _ := m.State(tg)
	if got, want := m.Transitions(), []TransitionCount{{Target: tg, Up: 2, Down: 2}}; !slicesEqual(got, want) {
		t.Errorf("Transitions() = %+v, want %+v", got, want)
	}
	stop()

	l := logs.String()
	if n, m := strings.Count(l, `msg="target down"`), strings.Count(l, `msg="target up"`); n != 2 || m != 2 {
		t.Errorf("logged %d down and %d up transitions, want 2 each:\n%s", n, m, l)
	}
	if !strings.Contains(l, `level=WARN msg="target down" component=health target=`+tg.String()+` from=up to=down reason="3 consecutive failures: unexpected status 500`) {
		t.Errorf("log lacks the down transition with its reason:\n%s", l)
	}

	states, err := st.LoadStates()
	if err != nil {
		t.Fatal(err)
	}
	saved := states[tg]
	if saved.Status != health.Down || len(saved.Transitions) != 4 || !saved.Last.At.Equal(ts2.State.Last.At) {
		t.Errorf("saved state = %+v, want down with 4 transitions and the last probe", saved)
	}
}

// countingProbe records probes per address and answers with ok(addr).
type countingProbe struct {
	mu     sync.Mutex
	counts map[netip.Addr]int
	ok     func(netip.Addr) bool
	notify chan netip.Addr // if set, receives every probed address (non-blocking)
}

func (p *countingProbe) Probe(ctx context.Context, c health.Check, a netip.Addr) error {
	p.mu.Lock()
	if p.counts == nil {
		p.counts = make(map[netip.Addr]int)
	}
	p.counts[a]++
	p.mu.Unlock()
	if p.notify != nil {
		select {
		case p.notify <- a:
		default:
		}
	}
	if p.ok == nil || p.ok(a) {
		return nil
	}
	return errors.New("refused")
}

func (p *countingProbe) count(a netip.Addr) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[a]
}

func fakeCheck(interval time.Duration) health.Check {
	return health.Check{Name: "web", Type: health.CheckTCP, Port: 80, Interval: interval, Timeout: time.Second, Rise: 1, Fall: 1}
}

func tgt(addr string) health.Target {
	return health.Target{Check: "web", Addr: netip.MustParseAddr(addr)}
}

func TestWarmStart(t *testing.T) {
	clock := newClock()
	now := clock.Now()
	path := filepath.Join(t.TempDir(), "state.db")
	st := openStore(t, path)
	defer st.Close()

	fresh, stale, gone := tgt("192.0.2.1"), tgt("192.0.2.2"), tgt("192.0.2.3")
	mk := func(status health.Status, age time.Duration) health.State {
		s := health.NewState(now.Add(-time.Hour))
		s.Set(status, now.Add(-time.Hour), "3 consecutive failures: timeout")
		s.Last = health.Result{At: now.Add(-age), Error: "timeout"}
		return s
	}
	err := st.SaveStates(map[health.Target]health.State{
		fresh: mk(health.Down, 5*time.Second), // within 10 × 1s
		stale: mk(health.Down, 11*time.Second),
		gone:  mk(health.Up, time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}

	blocked := func(ctx context.Context, _ health.Check, _ netip.Addr) error { <-ctx.Done(); return ctx.Err() }
	m := mustNew(t, Options{Store: st, Now: clock.Now, Probe: blocked, MaxStartWait: 50 * time.Millisecond})
	m.SetTargets(map[health.Target]health.Check{fresh: fakeCheck(time.Second), stale: fakeCheck(time.Second)})

	s := m.Snapshot()
	if d, _ := s.Detail(fresh); d.Status != health.Down || d.Reason != "3 consecutive failures: timeout" {
		t.Errorf("fresh target before any probe = %+v, want seeded down", d)
	}
	if got := s.Status(stale); got != health.Unknown {
		t.Errorf("stale target = %v, want unknown", got)
	}
	if ts, _ := m.State(fresh); !ts.Seeded {
		t.Error("fresh target not marked seeded")
	}
	if ts, _ := m.State(stale); ts.Seeded || ts.State.Status != health.Unknown || len(ts.State.Transitions) != 0 {
		t.Errorf("stale target state = %+v, want a fresh unknown state", ts)
	}
	saved, _ := st.LoadStates()
	if _, ok := saved[gone]; ok {
		t.Error("state of an unconfigured target was not deleted")
	}
	if isClosed(m.Ready()) {
		t.Fatal("Ready closed with an undecided target before Run")
	}

	start := time.Now()
	run(t, m)
	waitClosed(t, m.Ready(), "Ready after MaxStartWait")
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("Ready after %v, before MaxStartWait", took)
	}
	if got := m.Snapshot().Status(stale); got != health.Unknown {
		t.Errorf("stale target after MaxStartWait = %v, want still unknown", got)
	}
}

func TestWarmStartAllFreshIsReadyAtOnce(t *testing.T) {
	clock := newClock()
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	a := tgt("192.0.2.1")
	s := health.NewState(clock.Now())
	s.Observe(health.Result{At: clock.Now().Add(-30 * time.Second), OK: true}, 1, 1)
	st.SaveStates(map[health.Target]health.State{a: s})

	// 30s old: stale for the default of 10 × 1s, fresh for Staleness 1m.
	m := mustNew(t, Options{Store: st, Now: clock.Now, Staleness: time.Minute})
	m.SetTargets(map[health.Target]health.Check{a: fakeCheck(time.Second)})
	if !isClosed(m.Ready()) || m.Snapshot().Status(a) != health.Up {
		t.Errorf("Ready closed %v, status %v; want ready and up from fresh state", isClosed(m.Ready()), m.Snapshot().Status(a))
	}
}

func TestOverrides(t *testing.T) {
	clock := newClock()
	now := clock.Now()
	path := filepath.Join(t.TempDir(), "state.db")
	st := openStore(t, path)
	m := mustNew(t, Options{Store: st, Now: clock.Now})
	addr := netip.MustParseAddr("192.0.2.10")

	drain := health.Override{Datacenter: "ams", Action: health.Drain, Until: now.Add(time.Minute), Reason: "maintenance"}
	down := health.Override{Pool: "web", Datacenter: "ams", Addr: addr, Action: health.ForceDown}
	for _, o := range []health.Override{drain, down} {
		if err := m.SetOverride(o); err != nil {
			t.Fatalf("SetOverride(%v) = %v", o.Key(), err)
		}
	}
	if o, ok := m.Snapshot().Override("api", "ams", netip.MustParseAddr("192.0.2.99"), now); !ok || o.Action != health.Drain || !o.Created.Equal(now) {
		t.Errorf("Override(ams) = %+v, %v, want the drain created now", o, ok)
	}
	if o, ok := m.Snapshot().Override("web", "ams", addr, now); !ok || o.Action != health.ForceDown {
		t.Errorf("Override(addr) = %+v, %v, want force-down", o, ok)
	}
	if got := m.Overrides(); len(got) != 2 {
		t.Errorf("Overrides() = %+v, want 2", got)
	}
	for _, bad := range []health.Override{
		{Action: health.Drain},
		{Datacenter: "iad", Action: health.Drain, Until: now.Add(-time.Second)},
	} {
		if err := m.SetOverride(bad); !errors.Is(err, health.ErrInvalidOverride) {
			t.Errorf("SetOverride(%+v) = %v, want ErrInvalidOverride", bad, err)
		}
	}

	// A restart finds both.
	st.Close()
	st = openStore(t, path)
	defer st.Close()
	log, logs := newLogger()
	m = mustNew(t, Options{Store: st, Now: clock.Now, Logger: log})
	if got := m.Snapshot().Overrides(); len(got) != 2 {
		t.Fatalf("overrides after restart = %+v, want 2", got)
	}

	// The drain lapses by itself, then is purged.
	clock.Advance(2 * time.Minute)
	later := clock.Now()
	if _, ok := m.Snapshot().Override("web", "ams", netip.MustParseAddr("192.0.2.99"), later); ok {
		t.Error("lapsed drain still in force")
	}
	if got := m.Overrides(); len(got) != 1 || got[0].Action != health.ForceDown {
		t.Errorf("Overrides() after expiry = %+v, want the force-down only", got)
	}
	m.purge()
	if n := strings.Count(logs.String(), `msg="override lapsed" component=health override="pool=* dc=ams" action=drain`); n != 1 {
		t.Errorf("the drain's lapse is logged %d times, want once:\n%s", n, logs.String())
	}
	m.purge()
	if n := strings.Count(logs.String(), `msg="override lapsed"`); n != 1 {
		t.Errorf("a second purge logs the lapse again:\n%s", logs.String())
	}
	if stored, _ := st.LoadOverrides(); len(stored) != 1 {
		t.Errorf("stored overrides after purge = %+v, want 1", stored)
	}
	if got := m.Snapshot().Overrides(); len(got) != 1 {
		t.Errorf("snapshot overrides after purge = %+v, want 1", got)
	}

	// Clearing by a key with a datacenter still finds the address override.
	if err := m.ClearOverride(health.OverrideKey{Pool: "web", Datacenter: "other", Addr: addr}); err != nil {
		t.Errorf("ClearOverride = %v", err)
	}
	if _, ok := m.Snapshot().Override("web", "ams", addr, later); ok {
		t.Error("cleared override still in the snapshot")
	}
	if stored, _ := st.LoadOverrides(); len(stored) != 0 {
		t.Errorf("stored overrides after clear = %+v", stored)
	}
	if err := m.ClearOverride(down.Key()); !errors.Is(err, ErrNoOverride) {
		t.Errorf("second ClearOverride = %v, want ErrNoOverride", err)
	}
}

func TestPurgeAtRun(t *testing.T) {
	clock := newClock()
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	st.SaveOverride(health.Override{Datacenter: "ams", Action: health.Drain, Until: clock.Now().Add(-time.Second)})
	m := mustNew(t, Options{Store: st, Now: clock.Now})
	m.SetTargets(nil)
	run(t, m)
	waitSnapshot(t, m, "purge", func(s *health.Snapshot) bool { return len(s.Overrides()) == 0 })
	if stored, _ := st.LoadOverrides(); len(stored) != 0 {
		t.Errorf("stored overrides after Run = %+v, want none", stored)
	}
}

func TestSetTargetsReload(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	a, b := tgt("192.0.2.1"), tgt("192.0.2.2")
	p := &countingProbe{notify: make(chan netip.Addr, 1)}
	m := mustNew(t, Options{Store: st, Probe: p.Probe})
	m.SetTargets(map[health.Target]health.Check{a: fakeCheck(20 * time.Millisecond), b: fakeCheck(20 * time.Millisecond)})
	run(t, m)
	waitSnapshot(t, m, "both up", func(s *health.Snapshot) bool {
		return s.Status(a) == health.Up && s.Status(b) == health.Up
	})
	aBefore, _ := m.State(a)

	// Remove b, keep a with a different interval.
	m.SetTargets(map[health.Target]health.Check{a: fakeCheck(30 * time.Millisecond)})
	stored, _ := st.LoadStates()
	if _, ok := stored[b]; ok || len(stored) != 1 {
		t.Errorf("stored states after removing b = %v, want a only", stored)
	}
	if _, ok := m.Snapshot().Detail(b); ok {
		t.Error("removed target still in the snapshot")
	}
	if _, ok := m.State(b); ok || len(m.States()) != 1 {
		t.Errorf("States() = %+v, want a only", m.States())
	}
	aAfter, _ := m.State(a)
	if aAfter.State.Status != health.Up || !aAfter.State.Since.Equal(aBefore.State.Since) || aAfter.Interval != 30*time.Millisecond {
		t.Errorf("kept target = %+v, want up since %v with the new interval", aAfter, aBefore.State.Since)
	}

	// b is no longer probed while a still is.
	bCount, aCount := p.count(b.Addr), p.count(a.Addr)
	deadline := time.After(waitLimit)
	for p.count(a.Addr) < aCount+3 {
		select {
		case <-p.notify:
		case <-deadline:
			t.Fatal("kept target is no longer probed")
		}
	}
	if got := p.count(b.Addr); got > bCount+1 {
		t.Errorf("removed target probed %d more times", got-bCount)
	}

	// A new target starts unknown and is probed.
	c := tgt("2001:db8::1")
	m.SetTargets(map[health.Target]health.Check{a: fakeCheck(30 * time.Millisecond), c: fakeCheck(30 * time.Millisecond)})
	waitStatus(t, m, c, health.Up)
}

func TestMaxInFlight(t *testing.T) {
	const limit, n = 3, 20
	var inFlight, peak, total atomic.Int32
	reached := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	slow := func(ctx context.Context, _ health.Check, _ netip.Addr) error {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		total.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		if cur == limit {
			once.Do(func() { close(reached) })
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	}
	m := mustNew(t, Options{Probe: slow, MaxInFlight: limit})
	targets := make(map[health.Target]health.Check)
	for i := range n {
		targets[tgt(netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}).String())] = fakeCheck(10 * time.Millisecond)
	}
	m.SetTargets(targets)
	run(t, m)
	waitClosed(t, reached, "probes to reach the limit")
	close(release)
	waitClosed(t, m.Ready(), "every target decided")
	if p := peak.Load(); p != limit {
		t.Errorf("peak probes in flight = %d, want %d", p, limit)
	}
	if total.Load() < n {
		t.Errorf("%d probes for %d targets", total.Load(), n)
	}
}

func TestNoneCheck(t *testing.T) {
	p := &countingProbe{ok: func(netip.Addr) bool { return false }}
	log, logs := newLogger()
	st := &memStore{states: map[health.Target]health.State{}}
	m := mustNew(t, Options{Probe: p.Probe, Logger: log, Store: st})
	a, b := tgt("192.0.2.1"), tgt("192.0.2.2")
	none := health.Check{Name: "web", Type: health.CheckNone}
	m.SetTargets(map[health.Target]health.Check{a: none})
	if d, _ := m.Snapshot().Detail(a); d.Status != health.Up || d.Reason != "check type none" {
		t.Errorf("none target = %+v, want up", d)
	}
	if !isClosed(m.Ready()) {
		t.Error("Ready not closed with only none targets")
	}
	run(t, m)

	// b goes down under probes, then its check becomes none: up at once.
	m.SetTargets(map[health.Target]health.Check{a: none, b: fakeCheck(20 * time.Millisecond)})
	waitStatus(t, m, b, health.Down)
	m.SetTargets(map[health.Target]health.Check{a: none, b: none}) // waits for the save of b's transition
	if saved, _ := st.LoadStates(); len(saved) != 0 {
		t.Errorf("stored states = %v, want none once b's check is none", saved)
	}
	if got := m.Snapshot().Status(b); got != health.Up {
		t.Errorf("b after its check became none = %v, want up", got)
	}
	if got := p.count(a.Addr); got != 0 {
		t.Errorf("none target probed %d times", got)
	}
	// The transition is logged by Run's loop after SetTargets returns.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(waitLimit)
	for !strings.Contains(logs.String(), `reason="check type none"`) {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("transition to none not logged:\n%s", logs)
		}
	}
}

func TestCheckpointAndFinalSave(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	a := tgt("192.0.2.1")
	p := &countingProbe{notify: make(chan netip.Addr, 1)}
	clock := newClock()
	m := mustNew(t, Options{Store: st, Probe: p.Probe, Now: clock.Now, Checkpoint: time.Hour})
	m.SetTargets(map[health.Target]health.Check{a: fakeCheck(10 * time.Millisecond)})
	stop := run(t, m)
	waitStatus(t, m, a, health.Up)
	// Probes of one target run in sequence: the sixth starts after the
	// fifth was observed.
	deadline := time.After(waitLimit)
	for p.count(a.Addr) < 6 {
		select {
		case <-p.notify:
		case <-deadline:
			t.Fatal("timed out waiting for probes")
		}
	}
	// Saved at the transition to up: not due again before half the
	// staleness limit (10 × 10ms / 2) has passed.
	m.checkpoint(false)
	saved, _ := st.LoadStates()
	if saved[a].Successes != 1 {
		t.Errorf("successes saved before the checkpoint is due = %d, want 1 (from the transition)", saved[a].Successes)
	}
	clock.Advance(50 * time.Millisecond)
	m.checkpoint(false)
	saved, _ = st.LoadStates()
	if saved[a].Successes < 5 {
		t.Errorf("checkpointed successes = %d, want ≥ 5", saved[a].Successes)
	}
	stop()
	final, _ := m.State(a)
	saved, _ = st.LoadStates()
	if !saved[a].Last.At.Equal(final.State.Last.At) || saved[a].Successes != final.State.Successes {
		t.Errorf("saved at stop = %+v, want the final state %+v", saved[a], final.State)
	}
}

func TestRunTwice(t *testing.T) {
	m := mustNew(t, Options{})
	run(t, m)
	// The first Run starts asynchronously; wait until it has claimed the
	// monitor.
	deadline := time.Now().Add(waitLimit)
	for {
		m.mu.Lock()
		running := m.runCtx != nil
		m.mu.Unlock()
		if running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run never started")
		}
		runtime.Gosched()
	}
	if err := m.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Run = %v, want ErrRunning", err)
	}
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// memStore is an in-memory Store.
type memStore struct {
	mu     sync.Mutex
	states map[health.Target]health.State
}

func (s *memStore) LoadStates() (map[health.Target]health.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[health.Target]health.State, len(s.states))
	for t, st := range s.states {
		out[t] = st.Clone()
	}
	return out, nil
}

func (s *memStore) SaveStates(m map[health.Target]health.State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, st := range m {
		s.states[t] = st.Clone()
	}
	return nil
}

func (s *memStore) DeleteStates(ts ...health.Target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range ts {
		delete(s.states, t)
	}
	return nil
}

func (s *memStore) LoadOverrides() ([]health.Override, error) { return nil, nil }
func (s *memStore) SaveOverride(health.Override) error        { return nil }
func (s *memStore) DeleteOverride(health.OverrideKey) error   { return nil }
func (s *memStore) LoadLifted() ([]health.Lifted, error)      { return nil, nil }
func (s *memStore) LiftOverride(health.Lifted) error          { return nil }
func (s *memStore) DeleteLifted(...health.OverrideKey) error  { return nil }
func (s *memStore) LoadOverrideLog() ([]health.OverrideEntry, error) {
	return nil, nil
}
func (s *memStore) SaveOverrideLog([]health.OverrideEntry, []health.OverrideKey) error {
	return nil
}

// TestFirstRoundDecides checks start-up: Ready closes after one probe of
// every target, and until rise or fall decide, the snapshot follows the last
// probe, so a target whose first probe failed gets no traffic.
func TestFirstRoundDecides(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer ts.Close()
	tg, check := httpTarget(t, ts)
	check.Interval, check.Rise, check.Fall = time.Hour, 3, 3 // one probe only in this test
	m := mustNew(t, Options{})
	m.SetTargets(map[health.Target]health.Check{tg: check})
	stop := run(t, m)
	defer stop()
	waitClosed(t, m.Ready(), "Ready after the first round")
	d := waitStatus(t, m, tg, health.Down)
	if !strings.HasPrefix(d.Reason, "last probe failed, not yet decided by fall: unexpected status 503") {
		t.Errorf("reason = %q", d.Reason)
	}
	if st, _ := m.State(tg); st.State.Status != health.Unknown {
		t.Errorf("state machine = %v after one failure with fall=3, want unknown", st.State.Status)
	}
}
