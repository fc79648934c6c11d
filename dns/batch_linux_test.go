package dns

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// TestReadNowPastDeadline: once a socket's read deadline has passed, read
// fails without reading, but readNow still gives the datagrams queued on
// it, and 0 when none is left. A stopping server's readers rely on it:
// their drain deadline can pass while they wait for a CPU, with queries
// still queued.
func TestReadNowPastDeadline(t *testing.T) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	u := &udpSocket{conn: c, local: c.LocalAddr().(*net.UDPAddr).AddrPort()}
	b := newUDPBatch(u)
	if b == nil {
		t.Fatal("no batch for a UDP socket")
	}
	defer b.close()
	client, err := net.DialUDP("udp4", nil, c.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	const queued = 3
	for k := range queued {
		if _, err := client.Write([]byte{byte(k)}); err != nil {
			t.Fatal(err)
		}
	}
	c.SetReadDeadline(time.Unix(1, 0))
	if n, err := b.read(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline = %d, %v; want the deadline's error", n, err)
	}
	got := 0
	for deadline := time.Now().Add(5 * time.Second); got < queued; { // loopback delivery is asynchronous
		n, err := b.readNow()
		if err != nil {
			t.Fatalf("readNow: %v", err)
		}
		for i := range n {
			if msg, _, ok := b.query(i); !ok || len(msg) != 1 || msg[0] != byte(got+i) {
				t.Errorf("datagram %d = %v, %v; want [%d]", got+i, msg, ok, got+i)
			}
		}
		got += n
		if n == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("readNow gave %d of %d queued datagrams", got, queued)
			}
			time.Sleep(time.Millisecond) // polling with a deadline
		}
	}
	if n, err := b.readNow(); n != 0 || err != nil {
		t.Errorf("readNow of an empty socket = %d, %v; want 0, nil", n, err)
	}
}
