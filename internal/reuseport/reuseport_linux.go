package reuseport

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// Supported is true where Control works and the kernel spreads an
// address's traffic over the sockets bound to it.
const Supported = true

// Control sets SO_REUSEPORT on a socket before it is bound: the Control
// of a net.ListenConfig.
func Control(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("set SO_REUSEPORT on %s %s: %w", network, address, err)
	}
	return nil
}
