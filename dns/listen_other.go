//go:build !linux

package dns

import (
	"errors"
	"net"
	"syscall"
)

// reusePortBalances is false where SO_REUSEPORT does not spread the
// datagrams of one address over several sockets: one socket is used, read
// by several goroutines.
const reusePortBalances = false

// reusePort refuses: set UDPSockets to 1 (its default here).
func reusePort(network, address string, c syscall.RawConn) error {
	return errors.New("several UDP sockets per address need Linux (SO_REUSEPORT)")
}

// stopReceiving does nothing here: the socket keeps receiving until it
// is closed.
func stopReceiving(c *net.UDPConn) error { return nil }
