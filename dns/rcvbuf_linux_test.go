package dns

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUDPReadBuffer: every UDP socket asks for udpReadBuffer, which Linux
// grants up to net.core.rmem_max (and reports doubled).
func TestUDPReadBuffer(t *testing.T) {
	s, _ := startServer(t, Config{UDPSockets: 2})
	want := udpReadBuffer
	if b, err := os.ReadFile("/proc/sys/net/core/rmem_max"); err == nil {
		if max, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			want = min(want, max)
		}
	}
	for i, u := range s.udp {
		raw, err := u.conn.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var got int
		var gerr error
		raw.Control(func(fd uintptr) { got, gerr = unix.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF) })
		if gerr != nil {
			t.Fatal(gerr)
		}
		if got < want {
			t.Errorf("socket %d: SO_RCVBUF = %d, want at least %d", i, got, want)
		}
	}
}
