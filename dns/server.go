package dns

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/gslb/gslb/pick"
)

// Errors of the Server's life cycle.
var (
	// ErrServerClosed is returned by Listen and Serve after Shutdown.
	ErrServerClosed = errors.New("dns: server closed")
	// ErrServing is returned by Serve when the server is already serving.
	ErrServing = errors.New("dns: server already serving")
)

// Server answers DNS queries on UDP and TCP for every listen address of
// its Config. Create it with NewServer, then call Serve (optionally after
// Listen, to learn the bound addresses first), and stop it by cancelling
// Serve's context or with Shutdown. A Server serves once.
type Server struct {
	cfg   Config
	h     *handler
	stats counters
	tap   atomic.Pointer[tap] // nil without a query log: the serving goroutines test it before any work
	ready chan struct{}

	mu       sync.Mutex
	bound    bool
	serving  bool
	stopping bool
	udp      []*udpSocket
	tcp      []net.Listener
	addrs    []netip.AddrPort
	conns    map[net.Conn]*tcpConn // open TCP connections
	prefixes map[netip.Prefix]int  // open TCP connections by client prefix
	nconns   atomic.Int32          // len(conns), read without the lock
	wg       sync.WaitGroup        // every serving goroutine
	stopped  chan struct{}         // closed by stop
	tcpBufs  sync.Pool             // *tcpBuffers

	// The log of evicted and refused TCP connections (logPressure).
	pressureLogged                time.Time
	loggedEvicted, loggedRejected uint64
	lastEvicted                   netip.Prefix

	connDone func() // test hook: a TCP connection was closed and untracked
}

type udpSocket struct {
	conn  *net.UDPConn
	oob   bool           // bound to a wildcard address: replies take the query's destination as source
	local netip.AddrPort // the bound address
}

// NewServer returns a server for cfg; zero fields of cfg take their
// documented defaults.
func NewServer(cfg Config) *Server {
	s := &Server{
		cfg:      cfg.withDefaults(),
		ready:    make(chan struct{}),
		conns:    map[net.Conn]*tcpConn{},
		prefixes: map[netip.Prefix]int{},
		stopped:  make(chan struct{}),
	}
	s.h = newHandler(&s.cfg, &s.stats)
	if s.cfg.Tap.Network != "" {
		s.tap.Store(newTap(s.cfg.Tap, s.cfg.Logger, &s.stats))
	}
	s.tcpBufs.New = func() any { return new(tcpBuffers) }
	return s
}

// Listen binds the UDP sockets and TCP listeners of every listen address,
// so that Addrs is known before serving starts. On failure nothing stays
// bound. Serve calls it when it has not been called.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return ErrServerClosed
	}
	if s.bound {
		return nil
	}
	for _, addr := range s.cfg.Listen {
		if err := s.listen(addr); err != nil {
			s.closeListeners()
			return err
		}
	}
	s.bound = true
	return nil
}

