// Package procs owns the process's GOMAXPROCS while background work runs.
//
// A server given one CPU (a container limited to one, or `taskset` to one
// core) runs with GOMAXPROCS 1: one goroutine runs Go code at a time. The
// goroutines that answer queries wait in the network poller, and the
// scheduler looks there only when it has nothing else to run or every
// 10 ms. So while a background goroutine computes (a ranking table build
// after a GeoIP reload: milliseconds to seconds), answers wait up to
// 10 ms: on a quiet machine, at 50,000 queries/s, each GeoIP reload
// delayed hundreds of queries past 2 ms. Lowering the builder thread's
// priority (nice) does not help while it holds the only processor.
//
// A Spare gives background work a second processor while it runs: the
// readers keep theirs, and the kernel divides the CPU between the two
// threads by their priorities, where the niced builder yields to the
// readers at once. Outside such work GOMAXPROCS stays what the runtime
// chose, since a second processor costs CPU per query on one core (idle
// processors spin looking for work).
package procs

import (
	"os"
	"runtime"
	"sync"
)

// Spare lends background work a second processor when GOMAXPROCS is 1.
// Its zero value is ready to use; its methods are safe for concurrent use.
type Spare struct {
	mu      sync.Mutex
	holders int
	raised  bool // GOMAXPROCS was 1 at the first holder and is 2 now
}

// Hold gives the caller a processor of its own until release is called:
// with GOMAXPROCS 1 it is raised to 2 while anyone holds the spare, then
// set back. With GOMAXPROCS above 1 it does nothing. A nil Spare does
// nothing either.
func (s *Spare) Hold() (release func()) {
	if s == nil {
		return func() {}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holders == 0 && runtime.GOMAXPROCS(0) == 1 {
		runtime.GOMAXPROCS(2)
		s.raised = true
	}
	s.holders++
	var once sync.Once
	return func() { once.Do(s.release) }
}

func (s *Spare) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holders--
	if s.holders > 0 || !s.raised {
		return
	}
	// Back to the runtime's own choice, which also follows later changes
	// of the CPU limit, unless the operator fixed it in the environment.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.SetDefaultGOMAXPROCS()
	} else {
		runtime.GOMAXPROCS(1)
	}
	s.raised = false
}
