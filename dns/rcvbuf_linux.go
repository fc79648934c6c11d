package dns

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// setReceiveBuffer asks for a receive buffer of size bytes on c: with
// SO_RCVBUFFORCE, which passes net.core.rmem_max when the process has
// CAP_NET_ADMIN, else with SO_RCVBUF, which the kernel caps at it. It
// returns the size the kernel settled on (Linux reports twice the usable
// size, its bookkeeping included; the half is returned).
func setReceiveBuffer(c *net.UDPConn, size int) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("set receive buffer: %w", err)
	}
	var got int
	var serr error
	err = rc.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, size) != nil {
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, size); serr != nil {
				return
			}
		}
		got, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return 0, fmt.Errorf("set receive buffer of %s to %d: %w", c.LocalAddr(), size, err)
	}
	return got / 2, nil
}
