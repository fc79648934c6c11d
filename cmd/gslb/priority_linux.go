//go:build linux

package main

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// backgroundThread locks the calling goroutine to its OS thread and gives
// that thread the lowest scheduling priority (nice 19), so that CPU-heavy
// work on it, such as building the ranking tables after a GeoIP reload,
// yields the CPU to the threads that answer queries (Linux applies nice
// to each thread). The goroutine stays locked to the thread, and the
// thread ends with it. An error means the priority could not be changed;
// the work still runs.
func backgroundThread() error {
	runtime.LockOSThread()
	return unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 19)
}
