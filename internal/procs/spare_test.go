package procs

import (
	"runtime"
	"testing"
)

// The tests change GOMAXPROCS of the test binary and put it back.

func wantProcs(t *testing.T, want int, when string) {
	t.Helper()
	if got := runtime.GOMAXPROCS(0); got != want {
		t.Fatalf("GOMAXPROCS %s = %d, want %d", when, got, want)
	}
}

func TestSpareRaisesOneToTwoWhileHeld(t *testing.T) {
	t.Setenv("GOMAXPROCS", "1") // set back to 1, not to the machine's default
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var s Spare
	a := s.Hold()
	wantProcs(t, 2, "while held")
	b := s.Hold() // nested: still 2, and still 2 after one release
	a()
	a() // a second call of the same release does nothing
	wantProcs(t, 2, "with one holder left")
	b()
	wantProcs(t, 1, "after the last release")
}

func TestSpareLeavesSeveralAlone(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	var s Spare
	release := s.Hold()
	wantProcs(t, 3, "while held (unchanged)")
	release()
	wantProcs(t, 3, "after release (unchanged)")
}

func TestNilSpare(t *testing.T) {
	var s *Spare
	s.Hold()()
}
