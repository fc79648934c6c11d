package dns

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	dnstap "github.com/dnstap/golang-dnstap"
	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/zones"
)

// collector is a dnstap collector for tests: it accepts Frame Streams
// connections on a unix socket or a TCP address and decodes their messages
// with golang-dnstap's reader. Until open is called, connections complete
// the handshake and then read nothing (a stalled collector).
type collector struct {
	t       *testing.T
	network string
	addr    string
	l       net.Listener
	msgs    chan *dnstap.Dnstap
	ends    chan error // how each connection's stream ended (io.EOF: STOP)
	shakes  chan struct{}
	gate    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	conns   map[net.Conn]bool
	wg      sync.WaitGroup
	stopped bool
}

func newCollector(t *testing.T, network, addr string, open bool) *collector {
	t.Helper()
	c := &collector{
		t: t, network: network,
		msgs:   make(chan *dnstap.Dnstap, 1<<16),
		ends:   make(chan error, 64),
		shakes: make(chan struct{}, 64),
		gate:   make(chan struct{}),
		conns:  map[net.Conn]bool{},
	}
	if open {
		c.open()
	}
	c.listen(addr)
	t.Cleanup(c.close)
	return c
}

// listen starts accepting on addr ("" for a new one).
func (c *collector) listen(addr string) {
	if addr == "" {
		addr = "127.0.0.1:0"
		if c.network == "unix" {
			addr = filepath.Join(c.t.TempDir(), "tap.sock")
		}
	}
	l, err := net.Listen(c.network, addr)
	if err != nil {
		c.t.Fatal(err)
	}
	c.l, c.addr = l, l.Addr().String()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			if c.stopped {
				c.mu.Unlock()
				conn.Close()
				return
			}
			c.conns[conn] = true
			c.wg.Add(1)
			c.mu.Unlock()
			go c.serve(conn)
		}
	}()
}

func (c *collector) serve(conn net.Conn) {
	defer c.wg.Done()
	defer conn.Close()
	r, err := dnstap.NewReader(conn, &dnstap.ReaderOptions{Bidirectional: true, Timeout: 5 * time.Second})
	if err != nil {
		c.ends <- err
		return
	}
	c.shakes <- struct{}{}
	<-c.gate
	dec := dnstap.NewDecoder(r, 1<<20)
	for {
		m := new(dnstap.Dnstap)
		if err := dec.Decode(m); err != nil {
			c.ends <- err
			return
		}
		c.msgs <- m
	}
}

// open lets every connection read.
func (c *collector) open() { c.once.Do(func() { close(c.gate) }) }

// drop closes the open connections; the listener stays.
func (c *collector) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for conn := range c.conns {
		conn.Close()
		delete(c.conns, conn)
	}
}

func (c *collector) close() {
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
	c.l.Close()
	c.open()
	c.drop()
	c.wg.Wait()
}

// next returns the next message, failing the test after a while.
func (c *collector) next(t *testing.T) *dnstap.Dnstap {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no dnstap message within 10s")
		return nil
	}
}

// await returns the AUTH_QUERY and AUTH_RESPONSE of the query with id,
// skipping the messages of other queries.
func (c *collector) await(t *testing.T, id uint16) (q, r *dnstap.Message) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		var m *dnstap.Dnstap
		select {
		case m = <-c.msgs:
		case <-deadline:
			t.Fatalf("no dnstap messages of query %d within 10s", id)
		}
		msg := m.GetMessage()
		if msg.GetType() != dnstap.Message_AUTH_QUERY || msgID(msg.GetQueryMessage()) != id {
			continue
		}
		next := c.next(t).GetMessage()
		if next.GetType() != dnstap.Message_AUTH_RESPONSE || msgID(next.GetResponseMessage()) != id {
			t.Fatalf("after the AUTH_QUERY of %d: %v", id, next)
		}
		return msg, next
	}
}

func msgID(b []byte) uint16 {
	if len(b) < 2 {
		return 0
	}
	return uint16(b[0])<<8 | uint16(b[1])
}

// waitFor polls cond until it holds, failing the test after 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// tapServer is a Server with a query log, stopped by stop (or at the end
// of the test).
type tapServer struct {
	*Server
	addr string
	stop func() // cancels Serve and waits for it
}

