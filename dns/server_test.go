package dns

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// startServer serves the test zones on 127.0.0.1:0 (or cfg.Listen) until
// the test ends and returns the server and its first address.
func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	return startServerWith(t, cfg, nil)
}

// startServerWith is startServer that calls prepare, when not nil, on the
// server before it serves (to set test hooks).
func startServerWith(t *testing.T, cfg Config, prepare func(*Server)) (*Server, string) {
	t.Helper()
	set := loadZones(t)
	if len(cfg.Listen) == 0 {
		cfg.Listen = []string{"127.0.0.1:0"}
	}
	cfg.Zones = ZonesFunc(func() *zones.Set { return set })
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := NewServer(cfg)
	if prepare != nil {
		prepare(s)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		t.Fatalf("Serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Serve returned %v", err)
		}
	})
	return s, s.Addrs()[0].String()
}

func exchange(t *testing.T, network, addr string, m *mdns.Msg) *mdns.Msg {
	t.Helper()
	c := &mdns.Client{Net: network, Timeout: 5 * time.Second, UDPSize: 4096}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s exchange: %v", network, err)
	}
	return r
}

func msgFor(name string, qtype uint16) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype)
	return m
}

func TestServeUDPAndTCP(t *testing.T) {
	for _, sockets := range []int{1, 4} {
		t.Run("sockets="+string(rune('0'+sockets)), func(t *testing.T) {
			s, addr := startServer(t, Config{UDPSockets: sockets, NSID: testNSID})
			for _, network := range []string{"udp", "tcp"} {
				r := exchange(t, network, addr, msgFor("www.example.com.", mdns.TypeA))
				if r.Rcode != mdns.RcodeSuccess || len(r.Answer) != 2 || !r.Authoritative {
					t.Errorf("%s: www A = %s", network, r)
				}
			}
			// A big RRset: TC over UDP, whole over TCP (the retry a
			// resolver makes).
			big := msgFor("big.example.com.", mdns.TypeTXT)
			big.SetEdns0(1232, false)
			r := exchange(t, "udp", addr, big)
			if !r.Truncated || len(r.Answer) != 0 {
				t.Errorf("udp big TXT: tc=%t answers=%d, want tc and none", r.Truncated, len(r.Answer))
			}
			r = exchange(t, "tcp", addr, big)
			if r.Truncated || len(r.Answer) != 16 {
				t.Errorf("tcp big TXT: tc=%t answers=%d, want 16", r.Truncated, len(r.Answer))
			}
			if st := s.Stats(); st.NoError != 4 || st.Truncated != 1 {
				t.Errorf("stats = %+v, want 4 NOERROR, 1 truncated", st)
			}
		})
	}
}

// echoRouter answers a geo-routed name with the client's address.
type echoRouter struct{}

func (echoRouter) Route(_ *zones.Name, _ pick.Family, client netip.Addr, _ int, d *pick.Decision) {
	*d = pick.Decision{Outcome: pick.Addresses, Member: -1, TTL: 1, Addrs: append(d.Addrs[:0], client)}
}

// TestUDPBurst sends bursts of queries from many sockets at once over IPv4
// and IPv6, so that the server reads and answers them in batches: every
// query must get its own reply, at the socket that sent it, and the handler
// must see each client's address.
func TestUDPBurst(t *testing.T) {
	for _, tc := range []struct{ listen, client, qtype string }{
		{"127.0.0.1:0", "127.0.0.1", "A"},
		{"[::1]:0", "::1", "AAAA"},
	} {
		t.Run(tc.listen, func(t *testing.T) {
			if c, err := net.ListenPacket("udp", net.JoinHostPort(tc.client, "0")); err != nil {
				t.Skipf("no %s: %v", tc.client, err)
			} else {
				c.Close()
			}
			s, addr := startServer(t, Config{Listen: []string{tc.listen}, Router: echoRouter{}})
			const clients, rounds = 64, 5
			conns := make([]*net.UDPConn, clients)
			for i := range conns {
				c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(tc.client), 0)))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				conns[i] = c
			}
			to := net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr))
			qtype := mdns.StringToType[tc.qtype]
			for round := range rounds {
				for i, c := range conns {
					m := msgFor("geo.example.com.", qtype)
					m.Id = uint16(round*clients + i)
					b, _ := m.Pack()
					if _, err := c.WriteToUDP(b, to); err != nil {
						t.Fatal(err)
					}
				}
				for i, c := range conns {
					c.SetReadDeadline(time.Now().Add(5 * time.Second))
					buf := make([]byte, 512)
					n, err := c.Read(buf)
					if err != nil {
						t.Fatalf("client %d: %v", i, err)
					}
					var r mdns.Msg
					if err := r.Unpack(buf[:n]); err != nil {
						t.Fatal(err)
					}
					if r.Id != uint16(round*clients+i) || len(r.Answer) != 1 {
						t.Fatalf("client %d got %s", i, &r)
					}
					var got netip.Addr
					switch rr := r.Answer[0].(type) {
					case *mdns.A:
						got, _ = netip.AddrFromSlice(rr.A.To4())
					case *mdns.AAAA:
						got, _ = netip.AddrFromSlice(rr.AAAA)
					}
					if got != netip.MustParseAddr(tc.client) {
						t.Fatalf("client %d: the handler saw the client as %s", i, r.Answer[0])
					}
				}
			}
			if st := s.Stats(); st.NoError != clients*rounds {
				t.Errorf("stats = %+v, want %d NOERROR", st, clients*rounds)
			}
		})
	}
}

