package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
)

// needLoopbackAlias skips the test unless 127.0.0.2 can be bound (Linux
// routes all of 127.0.0.0/8 to the loopback interface; other systems may
// not).
func needLoopbackAlias(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot bind 127.0.0.2: %v", err)
	}
	ln.Close()
}

// peerAddr returns the address part of a remote address.
func peerAddr(t *testing.T, a net.Addr) netip.Addr {
	t.Helper()
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		t.Fatalf("parse %q: %v", a, err)
	}
	return ap.Addr()
}

func TestSourceAddress(t *testing.T) {
	needLoopbackAlias(t)
	src := netip.MustParseAddr("127.0.0.2")

	// http and https: the server sees the source as the peer address.
	seen := make(chan string, 2)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen <- r.RemoteAddr })
	for _, typ := range []health.CheckType{health.CheckHTTP, health.CheckHTTPS} {
		t.Run(string(typ), func(t *testing.T) {
			ts := httptest.NewServer(handler)
			if typ == health.CheckHTTPS {
				ts = httptest.NewTLSServer(handler)
			}
			defer ts.Close()
			addr, port := serverAddr(t, ts)
			c := health.Check{Type: typ, Port: port, Timeout: 2 * time.Second, Source: src, InsecureSkipVerify: true}
			if err := Probe(context.Background(), c, addr); err != nil {
				t.Fatalf("Probe = %v, want success", err)
			}
			if got := <-seen; netip.MustParseAddrPort(got).Addr() != src {
				t.Errorf("server saw the probe from %s, want %s", got, src)
			}
		})
	}

	t.Run("tcp", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		from := make(chan net.Addr, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				close(from)
				return
			}
			from <- c.RemoteAddr()
			c.Close()
		}()
		addr, port := addrPort(t, ln.Addr().String())
		c := health.Check{Type: health.CheckTCP, Port: port, Timeout: 2 * time.Second, Source: src}
		if err := Probe(context.Background(), c, addr); err != nil {
			t.Fatalf("Probe = %v, want success", err)
		}
		if got := peerAddr(t, <-from); got != src {
			t.Errorf("listener saw the probe from %s, want %s", got, src)
		}
	})

	t.Run("dns", func(t *testing.T) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		from := make(chan net.Addr, 1)
		go func() {
			buf := make([]byte, 512)
			n, a, err := pc.ReadFrom(buf)
			if err != nil {
				close(from)
				return
			}
			from <- a
			pc.WriteTo(reply(buf[:n], 0, 0x8400, 0), a)
		}()
		addr, port := addrPort(t, pc.LocalAddr().String())
		c := health.Check{Type: health.CheckDNS, Port: port, Timeout: 2 * time.Second, Source: src}
		if err := Probe(context.Background(), c, addr); err != nil {
			t.Fatalf("Probe = %v, want success", err)
		}
		if got := peerAddr(t, <-from); got != src {
			t.Errorf("responder saw the query from %s, want %s", got, src)
		}
	})
}

func TestSourceOfOtherFamilyIgnored(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	addr, port := addrPort(t, ln.Addr().String())
	c := health.Check{Type: health.CheckTCP, Port: port, Timeout: 2 * time.Second, Source: netip.MustParseAddr("127.0.0.1")}
	if err := Probe(context.Background(), c, addr); err != nil {
		t.Errorf("Probe of an IPv6 target with an IPv4 source = %v, want success from the system's address", err)
	}
}
