package dns

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// reusePortBalances is true where SO_REUSEPORT spreads the datagrams of
// one address over the sockets bound to it.
const reusePortBalances = true

// reusePort sets SO_REUSEPORT on a socket before it is bound.
func reusePort(network, address string, c syscall.RawConn) error {
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
