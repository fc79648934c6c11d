//go:build !linux

package main

import "runtime"

// backgroundThread locks the calling goroutine to its OS thread; outside
// Linux, where nice applies to the whole process, it changes no priority.
func backgroundThread() error {
	runtime.LockOSThread()
	return nil
}
