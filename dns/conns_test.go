package dns

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// raiseFileLimit raises the soft limit of open files up to the hard one,
// for tests that open hundreds of connections (each twice: client and
// server side).
func raiseFileLimit(t *testing.T, need uint64) {
	t.Helper()
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Cur >= need {
		return
	}
	rl.Cur = min(rl.Max, need)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Cur < need {
		t.Fatalf("open files limit %d, the test needs %d", rl.Cur, need)
	}
}

// dialFrom connects to addr from the loopback address src.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", src, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// askTCP sends a query for www.example.com. A on c and returns the answer.
func askTCP(c net.Conn) (*mdns.Msg, error) {
	conn := &mdns.Conn{Conn: c}
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if err := conn.WriteMsg(msgFor("www.example.com.", mdns.TypeA)); err != nil {
		return nil, err
	}
	return conn.ReadMsg()
}

func evicted(st Stats, reason string) uint64 {
	for _, e := range st.TCPEvicted {
		if e.Reason == reason {
			return e.Count
		}
	}
	return 0
}

// lockedBuffer is a log destination for a test's slog handler.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTCPEvictsIdlest fills the TCP connection table with idle clients
// and checks that each new connection takes the place of the one idle
// longest, that the evictions are counted and logged once, and that UDP
// is unaffected.
func TestTCPEvictsIdlest(t *testing.T) {
	const limit, extra = 4, 3
	var logs lockedBuffer
	s, addr := startServer(t, Config{
		MaxTCPConns:          limit,
		TCPIdleTimeout:       time.Minute,
		TCPFirstQueryTimeout: time.Minute, // no connection times out under pressure here
		Logger:               slog.New(slog.NewTextHandler(&logs, nil)),
	})
	// Each connection answers one query (so the server has taken it),
	// then idles.
	var idle []net.Conn
	for range limit {
		c := dialFrom(t, "127.0.0.1", addr)
		if _, err := askTCP(c); err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	for i := range extra {
		c := dialFrom(t, "127.0.0.1", addr)
		if r, err := askTCP(c); err != nil || len(r.Answer) != 2 {
			t.Fatalf("new connection %d over a full table: %v, %v", i, r, err)
		}
		// The oldest idle one was closed to make room.
		idle[i].SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := idle[i].Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("idle connection %d: read = %v, want EOF (evicted)", i, err)
		}
	}
	if r, err := askTCP(idle[extra]); err != nil || len(r.Answer) != 2 {
		t.Errorf("the connection idle least was closed: %v, %v", r, err)
	}
	st := s.Stats()
	if got := evicted(st, "full"); got != extra {
		t.Errorf("TCPEvicted[full] = %d, want %d", got, extra)
	}
	if st.TCPRejected != 0 || st.TCPConns != limit {
		t.Errorf("TCPRejected = %d, TCPConns = %d, want 0 and %d", st.TCPRejected, st.TCPConns, limit)
	}
	if r := exchange(t, "udp", addr, msgFor("www.example.com.", mdns.TypeA)); len(r.Answer) != 2 {
		t.Errorf("udp answer under a full TCP table: %s", r)
	}
	if n := strings.Count(logs.String(), "tcp connection table full"); n != 1 {
		t.Errorf("%d log lines about evictions, want 1 (at most one per 30s):\n%s", n, logs.String())
	}
}

// TestTCPHostileClients holds 600 idle connections from 127.0.0.2 and
// 300 from 127.0.0.3 that sent one octet of a query's length, and checks
// that a query from 127.0.0.4 is still answered over TCP, with every
// eviction counted, whether the hostile clients share a prefix with it
// or not.
func TestTCPHostileClients(t *testing.T) {
	const idle, half = 600, 300
	raiseFileLimit(t, 2*(idle+half)+256)
	tests := []struct {
		name                string
		prefix4, perPrefix  int
		wantPrefix, wantAll uint64
		keepsIdle           bool // the newest idle connection of 127.0.0.2 stays
	}{
		// Each source its own prefix: each pushes out only its own
		// connections; the third source finds room.
		{"per-host prefix", 32, 100, idle - 100 + half - 100, 0, true},
		// The defaults: 127.0.0.0/24 is one prefix, at 64 connections.
		{"one prefix", 0, 0, idle + half + 1 - DefaultMaxTCPConnsPerPrefix, 0, false},
		// No prefix limit to speak of: the table's (256) decides.
		{"table only", 32, 1000, 0, idle + half + 1 - DefaultMaxTCPConns, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, addr := startServer(t, Config{
				TCPIPv4Prefix:        tt.prefix4,
				MaxTCPConnsPerPrefix: tt.perPrefix,
				TCPIdleTimeout:       time.Minute,
				TCPFirstQueryTimeout: time.Minute, // the evictions alone make room here
				ReadTimeout:          time.Minute,
			})
			var conns []net.Conn
			for range idle {
				conns = append(conns, dialFrom(t, "127.0.0.2", addr))
			}
			for range half {
				c := dialFrom(t, "127.0.0.3", addr)
				if _, err := c.Write([]byte{0}); err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
			}
			// Accepted after every hostile one (the accept queue is
			// first in, first out): when it is answered, the counts are
			// final.
			r, err := askTCP(dialFrom(t, "127.0.0.4", addr))
			if err != nil || len(r.Answer) != 2 {
				t.Fatalf("query from a third source: %v, %v", r, err)
			}
			st := s.Stats()
			if got, want := evicted(st, "prefix"), tt.wantPrefix; got != want {
				t.Errorf("TCPEvicted[prefix] = %d, want %d", got, want)
			}
			if got, want := evicted(st, "full"), tt.wantAll; got != want {
				t.Errorf("TCPEvicted[full] = %d, want %d", got, want)
			}
			if st.TCPRejected != 0 {
				t.Errorf("TCPRejected = %d, want 0", st.TCPRejected)
			}
			// The newest idle connection is one of those kept when its
			// prefix is its own.
			if !tt.keepsIdle {
				return
			}
			if r, err := askTCP(conns[idle-1]); err != nil || len(r.Answer) != 2 {
				t.Errorf("newest idle connection: %v, %v", r, err)
			}
		})
	}
}

