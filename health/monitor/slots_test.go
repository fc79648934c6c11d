package monitor

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// pending starts acquire for check in a goroutine; the channel receives
// its error once it returns.
func pending(s *slots, ctx context.Context, check string) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := s.acquire(ctx, check)
		done <- err
	}()
	return done
}

// waiters waits until n probes wait in all queues.
func waiters(t *testing.T, s *slots, n int) {
	t.Helper()
	for i := 0; ; i++ {
		s.mu.Lock()
		w := s.waiting
		s.mu.Unlock()
		if w == n {
			return
		}
		if i > 1e6 {
			t.Fatalf("%d waiters, want %d", w, n)
		}
		runtime.Gosched()
	}
}

func mustAcquire(t *testing.T, s *slots, check string) {
	t.Helper()
	if waited, err := s.acquire(context.Background(), check); err != nil || waited {
		t.Fatalf("acquire(%s) = waited %v, %v; want a free slot at once", check, waited, err)
	}
}

// granted checks that a pending acquire returned, or is about to: call it
// once the waiter left its queue.
func granted(t *testing.T, ch <-chan error, what string) {
	t.Helper()
	select {
	case err := <-ch:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("%s: still waiting", what)
	}
}

func stillWaiting(t *testing.T, ch <-chan error, what string) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("%s: granted (%v), want it to wait", what, err)
	default:
	}
}

// TestSlotsKeepOneForIdleChecks: a check whose probes hang cannot take the
// last slot while another active check holds none.
func TestSlotsKeepOneForIdleChecks(t *testing.T) {
	s := newSlots(4)
	s.setChecks(map[string]bool{"hang": true, "fast": true, "dns": true})
	mustAcquire(t, s, "hang")
	mustAcquire(t, s, "hang")
	// 2 free, 2 idle checks: hang may not take one more.
	third := pending(s, context.Background(), "hang")
	waiters(t, s, 1)
	mustAcquire(t, s, "fast") // a check holding none finds a slot at once
	// 1 free, 1 idle check (dns): still kept.
	stillWaiting(t, third, "hang's third probe")
	mustAcquire(t, s, "dns")
	if limit, used, busiest := s.state(); limit != 4 || used != 4 || busiest != "hang" {
		t.Errorf("state() = %d, %d, %q; want 4, 4, hang", limit, used, busiest)
	}
	// The slot dns frees is kept for dns, idle again…
	s.release("dns")
	stillWaiting(t, third, "hang's third probe with dns idle")
	// …until dns has no targets any more.
	s.setChecks(map[string]bool{"hang": true, "fast": true})
	waiters(t, s, 0)
	granted(t, third, "hang's third probe once dns is gone")
	// Every slot busy: fast and hang queue; fast holds none, so it gets
	// the next slot though hang asked first.
	h := pending(s, context.Background(), "hang")
	waiters(t, s, 1)
	f := pending(s, context.Background(), "fast")
	waiters(t, s, 2)
	s.release("hang")
	waiters(t, s, 1)
	granted(t, f, "fast after a release")
	stillWaiting(t, h, "hang")
}

// TestSlotsFewestHeldFirst: a freed slot goes to the waiting check that
// holds the fewest.
func TestSlotsFewestHeldFirst(t *testing.T) {
	s := newSlots(3)
	s.setChecks(map[string]bool{"a": true, "b": true})
	mustAcquire(t, s, "a")
	mustAcquire(t, s, "b")
	mustAcquire(t, s, "a")
	a := pending(s, context.Background(), "a")
	waiters(t, s, 1)
	b := pending(s, context.Background(), "b")
	waiters(t, s, 2)
	s.release("a") // a holds 1, b holds 1: the oldest waiter, a's
	waiters(t, s, 1)
	granted(t, a, "a, the oldest at a tie")
	s.release("a") // a holds 1, b holds 1: b's
	waiters(t, s, 0)
	granted(t, b, "b")
}

func TestSlotsCanceledWaiter(t *testing.T) {
	s := newSlots(1)
	mustAcquire(t, s, "a")
	ctx, cancel := context.WithCancel(context.Background())
	w := pending(s, ctx, "b")
	waiters(t, s, 1)
	cancel()
	if err := <-w; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled acquire = %v, want context.Canceled", err)
	}
	waiters(t, s, 0)
	s.release("a")
	mustAcquire(t, s, "c") // the canceled waiter took nothing
}

// TestSlotsSetLimit: a larger limit grants waiters at once; a smaller one
// lets the probes in flight finish and starts none until under it.
func TestSlotsSetLimit(t *testing.T) {
	s := newSlots(1)
	mustAcquire(t, s, "a")
	w1 := pending(s, context.Background(), "a")
	waiters(t, s, 1)
	w2 := pending(s, context.Background(), "a")
	waiters(t, s, 2)
	s.setLimit(3)
	waiters(t, s, 0)
	granted(t, w1, "first waiter after the limit grew")
	granted(t, w2, "second waiter after the limit grew")

	s.setLimit(1) // 3 in flight
	w3 := pending(s, context.Background(), "a")
	waiters(t, s, 1)
	s.release("a")
	s.release("a") // 1 in flight: at the limit
	stillWaiting(t, w3, "a probe over the smaller limit")
	s.release("a")
	waiters(t, s, 0)
	granted(t, w3, "a probe under the smaller limit")
	if limit, used, _ := s.state(); limit != 1 || used != 1 {
		t.Errorf("state() = %d, %d; want 1, 1", limit, used)
	}
}