func startTapServer(t *testing.T, listen string, tc TapConfig) *tapServer {
	t.Helper()
	set := loadZones(t)
	if tc.MinBackoff == 0 {
		tc.MinBackoff, tc.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	}
	s := NewServer(Config{
		Listen: []string{listen},
		Zones:  ZonesFunc(func() *zones.Set { return set }),
		Logger: slog.New(slog.DiscardHandler),
		Tap:    tc,
	})
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
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("Serve returned %v", err)
			}
		})
	}
	t.Cleanup(stop)
	port := s.Addrs()[0].Port()
	return &tapServer{Server: s, addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port).String(), stop: stop}
}

func (s *tapServer) connected() bool { t := s.tap.Load(); return t != nil && t.connected.Load() }

// exchangeFrom sends m over network and returns the reply, the client's
// address and the times before sending and after receiving.
func exchangeFrom(t *testing.T, network, addr string, m *mdns.Msg) (r *mdns.Msg, client netip.AddrPort, before, after time.Time) {
	t.Helper()
	c := &mdns.Client{Net: network, Timeout: 5 * time.Second}
	conn, err := c.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client = netip.MustParseAddrPort(conn.LocalAddr().String())
	before = time.Now()
	r, _, err = c.ExchangeWithConn(m, conn)
	after = time.Now()
	if err != nil {
		t.Fatalf("%s exchange: %v", network, err)
	}
	return r, client, before, after
}

func msgTime(sec uint64, nsec uint32) time.Time { return time.Unix(int64(sec), int64(nsec)) }

// TestTapEndToEnd sends queries over UDP and TCP to a server whose query
// log goes to a collector on a unix socket and on TCP, and checks every
// field of each AUTH_QUERY and AUTH_RESPONSE pair.
func TestTapEndToEnd(t *testing.T) {
	for _, tc := range []struct{ name, collector, listen string }{
		{"unix", "unix", "127.0.0.1:0"},
		{"tcp", "tcp", "127.0.0.1:0"},
		{"wildcard-socket", "unix", "0.0.0.0:0"}, // UDP read one datagram at a time
	} {
		t.Run(tc.name, func(t *testing.T) {
			col := newCollector(t, tc.collector, "", true)
			s := startTapServer(t, tc.listen, TapConfig{Network: tc.collector, Address: col.addr, Identity: "ns-test", Version: "gslb-test"})
			waitFor(t, "the collector's connection", s.connected)
			for i, network := range []string{"udp", "tcp", "udp", "tcp"} {
				serverAddr := netip.MustParseAddrPort(s.addr)
				if tc.listen == "0.0.0.0:0" && network == "udp" {
					// A wildcard UDP socket logs the address it is bound to.
					serverAddr = netip.AddrPortFrom(netip.IPv4Unspecified(), serverAddr.Port())
				}
				m := msgFor("www.example.com.", mdns.TypeA)
				m.Id = uint16(1000 + i)
				r, client, before, after := exchangeFrom(t, network, s.addr, m)
				q, resp := col.await(t, m.Id)
				got := time.Now()
				proto := dnstap.SocketProtocol_UDP
				if network == "tcp" {
					proto = dnstap.SocketProtocol_TCP
				}
				for _, x := range []*dnstap.Message{q, resp} {
					if x.GetSocketFamily() != dnstap.SocketFamily_INET || x.GetSocketProtocol() != proto {
						t.Errorf("%s: family, protocol = %v, %v; want INET, %v", network, x.GetSocketFamily(), x.GetSocketProtocol(), proto)
					}
					qa, _ := netip.AddrFromSlice(x.GetQueryAddress())
					ra, _ := netip.AddrFromSlice(x.GetResponseAddress())
					if got := netip.AddrPortFrom(qa, uint16(x.GetQueryPort())); got != client {
						t.Errorf("%s %v: query address = %v, want %v", network, x.GetType(), got, client)
					}
					if got := netip.AddrPortFrom(ra, uint16(x.GetResponsePort())); got != serverAddr {
						t.Errorf("%s %v: response address = %v, want %v", network, x.GetType(), got, serverAddr)
					}
					qt := msgTime(x.GetQueryTimeSec(), x.GetQueryTimeNsec())
					if qt.Before(before.Truncate(time.Microsecond)) || qt.After(after) {
						t.Errorf("%s %v: query time %v not within [%v, %v]", network, x.GetType(), qt, before, after)
					}
				}
				rt := msgTime(resp.GetResponseTimeSec(), resp.GetResponseTimeNsec())
				// The reply is logged once written: maybe after the client had it.
				if qt := msgTime(q.GetQueryTimeSec(), q.GetQueryTimeNsec()); rt.Before(qt) || rt.After(got) {
					t.Errorf("%s: response time %v not within [%v, %v]", network, rt, qt, got)
				}
				if q.ResponseMessage != nil || q.ResponseTimeSec != nil || resp.QueryMessage != nil {
					t.Errorf("%s: AUTH_QUERY carries a response or AUTH_RESPONSE a query", network)
				}
				var gotQ, gotR mdns.Msg
				if err := gotQ.Unpack(q.GetQueryMessage()); err != nil || gotQ.Question[0] != m.Question[0] || gotQ.Response {
					t.Errorf("%s: query message = %v (%v), want the question %v", network, gotQ.Question, err, m.Question[0])
				}
				if err := gotR.Unpack(resp.GetResponseMessage()); err != nil || gotR.String() != r.String() {
					t.Errorf("%s: response message = %v (%v), want %v", network, &gotR, err, r)
				}
			}
			s.stop()
			// The stream ends with STOP; every message was counted sent.
			if err := <-col.ends; !errors.Is(err, io.EOF) {
				t.Errorf("the stream ended with %v, want STOP (EOF)", err)
			}
			if st := s.Stats(); st.TapSent != 8 || st.TapDropped != 0 {
				t.Errorf("TapSent, TapDropped = %d, %d; want 8, 0", st.TapSent, st.TapDropped)
			}
		})
	}
}