// TestTCPSeveralQueries sends queries one after another and pipelined on
// one connection.
func TestTCPSeveralQueries(t *testing.T) {
	_, addr := startServer(t, Config{})
	conn, err := mdns.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	names := []string{"www.example.com.", "mail.example.com.", "nope.example.com.", "alias.example.com."}
	for _, name := range names {
		if err := conn.WriteMsg(msgFor(name, mdns.TypeA)); err != nil {
			t.Fatal(err)
		}
		r, err := conn.ReadMsg()
		if err != nil {
			t.Fatal(err)
		}
		if r.Question[0].Name != name {
			t.Errorf("answer for %s, want %s", r.Question[0].Name, name)
		}
	}
	// Pipelined: all queries first, then all answers, in order.
	var ids []uint16
	for _, name := range names {
		m := msgFor(name, mdns.TypeA)
		ids = append(ids, m.Id)
		if err := conn.WriteMsg(m); err != nil {
			t.Fatal(err)
		}
	}
	for i := range names {
		r, err := conn.ReadMsg()
		if err != nil {
			t.Fatal(err)
		}
		if r.Id != ids[i] {
			t.Errorf("answer %d has id %d, want %d", i, r.Id, ids[i])
		}
	}
}

// TestTCPIdleTimeout checks that the server closes a connection that sends
// nothing, and one that stops after a query.
func TestTCPIdleTimeout(t *testing.T) {
	_, addr := startServer(t, Config{TCPIdleTimeout: 100 * time.Millisecond, TCPFirstQueryTimeout: 100 * time.Millisecond})
	for _, first := range []bool{false, true} {
		conn, err := mdns.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		if first {
			if err := conn.WriteMsg(msgFor("www.example.com.", mdns.TypeA)); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ReadMsg(); err != nil {
				t.Fatal(err)
			}
		}
		// The server closes first: the read ends with EOF, long before
		// the client's own deadline.
		if _, err := conn.Conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("after a query=%t: read = %v, want EOF from the server's close", first, err)
		}
		conn.Close()
	}
}

// TestTCPMaxQueries checks that a connection closes after its quota.
func TestTCPMaxQueries(t *testing.T) {
	_, addr := startServer(t, Config{MaxTCPQueries: 2})
	conn, err := mdns.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	for range 2 {
		if err := conn.WriteMsg(msgFor("www.example.com.", mdns.TypeA)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ReadMsg(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("after 2 queries: read = %v, want EOF", err)
	}
}

// TestShutdown checks that Shutdown closes idle TCP connections, makes
// Serve return and frees the addresses.
func TestShutdown(t *testing.T) {
	set := loadZones(t)
	s := NewServer(Config{
		Listen: []string{"127.0.0.1:0", "127.0.0.1:0"},
		Zones:  ZonesFunc(func() *zones.Set { return set }),
		Logger: slog.New(slog.DiscardHandler),
	})
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(context.Background()) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		t.Fatal(err)
	}
	addrs := s.Addrs()
	if len(addrs) != 2 || addrs[0] == addrs[1] {
		t.Fatalf("Addrs() = %v, want two addresses", addrs)
	}
	conn, err := mdns.Dial("tcp", addrs[1].String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if err := conn.WriteMsg(msgFor("www.example.com.", mdns.TypeA)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ReadMsg(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
	if _, err := conn.Conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("idle connection after Shutdown: read = %v, want EOF", err)
	}
	for _, a := range addrs {
		u, err := net.ListenPacket("udp", a.String())
		if err != nil {
			t.Errorf("udp %s still bound after Shutdown: %v", a, err)
			continue
		}
		u.Close()
		l, err := net.Listen("tcp", a.String())
		if err != nil {
			t.Errorf("tcp %s still bound after Shutdown: %v", a, err)
			continue
		}
		l.Close()
	}
	if err := s.Serve(context.Background()); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v, want ErrServerClosed", err)
	}
}

// TestListenError checks that a failed bind leaves nothing bound.
func TestListenError(t *testing.T) {
	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	s := NewServer(Config{Listen: []string{"127.0.0.1:0", taken.LocalAddr().String()}, UDPSockets: 1})
	err = s.Listen()
	if err == nil {
		t.Fatal("Listen on a taken address succeeded")
	}
	if msg := err.Error(); strings.Count(msg, "listen udp") != 1 || !strings.Contains(msg, taken.LocalAddr().String()) {
		t.Errorf("Listen error = %q, want the operation and address once", msg)
	}
	if got := s.Addrs(); len(got) != 0 {
		t.Errorf("Addrs() after a failed Listen = %v, want none", got)
	}
}

// TestTCPClientNotReading checks that a client that sends queries but never
// reads the answers is disconnected once a write stalls for WriteTimeout,
// instead of holding its goroutine and connection slot for ever.
func TestTCPClientNotReading(t *testing.T) {
	done := make(chan struct{}, 1)
	set := loadZones(t)
	s := NewServer(Config{
		Listen:       []string{"127.0.0.1:0"},
		Zones:        ZonesFunc(func() *zones.Set { return set }),
		WriteTimeout: 100 * time.Millisecond,
		Logger:       slog.New(slog.DiscardHandler),
	})
	s.connDone = func() { done <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", s.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4096)
	big := query(t, "big.example.com.", mdns.TypeTXT)
	framed := append([]byte{byte(len(big) >> 8), byte(len(big))}, big...)
	// Each answer is ~1.7 kB: a few thousand fill both socket buffers.
	go func() {
		conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		for range 20000 {
			if _, err := conn.Write(framed); err != nil {
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("server kept a connection whose client does not read")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
