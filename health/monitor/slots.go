package monitor

import (
	"context"
	"sync"
)

// slots hands out the probe slots (Options.MaxInFlight) fairly between
// checks, so that a check whose targets hang until their timeout cannot
// slow the probes of the others:
//
//   - One slot is kept for every active check (one with probed targets)
//     that holds none: a check that holds slots already takes another
//     only when more are free than the checks holding none. So the first
//     probe of a check finds a slot at once, however many targets of
//     another check hang.
//   - Probes that cannot start wait in one queue per check; a slot that
//     frees goes to the waiting check that holds the fewest slots (the
//     oldest waiter on a tie), never to the longest queue.
//
// Beyond the slots kept for idle checks, no slot is left unused while a
// probe waits. With fewer slots than active checks, each check holds
// about one at a time.
//
// The limit may change at any time (a reload of [health]): a larger limit
// hands the new slots out at once; with a smaller one, probes in flight
// finish and release their slots, and none is handed out until the slots
// in use are under the new limit.
type slots struct {
	mu      sync.Mutex
	limit   int
	used    int
	held    map[string]int       // slots in use, by check
	active  map[string]bool      // checks with probed targets (setChecks)
	queues  map[string][]*waiter // waiting probes, by check, oldest first
	waiting int                  // waiters in all queues
	seq     uint64               // order of arrival of waiters
}

// waiter is one probe waiting for a slot; ready is closed when granted.
type waiter struct {
	seq     uint64
	ready   chan struct{}
	granted bool // guarded by slots.mu
}

func newSlots(limit int) *slots {
	return &slots{limit: limit, held: map[string]int{}, active: map[string]bool{}, queues: map[string][]*waiter{}}
}

// setChecks sets the active checks: those a slot is kept for while they
// hold none.
func (s *slots) setChecks(checks map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active = checks
	s.grantLocked()
}

// acquire takes a slot for a probe of check, waiting while none is free
// or while other probes have a better claim to it (see slots). It reports
// whether it had to wait, and ctx's error if ctx ended first (then no slot
// is held).
func (s *slots) acquire(ctx context.Context, check string) (waited bool, err error) {
	s.mu.Lock()
	if s.waiting == 0 && s.mayTakeLocked(check) { // nobody has a better claim
		s.takeLocked(check)
		s.mu.Unlock()
		return false, nil
	}
	s.seq++
	w := &waiter{seq: s.seq, ready: make(chan struct{})}
	s.queues[check] = append(s.queues[check], w)
	s.waiting++
	s.grantLocked() // a free slot goes to the fairest waiter, maybe this one
	granted := w.granted
	s.mu.Unlock()
	if granted {
		return false, nil
	}

	select {
	case <-w.ready:
		return true, nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	if w.granted { // granted while ctx ended: hand it on
		s.mu.Unlock()
		s.release(check)
		return true, ctx.Err()
	}
	q := s.queues[check]
	for i, x := range q {
		if x == w {
			q = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	if len(q) == 0 {
		delete(s.queues, check)
	} else {
		s.queues[check] = q
	}
	s.waiting--
	s.mu.Unlock()
	return true, ctx.Err()
}

// release gives back a slot of check taken by acquire.
func (s *slots) release(check string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used--
	if s.held[check]--; s.held[check] <= 0 {
		delete(s.held, check)
	}
	s.grantLocked()
}

// setLimit changes the number of slots; see slots.
func (s *slots) setLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = n
	s.grantLocked()
}

// state returns the limit, the slots in use and the check holding the
// most of them ("" when none).
func (s *slots) state() (limit, used int, busiest string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	most := 0
	for c, n := range s.held {
		if n > most || (n == most && c < busiest) {
			busiest, most = c, n
		}
	}
	return s.limit, s.used, busiest
}

// mayTakeLocked reports whether check may take a free slot now: there is
// one, and check holds none or more are free than the other active checks
// that hold none.
func (s *slots) mayTakeLocked(check string) bool {
	free := s.limit - s.used
	if free <= 0 {
		return false
	}
	if s.held[check] == 0 {
		return true
	}
	idle := 0
	for c := range s.active {
		if c != check && s.held[c] == 0 {
			idle++
		}
	}
	return free > idle
}

// takeLocked counts a slot as held by check.
func (s *slots) takeLocked(check string) {
	s.used++
	s.held[check]++
}

// grantLocked hands the free slots to waiters: each to the oldest waiter
// of the check that holds the fewest slots and may take one, the oldest
// first on a tie.
func (s *slots) grantLocked() {
	for s.used < s.limit && s.waiting > 0 {
		var best string
		var head *waiter
		for c, q := range s.queues {
			if !s.mayTakeLocked(c) {
				continue
			}
			if head == nil || s.held[c] < s.held[best] || (s.held[c] == s.held[best] && q[0].seq < head.seq) {
				best, head = c, q[0]
			}
		}
		if head == nil {
			return // the free slots are kept for checks that hold none
		}
		if q := s.queues[best][1:]; len(q) == 0 {
			delete(s.queues, best)
		} else {
			s.queues[best] = q
		}
		s.waiting--
		s.takeLocked(best)
		head.granted = true
		close(head.ready)
	}
}
