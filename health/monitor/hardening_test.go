package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/probe"
)

// acceptingListener accepts TCP connections on loopback and closes them.
func acceptingListener(t *testing.T) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return netip.MustParseAddrPort(ln.Addr().String())
}

// probeCount returns the counts of check.
func probeCount(m *Monitor, check string) ProbeCount {
	for _, c := range m.ProbeCounts() {
		if c.Check == check {
			return c
		}
	}
	return ProbeCount{Check: check}
}

// waitFor polls cond (these conditions change without a snapshot).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLocalErrorIsNoResult: a target that is up stays up while every
// probe fails on this host (EMFILE from the probe's socket), the errors
// are counted, and logged once per ProblemLogInterval.
func TestLocalErrorIsNoResult(t *testing.T) {
	ap := acceptingListener(t)
	var emfile atomic.Bool
	p := &probe.Prober{Control: func(string, string, syscall.RawConn) error {
		if emfile.Load() {
			return os.NewSyscallError("socket", syscall.EMFILE)
		}
		return nil
	}}
	clock := newClock()
	log, logs := newLogger()
	m := mustNew(t, Options{Probe: p.Probe, Logger: log, Now: clock.Now})
	c := health.Check{Name: "web", Type: health.CheckTCP, Port: ap.Port(), Interval: 10 * time.Millisecond, Timeout: time.Second, Rise: 1, Fall: 1}
	tg := health.Target{Check: "web", Addr: ap.Addr()}
	m.SetTargets(map[health.Target]health.Check{tg: c})
	run(t, m)
	waitDecided(t, m, tg, health.Up)

	emfile.Store(true)
	waitFor(t, "5 local errors", func() bool { return probeCount(m, "web").LocalErrors >= 5 })
	st, _ := m.State(tg)
	if st.State.Status != health.Up || !st.State.Last.OK {
		t.Errorf("after local errors: status %v, last result %+v; want up, the last real result (ok)", st.State.Status, st.State.Last)
	}
	const line = `msg="probe failed on this host, not on its target: no result, the target keeps its state"`
	if n := strings.Count(logs.String(), line); n != 1 {
		t.Errorf("%d log lines for local errors in the same %v, want 1:\n%s", n, ProblemLogInterval, logs)
	}
	if !strings.Contains(logs.String(), "too many open files") {
		t.Errorf("the log line does not say the error:\n%s", logs)
	}

	before := probeCount(m, "web").LocalErrors
	clock.Advance(ProblemLogInterval)
	waitFor(t, "a second log line", func() bool { return strings.Count(logs.String(), line) == 2 })
	if after := probeCount(m, "web").LocalErrors; after <= before {
		t.Errorf("local errors %d then %d, want more", before, after)
	}
	if !strings.Contains(logs.String(), "local_errors=") || strings.Contains(logs.String(), "target down") {
		t.Errorf("want a count of local errors and no transition:\n%s", logs)
	}

	// A new target whose probes fail locally stays undecided, not down.
	other := health.Target{Check: "web", Addr: netip.MustParseAddr("127.0.0.2")}
	m.SetTargets(map[health.Target]health.Check{tg: c, other: c})
	n := probeCount(m, "web").LocalErrors
	waitFor(t, "more local errors", func() bool { return probeCount(m, "web").LocalErrors >= n+10 })
	if s := m.Snapshot().Status(other); s != health.Unknown {
		t.Errorf("a new target probed with local errors only is %v, want unknown", s)
	}
}

// TestHangingCheckDoesNotSlowOthers: the targets of one check hang until
// their timeout and would need more slots than there are; the probes of
// another check keep their rate, and the hanging check's probes are
// counted and logged as delayed.
func TestHangingCheckDoesNotSlowOthers(t *testing.T) {
	var mu sync.Mutex
	fast := map[netip.Addr]int{}
	probeFn := func(ctx context.Context, c health.Check, a netip.Addr) error {
		if c.Name == "hang" {
			<-ctx.Done()
			return ctx.Err()
		}
		mu.Lock()
		fast[a]++
		mu.Unlock()
		return nil
	}
	log, logs := newLogger()
	m := mustNew(t, Options{Probe: probeFn, Logger: log, MaxInFlight: 4})
	hang := health.Check{Name: "hang", Type: health.CheckTCP, Port: 80, Interval: 600 * time.Millisecond, Timeout: 500 * time.Millisecond, Rise: 1, Fall: 1}
	quick := health.Check{Name: "fast", Type: health.CheckTCP, Port: 80, Interval: 100 * time.Millisecond, Timeout: 50 * time.Millisecond, Rise: 1, Fall: 1}
	targets := map[health.Target]health.Check{}
	for i := range 12 { // 12 × 500 ms every 600 ms: 10 slots' worth
		targets[health.Target{Check: "hang", Addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)})}] = hang
	}
	a, b := netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("198.51.100.2")
	targets[health.Target{Check: "fast", Addr: a}] = quick
	targets[health.Target{Check: "fast", Addr: b}] = quick
	m.SetTargets(targets)
	stop := run(t, m)
	const span = 2 * time.Second
	time.Sleep(span) // the rate over a span of time is what is measured
	stop()

	mu.Lock()
	defer mu.Unlock()
	want := int(span/quick.Interval) * 6 / 10
	for _, addr := range []netip.Addr{a, b} {
		if fast[addr] < want {
			t.Errorf("fast target %s probed %d times in %v (every %v), want at least %d", addr, fast[addr], span, quick.Interval, want)
		}
	}
	if d := probeCount(m, "fast").Delayed; d != 0 {
		t.Errorf("%d delayed probes of the fast check, want none", d)
	}
	if d := probeCount(m, "hang").Delayed; d == 0 {
		t.Errorf("no delayed probe of the hanging check counted")
	}
	if !strings.Contains(logs.String(), `msg="probes delayed: every probe slot was busy (max_in_flight)" component=health check=hang`) ||
		!strings.Contains(logs.String(), "busiest_check=hang") {
		t.Errorf("no log line of delayed probes naming the busiest check:\n%s", logs)
	}
}

