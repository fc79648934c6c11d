//go:build linux

package main

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestBackgroundThread: the table builder's thread runs at nice 19, and
// the other threads keep theirs.
func TestBackgroundThread(t *testing.T) {
	runtime.LockOSThread() // this goroutine's thread is not the background one
	defer runtime.UnlockOSThread()
	type result struct {
		tid, nice int
		err       error
	}
	done := make(chan result)
	go func() {
		err := backgroundThread()
		done <- result{unix.Gettid(), threadNice(t, unix.Gettid()), err}
	}()
	r := <-done
	if r.err != nil {
		t.Fatalf("backgroundThread: %v", r.err)
	}
	if r.nice != 19 {
		t.Errorf("nice of the background thread = %d, want 19", r.nice)
	}
	if tid := unix.Gettid(); tid == r.tid {
		t.Fatalf("the test and the background goroutine share thread %d", tid)
	} else if n := threadNice(t, tid); n == 19 {
		t.Errorf("nice of another thread = %d, want it unchanged", n)
	}
}

// threadNice reads the nice value of thread tid of this process.
func threadNice(t *testing.T, tid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// fields after the command's closing parenthesis: state is 3, nice 19
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	n, err := strconv.Atoi(f[19-3])
	if err != nil {
		t.Fatal(err)
	}
	return n
}
