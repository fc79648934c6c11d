//go:build !linux

package main

// monotonicUsec is not known outside Linux, where no systemd asks for it.
func monotonicUsec() (int64, bool) { return 0, false }
