package monitor

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/probe"
)

// acceptLog records when each address accepted a connection.
type acceptLog struct {
	mu sync.Mutex
	at map[netip.Addr][]time.Time
}

func (l *acceptLog) add(a netip.Addr) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.at[a] = append(l.at[a], now)
}

// times returns a copy of the accept times of each address.
func (l *acceptLog) times() map[netip.Addr][]time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[netip.Addr][]time.Time, len(l.at))
	for a, ts := range l.at {
		out[a] = slices.Clone(ts)
	}
	return out
}

// loopbackListeners listens on n addresses 127.0.0.2, 127.0.0.3, ... at
// one port (all of 127/8 is local on Linux), accepting and closing every
// connection and logging when.
func loopbackListeners(t *testing.T, n int) (port uint16, addrs []netip.Addr, log *acceptLog) {
	t.Helper()
	log = &acceptLog{at: map[netip.Addr][]time.Time{}}
	for attempt := 0; ; attempt++ {
		lns, err := listenAll(n)
		if errors.Is(err, syscall.EADDRINUSE) && attempt < 5 {
			continue // the port is taken on one of the addresses: another
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, ln := range lns {
			t.Cleanup(func() { ln.Close() })
			ap := netip.MustParseAddrPort(ln.Addr().String())
			addrs = append(addrs, ap.Addr())
			port = ap.Port()
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					log.add(ap.Addr())
					c.Close()
				}
			}()
		}
		return port, addrs, log
	}
}

// listenAll listens on 127.0.0.2:0, then on the same port of the next
// n-1 addresses; on an error it closes what it opened.
func listenAll(n int) ([]net.Listener, error) {
	var lns []net.Listener
	port := 0
	for i := range n {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.%d.%d:%d", (i+2)>>8, (i+2)&0xff, port))
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return nil, err
		}
		lns = append(lns, ln)
		port = ln.Addr().(*net.TCPAddr).Port
	}
	return lns, nil
}

// waitProbed waits until every address in addrs was probed at least n
// times.
func waitProbed(t *testing.T, log *acceptLog, addrs []netip.Addr, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d probes of each of %d targets", n, len(addrs)), func() bool {
		log.mu.Lock()
		defer log.mu.Unlock()
		for _, a := range addrs {
			if len(log.at[a]) < n {
				return false
			}
		}
		return true
	})
}

// slack is how much later than its tick a probe may come on a loaded
// host in these tests.
const slack = 250 * time.Millisecond

// checkSecond checks the second probes of addrs: each within (0,
// interval] of the first, and spread over that interval rather than all
// one interval later: each half of it holds some (half of them when even;
// at least a fifth here, as a stall of the host delays probes that were
// due meanwhile).
func checkSecond(t *testing.T, what string, probes map[netip.Addr][]time.Time, addrs []netip.Addr, every time.Duration) {
	t.Helper()
	halves := make([]int, 2)
	for _, a := range addrs {
		ts := probes[a]
		gap := ts[1].Sub(ts[0])
		if gap <= 0 || gap > every+slack {
			t.Errorf("%s: %v probed again %v after its first probe, want within (0, %v]", what, a, gap, every)
		}
		halves[min(1, int(2*gap/every))]++
	}
	t.Logf("%s: second probes in each half of the interval after the first: %v", what, halves)
	for _, n := range halves {
		if n < len(addrs)/5 {
			t.Errorf("%s: second probes in each half of the interval after the first = %v, want about %d each (at least %d)",
				what, halves, len(addrs)/2, len(addrs)/5)
			break
		}
	}
}

// checkBursts checks the probes of addrs after the first of each (the
// first round comes in one burst by design): each within one interval of
// the one before, and from the first probe until the last that every
// target had, no fifth of an interval (two tenths in a row) holds more
// than half of the targets' probes: an even spread puts a fifth there,
// probes in one burst put them all (split over two tenths at most).
func checkBursts(t *testing.T, what string, probes map[netip.Addr][]time.Time, addrs []netip.Addr, every time.Duration) {
	t.Helper()
	var start, end time.Time
	for i, a := range addrs {
		ts := probes[a]
		for j := 1; j < len(ts); j++ {
			if g := ts[j].Sub(ts[j-1]); g > every+slack {
				t.Errorf("%s: %v probed %v after its previous probe, want at most %v", what, a, g, every)
			}
		}
		if i == 0 || ts[0].Before(start) {
			start = ts[0]
		}
		if last := ts[len(ts)-1]; i == 0 || last.Before(end) {
			end = last
		}
	}
	tenth := every / 10
	buckets := make([]int, end.Sub(start)/tenth)
	if len(buckets) < 10 {
		t.Fatalf("%s: probes of every target recorded over %v only, want an interval (%v) at least", what, end.Sub(start), every)
	}
	for _, a := range addrs {
		for _, at := range probes[a][1:] {
			if i := int(at.Sub(start) / tenth); i < len(buckets) {
				buckets[i]++
			}
		}
	}
	t.Logf("%s: probes in each tenth of an interval: %v", what, buckets)
	for i := 1; i < len(buckets); i++ {
		if n := buckets[i-1] + buckets[i]; n > len(addrs)/2 {
			t.Errorf("%s: %d probes of %d targets in the %dth and %dth tenths of an interval, want about %d (at most %d): %v",
				what, n, len(addrs), i, i+1, len(addrs)/5, len(addrs)/2, buckets)
			break
		}
	}
}

// TestProbesSpreadOverInterval: real tcp probes of 100 targets, all with
// one interval and probed together at start (the first round), are spread
// over the interval from their second probe on, each probed again within
// one interval; so are the probes of 100 more targets that a reload adds,
// and the kept targets keep their schedule.
func TestProbesSpreadOverInterval(t *testing.T) {
	const n, every = 100, 500 * time.Millisecond
	port, addrs, log := loopbackListeners(t, 2*n)
	first, added := addrs[:n], addrs[n:]
	check := health.Check{Name: "web", Type: health.CheckTCP, Port: port, Interval: every, Timeout: 250 * time.Millisecond, Rise: 1, Fall: 1}
	targets := map[health.Target]health.Check{}
	add := func(addrs []netip.Addr) {
		for _, a := range addrs {
			targets[health.Target{Check: "web", Addr: a}] = check
		}
	}
	add(first)
	m := mustNew(t, Options{Probe: new(probe.Prober).Probe})
	m.SetTargets(targets)
	run(t, m)
	waitClosed(t, m.Ready(), "the first round")
	waitProbed(t, log, first, 4)
	probes := log.times()
	checkSecond(t, "at start", probes, first, every)
	checkBursts(t, "at start", probes, first, every)

	add(added)
	reload := time.Now()
	m.SetTargets(targets)
	waitProbed(t, log, added, 4)
	probes = log.times()
	checkSecond(t, "added by a reload", probes, added, every)
	for _, a := range first { // from the last probe before the reload on
		ts := probes[a]
		i, _ := slices.BinarySearchFunc(ts, reload, time.Time.Compare)
		probes[a] = ts[max(0, i-1):]
	}
	checkBursts(t, "all after the reload", probes, addrs, every)
}
