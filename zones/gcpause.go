package zones

import (
	"math"
	"runtime"
	"runtime/debug"
)

// Compiling a large zone file allocates about fifteen times its size,
// most of which the compiled zone keeps. A garbage collection during the
// compilation finds little to free but must mark the whole heap: the
// records compiled so far and, on a reload, the version serving. On a zone
// of a million records that was a collection of about 5 s of CPU in the
// middle of each reload, slowing it and taking the CPU that the UDP
// readers needed. Many small files are the same: loading 10,000 zones of
// ten records spent a third of its CPU in collections as the heap grew.
// So once a reload has compiled pauseGCFrom bytes of zone files (one
// large file, or many small ones), the collector waits, within a memory
// budget: the memory in use when the pause starts plus pauseGCBudget
// times the size of the files compiled so far and of each one after (or
// the process's memory limit, GOMEMLIMIT, when lower). Past the budget it
// collects as usual. The one collection at the end of the reload (end)
// frees what the compilation left and the versions replaced. A reload of
// a few small files (an edit) does not pause anything.
const (
	pauseGCFrom   = 1 << 20
	pauseGCBudget = 32
)

// releaseAfter is how many bytes of zone files a reload must have compiled
// before it hands the memory freed by the compilation back to the system
// (see end).
const releaseAfter = 1 << 20

// gcPause is the collector's pause during one reload. Its zero value has
// not paused anything.
type gcPause struct {
	paused  bool
	seen    int    // bytes of zone files compiled (or about to be) in this reload
	percent int    // GOGC before the pause
	limit   int64  // the memory limit before the pause
	budget  uint64 // the memory limit during the pause
}

// grow pauses the collector, or raises its budget, for the compilation of
// a file of size bytes.
func (p *gcPause) grow(size int) {
	p.seen += size
	if p.seen < pauseGCFrom {
		return
	}
	if !p.paused {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.budget = ms.Sys - ms.HeapReleased
		p.limit = debug.SetMemoryLimit(-1) // -1 reads it
		p.percent = debug.SetGCPercent(-1)
		p.paused = true
		size = p.seen // the budget covers the files before this one too
	}
	p.budget += pauseGCBudget * uint64(size)
	debug.SetMemoryLimit(min(p.limit, int64(min(p.budget, math.MaxInt64))))
}

// end collects and returns the memory left behind to the system when the
// reload compiled at least releaseAfter bytes of zone files or paused the
// collector, then undoes the pause. Collecting first, while the collector
// is still paused, makes it the only collection: the heap then is back
// under the goal that GOGC sets again.
func (p *gcPause) end(compiled int) {
	if p.paused || compiled >= releaseAfter {
		// Go's collector keeps freed memory for reuse and gives it back
		// only over minutes: without this the resident size after loading
		// a zone of a million records stays at the peak of its
		// compilation. Small reloads are left to the collector: a forced
		// collection costs more than they free.
		debug.FreeOSMemory()
	}
	if p.paused {
		debug.SetGCPercent(p.percent)
		debug.SetMemoryLimit(p.limit)
		*p = gcPause{}
	}
}
