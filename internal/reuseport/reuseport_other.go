//go:build !linux

package reuseport

import (
	"errors"
	"syscall"
)

// Supported is false: SO_REUSEPORT does not spread an address's traffic
// here.
const Supported = false

// Control refuses: several sockets per address need Linux.
func Control(network, address string, c syscall.RawConn) error {
	return errors.New("several sockets per address need Linux (SO_REUSEPORT)")
}
