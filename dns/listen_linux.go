package dns

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gslb/gslb/internal/reuseport"
)

// reusePortBalances is true where SO_REUSEPORT spreads the datagrams of
// one address over the sockets bound to it.
const reusePortBalances = reuseport.Supported

// reusePort sets SO_REUSEPORT on a socket before it is bound.
func reusePort(network, address string, c syscall.RawConn) error {
	return reuseport.Control(network, address, c)
}

// stopReceiving makes the kernel stop queueing new datagrams on a UDP
// socket while those already queued stay readable: it connects the socket
// to its own address (the loopback address for a wildcard socket), and
// Linux neither delivers datagrams from other sources to a connected
// socket nor picks a connected socket of an SO_REUSEPORT group for them,
// so they go to the group's other sockets (a successor's). Replies can
// still be sent to any address.
func stopReceiving(c *net.UDPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cerr error
	err = rc.Control(func(fd uintptr) {
		var sa unix.Sockaddr
		if sa, cerr = unix.Getsockname(int(fd)); cerr != nil {
			return
		}
		switch a := sa.(type) {
		case *unix.SockaddrInet4:
			if a.Addr == [4]byte{} {
				a.Addr = [4]byte{127, 0, 0, 1}
			}
		case *unix.SockaddrInet6:
			if a.Addr == [16]byte{} {
				a.Addr = netip.IPv6Loopback().As16()
			}
		}
		cerr = unix.Connect(int(fd), sa)
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("stop receiving on %s: %w", c.LocalAddr(), err)
	}
	return nil
}
