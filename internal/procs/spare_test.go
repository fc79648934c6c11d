package procs

import (
	"runtime"
	"testing"
)

// The tests change GOMAXPROCS of the test binary and put it back.

func TestSpareRaisesOneToTwoWhileHeld(t *testing.T) {
	t.Setenv("GOMAXPROCS", "1") // set back to 1, not to the machine's default
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var s Spare
	a := s.Hold()
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Fatalf("GOMAXPROCS while held = %d, want 2", got)
	}
	b := s.Hold() // nested: still 2, and still 2 after one release
	a()
	a() // a second call of the same release does nothing
	if got := runtime.GOMAXPROCS(0); got != 2 {
		t.Fatalf("GOMAXPROCS with one holder left = %d, want 2", got)
	}
	b()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Fatalf("GOMAXPROCS after the last release = %d, want 1", got)
	}
}

func TestSpareLeavesSeveralAlone(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	var s Spare
	release := s.Hold()
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Fatalf("GOMAXPROCS while held = %d, want 3 (unchanged)", got)
	}
	release()
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Fatalf("GOMAXPROCS after release = %d, want 3 (unchanged)", got)
	}
}

func TestNilSpare(t *testing.T) {
	var s *Spare
	s.Hold()()
}