// listen binds one address. A port of 0 is resolved by the first UDP
// socket and reused for TCP and the other UDP sockets; when TCP cannot
// have that port, another one is tried.
func (s *Server) listen(addr string) error {
	ctx := context.Background()
	lc := net.ListenConfig{Control: reusePort}
	if s.cfg.UDPSockets == 1 && !reusePortBalances {
		lc.Control = nil
	}
	host, port, _ := net.SplitHostPort(addr)
	for attempt := 0; ; attempt++ {
		// A port the kernel picks is bound without SO_REUSEPORT, so that it
		// is one no socket uses (with the option, Linux may pick the port
		// of another process's sockets of the same user and join them); the
		// option is set afterwards for this server's other sockets.
		flc := lc
		if port == "0" {
			flc.Control = nil
		}
		pc, err := flc.ListenPacket(ctx, "udp", addr)
		if err != nil {
			return err // a *net.OpError: "listen udp ADDR: ..."
		}
		first := pc.(*net.UDPConn)
		if port == "0" && lc.Control != nil {
			if err := setReusePort(first); err != nil {
				first.Close()
				return err
			}
		}
		bound := first.LocalAddr().(*net.UDPAddr).AddrPort()
		at := net.JoinHostPort(host, fmt.Sprint(bound.Port()))
		// SO_REUSEPORT lets a successor bind the address while this server
		// serves it (see Shutdown); not on a port the kernel picked, so
		// that the port is this server's alone.
		tlc := net.ListenConfig{}
		if reusePortBalances && port != "0" {
			tlc.Control = reusePort
		}
		l, err := tlc.Listen(ctx, "tcp", at)
		if err != nil {
			first.Close()
			if port == "0" && errors.Is(err, syscall.EADDRINUSE) && attempt < 8 {
				continue
			}
			return err // a *net.OpError: "listen tcp ADDR: ..."
		}
		socks := []*net.UDPConn{first}
		for range s.cfg.UDPSockets - 1 {
			pc, err := lc.ListenPacket(ctx, "udp", at)
			if err != nil {
				for _, c := range socks {
					c.Close()
				}
				l.Close()
				return fmt.Errorf("UDP socket %d of %d: %w", len(socks)+1, s.cfg.UDPSockets, err)
			}
			socks = append(socks, pc.(*net.UDPConn))
		}
		s.receiveBuffers(socks)
		for _, c := range socks {
			s.udp = append(s.udp, &udpSocket{conn: c, oob: wildcard(c), local: c.LocalAddr().(*net.UDPAddr).AddrPort()})
		}
		s.tcp = append(s.tcp, l)
		s.addrs = append(s.addrs, bound)
		return nil
	}
}

// setReusePort sets SO_REUSEPORT on a bound socket.
func setReusePort(c *net.UDPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	return reusePort("udp", c.LocalAddr().String(), rc)
}

// receiveBuffers sets the receive buffer of the UDP sockets of one
// address to Config.UDPReceiveBuffer, and logs once when the kernel
// granted less (or refused): the sockets serve either way.
func (s *Server) receiveBuffers(socks []*net.UDPConn) {
	want := s.cfg.UDPReceiveBuffer
	if want < 0 {
		return // the system's default
	}
	least := want
	var firstErr error
	for _, c := range socks {
		got, err := setReceiveBuffer(c, want)
		if err != nil {
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		least = min(least, got)
	}
	switch {
	case firstErr != nil:
		s.cfg.Logger.Warn("cannot set the UDP receive buffer", "addr", socks[0].LocalAddr(), "error", firstErr)
	case least < want:
		s.cfg.Logger.Warn("UDP receive buffer smaller than asked: the kernel caps it (raise net.core.rmem_max, or run with CAP_NET_ADMIN)",
			"addr", socks[0].LocalAddr(), "udp_receive_buffer", want, "effective", least)
	}
}

// wildcard reports whether c is bound to an unspecified address and, if
// so, asks for each packet's destination address, so that replies leave
// from the address the query was sent to.
func wildcard(c *net.UDPConn) bool {
	if !c.LocalAddr().(*net.UDPAddr).IP.IsUnspecified() {
		return false
	}
	err6 := ipv6.NewPacketConn(c).SetControlMessage(ipv6.FlagDst|ipv6.FlagInterface, true)
	err4 := ipv4.NewPacketConn(c).SetControlMessage(ipv4.FlagDst|ipv4.FlagInterface, true)
	return err4 == nil || err6 == nil
}

// closeListeners closes every socket bound so far.
func (s *Server) closeListeners() {
	for _, u := range s.udp {
		u.conn.Close()
	}
	for _, l := range s.tcp {
		l.Close()
	}
	s.udp, s.tcp, s.addrs = nil, nil, nil
}

// Addrs returns the bound address of each listen address, in the order of
// Config.Listen, once Listen (or Serve) has bound them. UDP and TCP share
// each address.
func (s *Server) Addrs() []netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]netip.AddrPort(nil), s.addrs...)
}

// Ready is closed when the server has bound its addresses and its
// goroutines are serving.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Stats returns the counts so far. It also lets the answer counters
// forget the pools of zone sets no longer served.
func (s *Server) Stats() Stats {
	if s.cfg.Zones != nil {
		live := map[*pick.Pool]bool{}
		for _, z := range s.cfg.Zones.Zones().Zones() {
			for _, p := range z.Pools {
				live[p] = true
			}
			for _, n := range z.Names() {
				live[n.Pool] = true
			}
		}
		s.stats.answers.retire(func(p *pick.Pool) bool { return live[p] })
	}
	st := s.stats.snapshot()
	st.TCPConns = int(s.nconns.Load())
	return st
}

