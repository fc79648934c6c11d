package dns

import "net"

// udpReadBuffer is the receive buffer asked for each UDP socket. The
// kernel's default (208 KiB on Linux) holds about 170 queries: at 20,000
// queries/s that is 8 ms, less than one time slice of a goroutine that a
// busy process (a zone of a million records compiling, a garbage
// collection) makes the reader wait for, and the queries beyond it are
// dropped. 4 MiB holds about 3,000, 150 ms at that rate. Linux caps the
// size at net.core.rmem_max (see the README's Running in production).
const udpReadBuffer = 4 << 20

// sizeReadBuffer asks for udpReadBuffer on c. Failing leaves the system's
// default, which serves, only with less headroom: it is not an error.
func sizeReadBuffer(c *net.UDPConn) {
	_ = c.SetReadBuffer(udpReadBuffer)
}
