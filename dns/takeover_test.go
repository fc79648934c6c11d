package dns

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// freeAddr returns a loopback address whose port is free on UDP and TCP
// now, for two servers that must share it.
func freeAddr(t *testing.T) string {
	t.Helper()
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := u.LocalAddr().String()
		l, err := net.Listen("tcp", addr)
		u.Close()
		if err == nil {
			l.Close()
			return addr
		}
	}
	t.Fatal("no free port on UDP and TCP")
	return ""
}

// TestTakeover: a second server bound to the address of a running one
// (SO_REUSEPORT) takes over when the first stops, and no query sent over
// UDP meanwhile goes unanswered: the first stops receiving, answers what
// it had queued and closes. Then TCP is answered by the second.
func TestTakeover(t *testing.T) {
	if !reusePortBalances {
		t.Skip("SO_REUSEPORT takeover needs Linux")
	}
	addr := freeAddr(t)
	set := loadZones(t)
	newServer := func(r Router) *Server {
		return NewServer(Config{Listen: []string{addr}, Logger: slog.New(slog.DiscardHandler), Router: r,
			Zones: ZonesFunc(func() *zones.Set { return set })})
	}
	serve := func(s *Server) (context.CancelFunc, chan error) {
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- s.Serve(ctx) }()
		select {
		case <-s.Ready():
		case err := <-errc:
			t.Fatalf("Serve: %v", err)
		}
		return cancel, errc
	}
	old := newServer(slowRouter{}) // slow, so that queries queue on its sockets
	stopOld, oldDone := serve(old)

	// Clients send queries without waiting for answers, from many ports
	// (the kernel spreads source ports over the sockets), and count the
	// answers.
	const clients, perClient = 16, 200
	var sent, answered atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range clients {
		c, err := net.Dial("udp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		wg.Add(2)
		go func() { // reader
			defer wg.Done()
			buf := make([]byte, 1500)
			for {
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				if _, err := c.Read(buf); err != nil {
					return
				}
				answered.Add(1)
			}
		}()
		go func() { // writer: a steady trickle across the takeover
			defer wg.Done()
			<-start
			q, _ := msgFor("geo.example.com.", mdns.TypeA).Pack()
			for range perClient {
				if _, err := c.Write(q); err == nil {
					sent.Add(1)
				}
				time.Sleep(2 * time.Millisecond) // pacing: about 6k queries/s in all, under the slow server's capacity
				runtime.Gosched()
			}
		}()
	}
	close(start)
	time.Sleep(50 * time.Millisecond) // some queries to the old server alone
	next := newServer(echoRouter{})
	stopNext, nextDone := serve(next)
	time.Sleep(50 * time.Millisecond) // both serve
	// A burst right before the stop, so that the old server has queries
	// queued when it stops.
	burst, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer burst.Close()
	q, _ := msgFor("geo.example.com.", mdns.TypeA).Pack()
	const burstN = 150
	for range burstN {
		burst.Write(q)
	}
	stopOld()
	if err := <-oldDone; err != nil {
		t.Errorf("old Serve: %v", err)
	}
	wg.Wait()
	got := 0
	buf := make([]byte, 1500)
	for ; got < burstN; got++ {
		burst.SetReadDeadline(time.Now().Add(time.Second))
		if _, err := burst.Read(buf); err != nil {
			break
		}
	}
	if got != burstN {
		t.Errorf("%d of a burst of %d queries sent right before the stop answered", got, burstN)
	}
	if sent.Load() != clients*perClient || answered.Load() != sent.Load() {
		t.Errorf("across the takeover: %d queries sent, %d answered; want %d and %d", sent.Load(), answered.Load(), clients*perClient, sent.Load())
	}
	if s := old.Stats(); s.NoError+s.NXDomain+s.Refused == 0 {
		t.Error("the old server answered nothing: the test did not cover the takeover")
	}
	if r := exchange(t, "tcp", addr, msgFor("www.example.com.", mdns.TypeA)); r.Rcode != mdns.RcodeSuccess {
		t.Errorf("TCP after the takeover: %s", mdns.RcodeToString[r.Rcode])
	}
	stopNext()
	<-nextDone
}

// slowRouter is echoRouter taking 200µs per answer.
type slowRouter struct{}

func (slowRouter) Route(n *zones.Name, f pick.Family, client netip.Addr, bits int, d *pick.Decision) {
	time.Sleep(200 * time.Microsecond)
	echoRouter{}.Route(n, f, client, bits, d)
}