// TestSetLimitsMaxInFlight changes the probe slots of a running monitor:
// more start at once; fewer let the probes in flight finish and start no
// new one until under the new limit.
func TestSetLimitsMaxInFlight(t *testing.T) {
	var inFlight, peak atomic.Int32
	finish := make(chan struct{})
	probeFn := func(ctx context.Context, _ health.Check, _ netip.Addr) error {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
		}
		select {
		case <-finish:
		case <-ctx.Done():
		}
		return nil
	}
	log, logs := newLogger()
	m := mustNew(t, Options{Probe: probeFn, Logger: log, MaxInFlight: 2})
	targets := map[health.Target]health.Check{}
	for i := range 10 {
		targets[tgt(netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}).String())] = fakeCheck(5 * time.Millisecond)
	}
	m.SetTargets(targets)
	run(t, m)
	waitFor(t, "2 probes in flight and others waiting", func() bool {
		m.slots.mu.Lock()
		defer m.slots.mu.Unlock()
		return inFlight.Load() == 2 && m.slots.waiting > 0
	})

	m.SetLimits(Limits{MaxInFlight: 5})
	waitFor(t, "5 probes in flight", func() bool { return inFlight.Load() == 5 })
	if limit, used := m.Slots(); limit != 5 || used != 5 {
		t.Errorf("Slots() = %d, %d; want 5, 5", limit, used)
	}
	if !strings.Contains(logs.String(), `msg="health limits changed" component=health max_in_flight=5`) {
		t.Errorf("no log line of the change:\n%s", logs)
	}

	m.SetLimits(Limits{MaxInFlight: 1})
	for range 4 {
		finish <- struct{}{}
	}
	waitFor(t, "1 probe in flight", func() bool { return inFlight.Load() == 1 })
	peak.Store(1)
	for range 20 {
		finish <- struct{}{}
	}
	if p := peak.Load(); p != 1 {
		t.Errorf("peak probes in flight = %d after the limit went down to 1", p)
	}
}

// TestSetLimitsMaxStartWait: a shorter MaxStartWait set while the first
// round is not done closes Ready.
func TestSetLimitsMaxStartWait(t *testing.T) {
	m := mustNew(t, Options{Probe: blockedProbe, MaxStartWait: time.Hour})
	m.SetTargets(map[health.Target]health.Check{tgt("192.0.2.1"): fakeCheck(time.Hour)})
	run(t, m)
	if isClosed(m.Ready()) {
		t.Fatal("ready before any probe")
	}
	m.SetLimits(Limits{MaxStartWait: 10 * time.Millisecond})
	waitClosed(t, m.Ready(), "ready after MaxStartWait shrank")
}

// TestRealEMFILEKeepsTargetsUp runs a monitor with real probes in a
// subprocess whose descriptors run out (RLIMIT_NOFILE lowered, the rest
// held open) while its target is up: the target stays up and the errors
// are counted as local.
func TestRealEMFILEKeepsTargetsUp(t *testing.T) {
	if target := os.Getenv("GSLB_TEST_MONITOR_EMFILE"); target != "" {
		monitorEMFILEChild(target)
		return
	}
	ap := acceptingListener(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRealEMFILEKeepsTargetsUp$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GSLB_TEST_MONITOR_EMFILE="+ap.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("subprocess: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "RESULT status=up local_errors_seen=true") {
		t.Errorf("with no descriptor left, want the target up and local errors counted:\n%s", out)
	}
	if !strings.Contains(string(out), "too many open files") {
		t.Errorf("the local error was not logged:\n%s", out)
	}
}

// monitorEMFILEChild probes target until it is up, uses up every
// descriptor, waits for 5 local errors and prints the target's status.
func monitorEMFILEChild(target string) {
	ap := netip.MustParseAddrPort(target)
	fail := func(format string, args ...any) {
		fmt.Printf(format+"\n", args...)
		os.Exit(1)
	}
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	m, err := New(Options{Logger: log})
	if err != nil {
		fail("New: %v", err)
	}
	tg := health.Target{Check: "web", Addr: ap.Addr()}
	c := health.Check{Name: "web", Type: health.CheckTCP, Port: ap.Port(), Interval: 10 * time.Millisecond, Timeout: time.Second, Rise: 1, Fall: 1}
	m.SetTargets(map[health.Target]health.Check{tg: c})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	deadline := time.Now().Add(waitLimit)
	for m.Snapshot().Status(tg) != health.Up {
		if time.Now().After(deadline) {
			fail("target never up")
		}
		time.Sleep(time.Millisecond)
	}

	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		fail("getrlimit: %v", err)
	}
	lim := syscall.Rlimit{Cur: min(256, old.Max), Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fail("setrlimit: %v", err)
	}
	var held []*os.File
	grab := func() { // every free descriptor, also those a probe in flight gives back
		for {
			f, err := os.Open(os.DevNull)
			if err != nil {
				return
			}
			held = append(held, f)
		}
	}
	grab()
	for probeCount(m, "web").LocalErrors < 5 {
		if time.Now().After(deadline) {
			fail("no local errors")
		}
		time.Sleep(time.Millisecond)
		grab()
	}
	status := m.Snapshot().Status(tg)
	for _, f := range held {
		f.Close()
	}
	cancel()
	<-done
	fmt.Printf("RESULT status=%v local_errors_seen=%v\n", status, probeCount(m, "web").LocalErrors >= 5)
}
