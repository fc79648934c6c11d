//go:build !linux

package main

import "errors"

// stopHolder cannot find the holder of a lock here: stop it yourself.
func stopHolder(path string) (int, error) {
	return 0, errors.New("finding the process that holds the state file needs Linux")
}
