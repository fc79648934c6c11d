//go:build !linux

package dns

import (
	"fmt"
	"net"
)

// setReceiveBuffer asks for a receive buffer of size bytes on c
// (SO_RCVBUF) and returns size: the size granted is not read back here.
func setReceiveBuffer(c *net.UDPConn, size int) (int, error) {
	if err := c.SetReadBuffer(size); err != nil {
		return 0, fmt.Errorf("set receive buffer of %s to %d: %w", c.LocalAddr(), size, err)
	}
	return size, nil
}