// TestTapIdentity checks the identity and version of the messages.
func TestTapIdentity(t *testing.T) {
	col := newCollector(t, "unix", "", true)
	s := startTapServer(t, "127.0.0.1:0", TapConfig{Network: "unix", Address: col.addr, Identity: "ns-test"})
	waitFor(t, "the collector's connection", s.connected)
	exchange(t, "udp", s.addr, msgFor("www.example.com.", mdns.TypeA))
	for range 2 {
		m := col.next(t)
		if string(m.GetIdentity()) != "ns-test" || len(m.GetVersion()) < 4 || string(m.GetVersion()[:4]) != "gslb" ||
			m.GetType() != dnstap.Dnstap_MESSAGE {
			t.Errorf("identity, version, type = %q, %q, %v; want ns-test, gslb..., MESSAGE", m.GetIdentity(), m.GetVersion(), m.GetType())
		}
	}
}

// TestSetTap: a running server starts, moves and stops its query log
// without a restart; queries answered before a change go to the old
// collector, after it to the new one, and none after the log is turned off.
func TestSetTap(t *testing.T) {
	s := startTapServer(t, "127.0.0.1:0", TapConfig{})
	exchange(t, "udp", s.addr, msgFor("www.example.com.", mdns.TypeA))
	if s.tap.Load() != nil {
		t.Fatal("a query log without Config.Tap")
	}
	fast := func(tc TapConfig) TapConfig {
		tc.MinBackoff, tc.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
		return tc
	}
	first := newCollector(t, "unix", "", true)
	s.SetTap(fast(TapConfig{Network: "unix", Address: first.addr, Identity: "first"}))
	waitFor(t, "the first collector's connection", s.connected)
	m := msgFor("www.example.com.", mdns.TypeA)
	exchange(t, "udp", s.addr, m)
	if q, _ := first.await(t, m.Id); q == nil {
		t.Fatal("no query at the first collector")
	}

	second := newCollector(t, "tcp", "", true)
	s.SetTap(fast(TapConfig{Network: "tcp", Address: second.addr, Identity: "second"}))
	select {
	case err := <-first.ends:
		if !errors.Is(err, io.EOF) {
			t.Errorf("the first collector's stream ended with %v, want a STOP frame", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first collector's stream did not end when the log moved")
	}
	waitFor(t, "the second collector's connection", s.connected)
	m = msgFor("www.example.com.", mdns.TypeAAAA)
	exchange(t, "tcp", s.addr, m)
	q, _ := second.await(t, m.Id)
	if q == nil {
		t.Fatal("no query at the second collector")
	}

	s.SetTap(TapConfig{})
	if s.tap.Load() != nil {
		t.Fatal("SetTap(TapConfig{}) kept a query log")
	}
	exchange(t, "udp", s.addr, msgFor("www.example.com.", mdns.TypeA))
	select {
	case m := <-second.msgs:
		t.Errorf("a message after the log was turned off: %v", m)
	default:
	}
	s.stop()
	s.SetTap(fast(TapConfig{Network: "tcp", Address: second.addr}))
	if s.tap.Load() != nil {
		t.Error("SetTap after the server stopped installed a query log")
	}
}

// TestTapAbsentCollector: without a collector every query is answered and
// its messages are dropped and counted; when the collector comes, and
// comes back after losing its connection, messages flow again.
func TestTapAbsentCollector(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tap.sock")
	s := startTapServer(t, "127.0.0.1:0", TapConfig{Network: "unix", Address: path})
	const n = 40
	for i := range n {
		network := []string{"udp", "tcp"}[i%2]
		if r := exchange(t, network, s.addr, msgFor("www.example.com.", mdns.TypeA)); r.Rcode != mdns.RcodeSuccess {
			t.Fatalf("%s: rcode %d", network, r.Rcode)
		}
	}
	// A query is logged after its reply is written: wait for the last.
	waitFor(t, "every message counted dropped", func() bool { return s.Stats().TapDropped == 2*n })
	if st := s.Stats(); st.TapSent != 0 {
		t.Errorf("without a collector: TapSent = %d, want 0", st.TapSent)
	}

	col := newCollector(t, "unix", path, true)
	waitFor(t, "the connection", s.connected)
	m := msgFor("www.example.com.", mdns.TypeA)
	m.Id = 7
	exchange(t, "udp", s.addr, m)
	col.await(t, 7)

	// The collector drops the connection: the server reconnects.
	col.drop()
	<-col.ends
	m.Id = 8
	waitFor(t, "the messages of a query after the reconnection", func() bool {
		exchange(t, "udp", s.addr, m)
		select {
		case x := <-col.msgs:
			return msgID(x.GetMessage().GetQueryMessage()) == 8
		case <-time.After(20 * time.Millisecond):
			return false
		}
	})
	if len(col.shakes) < 2 {
		t.Errorf("%d handshakes, want 2", len(col.shakes))
	}
}

// TestTapStalledCollector: a collector that stops reading never slows the
// answers: the queue fills, messages are dropped and counted, and once it
// reads again messages flow.
func TestTapStalledCollector(t *testing.T) {
	col := newCollector(t, "unix", "", false)
	s := startTapServer(t, "127.0.0.1:0", TapConfig{Network: "unix", Address: col.addr, Buffer: 4})
	waitFor(t, "the connection", s.connected)
	c := &mdns.Client{Net: "udp", Timeout: 5 * time.Second}
	conn, err := c.Dial(s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	m := msgFor("www.example.com.", mdns.TypeA)
	var slowest time.Duration
	sent := 0
	for ; s.Stats().TapDropped == 0; sent++ {
		if sent == 50000 {
			t.Fatalf("no message dropped after %d queries (sent %d)", sent, s.Stats().TapSent)
		}
		m.Id = uint16(sent)
		r, rtt, err := c.ExchangeWithConn(m, conn)
		if err != nil || r.Rcode != mdns.RcodeSuccess {
			t.Fatalf("query %d: %v, %v", sent, r, err)
		}
		slowest = max(slowest, rtt)
	}
	// Answers do not wait for the collector: none took as long as the
	// writer's blocked flush does.
	if slowest > 2500*time.Millisecond {
		t.Errorf("slowest answer took %v with a stalled collector", slowest)
	}
	t.Logf("%d queries until the first drop; slowest answer %v", sent, slowest)

	col.open()
	m.Id = 60000
	waitFor(t, "the messages of a query once the collector reads", func() bool {
		exchange(t, "udp", s.addr, m)
		for {
			select {
			case x := <-col.msgs:
				if msgID(x.GetMessage().GetQueryMessage()) == 60000 {
					return true
				}
			case <-time.After(20 * time.Millisecond):
				return false
			}
		}
	})
	s.stop()
	st := s.Stats()
	if st.TapDropped == 0 || st.TapSent == 0 {
		t.Errorf("TapSent, TapDropped = %d, %d; want both > 0", st.TapSent, st.TapDropped)
	}
}

// TestTapShutdownFlush: what is queued when the server stops is delivered,
// then the stream is stopped; with no collector, Serve returns at once.
func TestTapShutdownFlush(t *testing.T) {
	col := newCollector(t, "tcp", "", true)
	s := startTapServer(t, "127.0.0.1:0", TapConfig{Network: "tcp", Address: col.addr})
	waitFor(t, "the connection", s.connected)
	const n = 20
	for range n {
		exchange(t, "tcp", s.addr, msgFor("www.example.com.", mdns.TypeAAAA))
	}
	s.stop()
	if st := s.Stats(); st.TapSent+st.TapDropped != 2*n || st.TapDropped != 0 {
		t.Errorf("TapSent, TapDropped = %d, %d; want %d, 0", st.TapSent, st.TapDropped, 2*n)
	}
	for range 2 * n {
		col.next(t)
	}
	if err := <-col.ends; !errors.Is(err, io.EOF) {
		t.Errorf("the stream ended with %v, want STOP (EOF)", err)
	}

	// A server whose collector never answers stops without waiting for it.
	s2 := startTapServer(t, "127.0.0.1:0", TapConfig{Network: "unix", Address: filepath.Join(t.TempDir(), "none.sock")})
	exchange(t, "udp", s2.addr, msgFor("www.example.com.", mdns.TypeA))
	begin := time.Now()
	s2.stop()
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("Serve took %v to return", d)
	}
}

// TestTapOff: without a query log nothing is counted.
func TestTapOff(t *testing.T) {
	s, addr := startServer(t, Config{})
	exchange(t, "udp", addr, msgFor("www.example.com.", mdns.TypeA))
	if s.tap.Load() != nil || s.Stats().TapSent != 0 || s.Stats().TapDropped != 0 {
		t.Errorf("tap %v, stats %+v", s.tap.Load(), s.Stats())
	}
}

// BenchmarkStaticATap answers as BenchmarkStaticA does and hands each
// query to a connected query log (a collector that reads and discards).
// The writer goroutine's work and allocations count; dropped/op says how
// many messages the writer could not keep up with.
func BenchmarkStaticATap(b *testing.B) {
	h := newTestHandler(b, fakeRouter{})
	dir := b.TempDir()
	l, err := net.Listen("unix", filepath.Join(dir, "tap.sock"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := dnstap.NewReader(c, &dnstap.ReaderOptions{Bidirectional: true}); err != nil {
					return
				}
				io.Copy(io.Discard, c) // the reader's allocations do not count
			}()
		}
	}()
	var stats counters
	tp := newTap(TapConfig{Network: "unix", Address: l.Addr().String()}, slog.New(slog.DiscardHandler), &stats)
	tp.run()
	defer tp.close()
	for deadline := time.Now().Add(10 * time.Second); !tp.connected.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("no connection")
		}
	}
	msg := query(b, "www.example.com.", mdns.TypeA, edns(1232, false))
	out := make([]byte, maxTCPSize+1)
	client := netip.MustParseAddrPort("192.0.2.1:53000")
	server := netip.MustParseAddrPort("192.0.2.53:53")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		qt := time.Now()
		reply := h.respond(out, msg, client.Addr(), false)
		tp.add(false, client, server, qt, time.Now(), msg, reply)
	}
	b.StopTimer()
	b.ReportMetric(float64(stats.tapDropped.Load())/float64(b.N), "dropped/op")
}