// SetTap replaces the query log with one for cfg (none when cfg.Network
// is empty): queries answered from now on go to the new collector. The
// old log sends what it has queued within its FlushTimeout; SetTap
// returns when it has. After the server stopped, SetTap does nothing.
func (s *Server) SetTap(cfg TapConfig) {
	var next *tap
	if cfg.Network != "" {
		next = newTap(cfg, s.cfg.Logger, &s.stats)
	}
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return
	}
	if next != nil && s.serving {
		next.run()
	}
	old := s.tap.Swap(next)
	s.mu.Unlock()
	if old != nil {
		old.close()
	}
}

// Serve binds the listen addresses (unless Listen did), serves until ctx
// is done or Shutdown is called, and returns nil then. When ctx ends it
// stops like Shutdown and waits for the queries in progress, which take at
// most WriteTimeout. With a query log (Config.Tap), Serve runs its writer
// and, before returning, sends what is queued within the log's
// FlushTimeout. It returns an error when binding fails, ErrServing
// when called twice and ErrServerClosed after Shutdown.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.serving {
		s.mu.Unlock()
		return ErrServing
	}
	if s.stopping {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.serving = true
	if t := s.tap.Load(); t != nil {
		t.run()
	}
	// Every UDP socket has at least two readers, so that one slow query
	// does not hold up the others hashed to the same socket.
	readers := max(2, runtime.GOMAXPROCS(0)/s.cfg.UDPSockets)
	for _, u := range s.udp {
		for range readers {
			s.wg.Add(1)
			go s.serveUDP(u)
		}
	}
	for _, l := range s.tcp {
		s.wg.Add(1)
		go s.serveTCP(l)
	}
	s.mu.Unlock()
	close(s.ready)

	select {
	case <-ctx.Done():
		s.stop()
	case <-s.stopped:
	}
	s.wg.Wait()
	s.closeUDP()
	s.mu.Lock()
	t := s.tap.Swap(nil) // SetTap after this point starts no writer
	s.mu.Unlock()
	if t != nil {
		t.close() // within Config.Tap.FlushTimeout
	}
	return nil
}

// udpDrainIdle ends the reading of a UDP socket that stopped receiving
// new datagrams when the server stops: once it has had nothing to read
// for this long, the queries queued on it (and those the kernel was
// delivering) have all been answered.
const udpDrainIdle = 20 * time.Millisecond

// Shutdown stops the server: listeners close, UDP sockets stop receiving
// new datagrams (which go to the other sockets bound to the address, a
// successor's, if any) and are read until empty so that the queries
// queued on them are answered, idle TCP connections stop reading,
// and queries in progress are answered. It
// waits until they are, or until ctx is done, when it closes the remaining
// connections and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.closeUDP()
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.closeUDP()
		return fmt.Errorf("dns: shutdown: %w", ctx.Err())
	}
}

// stop makes every serving goroutine return after its current query.
func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return
	}
	s.stopping = true
	close(s.stopped)
	past := time.Unix(1, 0)
	drainUntil := time.Now().Add(udpDrainIdle)
	for _, u := range s.udp {
		if !s.serving {
			break
		}
		if err := stopReceiving(u.conn); err != nil {
			s.cfg.Logger.Warn("cannot stop receiving on a UDP socket before closing it: the queries queued on it at close are lost", "error", err)
			drainUntil = past
		}
	}
	for _, u := range s.udp {
		u.conn.SetReadDeadline(drainUntil)
	}
	for _, l := range s.tcp {
		l.Close()
	}
	for c := range s.conns {
		c.SetReadDeadline(past)
	}
	if !s.serving {
		s.closeListeners()
	}
}

func (s *Server) closeUDP() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.udp {
		u.conn.Close()
	}
}

func (s *Server) isStopping() bool {
	select {
	case <-s.stopped:
		return true
	default:
		return false
	}
}
