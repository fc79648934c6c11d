package zones

import (
	"runtime/debug"
	"testing"
)

// TestGCPause: a large file pauses the collector within a budget, a small
// one does not, and end puts GOGC and the memory limit back.
func TestGCPause(t *testing.T) {
	percent := debug.SetGCPercent(150)
	limit := debug.SetMemoryLimit(1 << 40)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})

	var p gcPause
	p.grow(pauseGCFrom - 1)
	if got := debug.SetGCPercent(150); got != 150 {
		t.Fatalf("after a small file GOGC = %d, want 150", got)
	}
	p.grow(pauseGCFrom)
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Fatalf("after a large file GOGC = %d, want -1 (off)", got)
	}
	first := debug.SetMemoryLimit(-1)
	if first >= 1<<40 {
		t.Fatalf("memory limit during the pause = %d, want a budget under the limit %d", first, int64(1<<40))
	}
	p.grow(pauseGCFrom)
	if got := debug.SetMemoryLimit(-1); got != first+pauseGCBudget*pauseGCFrom {
		t.Errorf("memory limit after a second file = %d, want %d", got, first+pauseGCBudget*pauseGCFrom)
	}
	p.end(0)
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("after end GOGC = %d, want 150", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("after end memory limit = %d, want %d", got, int64(1<<40))
	}
}