// TestTCPFirstQueryTimeout checks that a connection that sends nothing is
// closed after TCPFirstQueryTimeout, while one that asked keeps its
// TCPIdleTimeout.
func TestTCPFirstQueryTimeout(t *testing.T) {
	done := make(chan struct{}, 2)
	_, addr := startServerWith(t, Config{TCPFirstQueryTimeout: 100 * time.Millisecond, TCPIdleTimeout: time.Minute},
		func(s *Server) { s.connDone = func() { done <- struct{}{} } })
	active := dialFrom(t, "127.0.0.1", addr)
	if _, err := askTCP(active); err != nil {
		t.Fatal(err)
	}
	silent := dialFrom(t, "127.0.0.1", addr)
	silent.SetDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, err := silent.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("silent connection: read = %v, want EOF", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("silent connection closed after %v, want about 100ms", d)
	}
	<-done
	// The active connection has been open longer than the first query's
	// deadline: it still answers.
	if r, err := askTCP(active); err != nil || len(r.Answer) != 2 {
		t.Errorf("active connection after the first query timeout: %v, %v", r, err)
	}
}

// TestTCPIdleUnderPressure checks that the wait for a next query is cut
// to TCPFirstQueryTimeout once more than half the table is open, for the
// connections already waiting too.
func TestTCPIdleUnderPressure(t *testing.T) {
	done := make(chan struct{}, 4)
	_, addr := startServerWith(t, Config{MaxTCPConns: 4, TCPFirstQueryTimeout: 100 * time.Millisecond, TCPIdleTimeout: time.Minute},
		func(s *Server) { s.connDone = func() { done <- struct{}{} } })
	for i := range 3 {
		c := dialFrom(t, "127.0.0.1", addr)
		if _, err := askTCP(c); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
	}
	for i := range 3 {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of 3 idle connections closed under pressure, want 3", i)
		}
	}
}

// TestUDPReceiveBuffer checks that the UDP sockets get the receive
// buffer asked for, or that the server says what it got.
func TestUDPReceiveBuffer(t *testing.T) {
	const want = 1 << 20
	var logs lockedBuffer
	s, _ := startServer(t, Config{UDPSockets: 1, UDPReceiveBuffer: want, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	got, err := setReceiveBuffer(s.udp[0].conn, want) // the same request again reads the size back
	if err != nil {
		t.Fatal(err)
	}
	if got < want && !strings.Contains(logs.String(), fmt.Sprintf("effective=%d", got)) {
		t.Errorf("receive buffer %d, want %d or a log line saying so; log:\n%s", got, want, logs.String())
	}
	t.Logf("receive buffer %d (asked %d)", got, want)
}

// TestTCPReconnectingFlood keeps two hosts reopening every connection the
// server closes (the second sending one octet of a length on each), as
// the issue measured, and checks that another host's queries, each on a
// new connection, are all answered.
func TestTCPReconnectingFlood(t *testing.T) {
	const perHost, queries = 300, 20
	raiseFileLimit(t, 4*perHost+256)
	s, addr := startServer(t, Config{
		TCPIPv4Prefix:        32,
		MaxTCPConnsPerPrefix: 100,
		TCPIdleTimeout:       time.Minute,
		TCPFirstQueryTimeout: time.Minute,
		ReadTimeout:          time.Minute,
	})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	flood := func(src string, half bool) {
		defer wg.Done()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
		for {
			select {
			case <-stop:
				return
			default:
			}
			c, err := d.Dial("tcp", addr)
			if err != nil {
				continue // the server is busy: try again
			}
			if half {
				c.Write([]byte{0})
			}
			// Hold it until the server closes it, or the test ends.
			for {
				c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
				_, err := c.Read(make([]byte, 1))
				if !isTimeout(err) {
					break
				}
				select {
				case <-stop:
				default:
					continue
				}
				break
			}
			c.Close()
		}
	}
	// Hold the connections open concurrently: perHost goroutines per host.
	for range perHost {
		wg.Add(2)
		go flood("127.0.0.2", false)
		go flood("127.0.0.3", true)
	}
	defer func() { close(stop); wg.Wait() }()
	for i := range queries {
		c := dialFrom(t, "127.0.0.4", addr)
		if r, err := askTCP(c); err != nil || len(r.Answer) != 2 {
			t.Fatalf("query %d of %d from a third host under the flood: %v, %v", i+1, queries, r, err)
		}
		c.Close()
	}
	if got := evicted(s.Stats(), "prefix"); got == 0 {
		t.Errorf("TCPEvicted[prefix] = 0 under a flood of %d connections per host, want evictions", perHost)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
