package control

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Timeouts of the control listener's connections (see NewHTTPServer).
const (
	// ReadHeaderTimeout is how long a client may take to send a request's
	// header: a client that trickles it (slowloris) is cut then.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout is how long a client may take to send a whole request.
	ReadTimeout = 10 * time.Second
	// WriteTimeout is how long an answer may take, from the end of the
	// request's header until it is written.
	WriteTimeout = 30 * time.Second
	// IdleTimeout is how long a kept-alive connection may wait for its
	// next request.
	IdleTimeout = 30 * time.Second
	// MaxHeaderBytes is the largest request header read.
	MaxHeaderBytes = 16 << 10
)

// NewHTTPServer returns the http.Server of the control API for handler:
// with every timeout set (ReadHeaderTimeout, ReadTimeout, WriteTimeout,
// IdleTimeout), a small header limit, and net/http's own error lines
// (such as a TLS handshake to a plain listener) logged at debug level.
// Serve it on a Listener (Limit), which it tells which connections have
// a request in the handler.
func NewHTTPServer(handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler: busy(handler),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.With("component", "control").Handler(), slog.LevelDebug),
	}
}

// Listener caps the connections of a control listener: at most
// perClient open from one client address (more are answered 503 in JSON
// and closed at once), and at most max in total. When the total is
// reached, a new connection takes the place of the oldest one that has
// no request in a handler (one still sending its request header, as a
// slowloris does, or an idle kept-alive one), which is closed; when every
// one is in a handler, the new one is answered 503. So clients that
// trickle their requests cannot lock out one that sends its request at
// once. Create it with Limit; serve it with an http.Server made by
// NewHTTPServer, which tells it which connections are in a handler.
type Listener struct {
	net.Listener
	max, perClient int
	rejected       atomic.Uint64
	evicted        atomic.Uint64

	mu    sync.Mutex
	open  map[netip.Addr]int       // open connections per client address
	conns map[*clientConn]struct{} // open connections
}

// Limit returns ln with its connections capped (see Listener). max and
// perClient must be positive.
func Limit(ln net.Listener, max, perClient int) *Listener {
	return &Listener{Listener: ln, max: max, perClient: perClient, open: map[netip.Addr]int{}, conns: map[*clientConn]struct{}{}}
}

// Accept returns the next connection under the caps; it answers and
// closes those over them.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		cc := &clientConn{Conn: c, l: l, addr: clientAddr(c), since: time.Now()}
		l.mu.Lock()
		if l.open[cc.addr] >= l.perClient {
			l.mu.Unlock()
			l.rejected.Add(1)
			go refuse(c, fmt.Sprintf("too many connections from this address (at most %d)", l.perClient))
			continue
		}
		var victim *clientConn
		if len(l.conns) >= l.max {
			if victim = l.oldestIdleLocked(); victim == nil {
				l.mu.Unlock()
				l.rejected.Add(1)
				go refuse(c, fmt.Sprintf("too many connections (at most %d), all busy", l.max))
				continue
			}
			l.releaseLocked(victim)
		}
		l.open[cc.addr]++
		l.conns[cc] = struct{}{}
		l.mu.Unlock()
		if victim != nil {
			l.evicted.Add(1)
			victim.Conn.Close() // its server goroutine sees the read fail and closes it again: a no-op
		}
		return cc, nil
	}
}

// oldestIdleLocked returns the oldest open connection with no request in
// a handler, or nil. l.mu is held.
func (l *Listener) oldestIdleLocked() *clientConn {
	var oldest *clientConn
	for c := range l.conns {
		if c.handling.Load() == 0 && (oldest == nil || c.since.Before(oldest.since)) {
			oldest = c
		}
	}
	return oldest
}

// releaseLocked forgets c (once). l.mu is held.
func (l *Listener) releaseLocked(c *clientConn) {
	if _, ok := l.conns[c]; !ok {
		return
	}
	delete(l.conns, c)
	if l.open[c.addr] <= 1 {
		delete(l.open, c.addr)
	} else {
		l.open[c.addr]--
	}
}

// Open returns the number of connections open now.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// Rejected returns how many connections were answered 503 for being over
// a cap.
func (l *Listener) Rejected() uint64 { return l.rejected.Load() }

// Evicted returns how many connections were closed to make room for a
// new one.
func (l *Listener) Evicted() uint64 { return l.evicted.Load() }

// clientAddr returns the address of c's peer (IPv4 in IPv6 unmapped).
func clientAddr(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// refuse answers a connection over a cap with a 503 carrying msg and
// closes it, giving the client one second to take the answer.
func refuse(c net.Conn, msg string) {
	defer c.Close()
	body := fmt.Sprintf("{\n  \"error\": %q\n}\n", msg)
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\nRetry-After: 1\r\n\r\n%s", len(body), body)
}

// clientConn is an accepted connection that frees its place when closed.
type clientConn struct {
	net.Conn
	l        *Listener
	addr     netip.Addr
	since    time.Time    // when it was accepted
	handling atomic.Int32 // requests of it in a handler now
}

// Close closes the connection and frees its place.
func (c *clientConn) Close() error {
	err := c.Conn.Close()
	c.l.mu.Lock()
	c.l.releaseLocked(c)
	c.l.mu.Unlock()
	return err
}

// connKey is the context key under which NewHTTPServer keeps a request's
// connection.
type connKey struct{}

// busy wraps h so that a connection of l counts as busy while one of its
// requests is in h.
func busy(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := r.Context().Value(connKey{}).(*clientConn); ok {
			c.handling.Add(1)
			defer c.handling.Add(-1)
		}
		h.ServeHTTP(w, r)
	})
}
