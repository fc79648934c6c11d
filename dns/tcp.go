package dns

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"time"
)

// tcpBuffers hands out the read and write buffers of TCP queries. A
// connection holds them only while it answers, not while it idles.
type tcpBuffers struct {
	in, out [maxTCPSize + 3]byte
}

// serveTCP accepts connections on l until it is closed. Connections beyond
// MaxTCPConns are closed at once, so that clients that connect and never
// send (or never read) cannot hold more than the cap.
func (s *Server) serveTCP(l net.Listener) {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.isStopping() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait, as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.cfg.Logger.Warn("tcp accept failed", "addr", l.Addr(), "error", err, "retry_in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if !s.track(c) {
			s.stats.tcpRejected.Add(1)
			c.Close()
			continue
		}
		go s.serveConn(c)
	}
}

// track registers a new connection, unless the server is at its cap or
// stopping.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping || len(s.conns) >= s.h.limits.Load().maxTCPConns {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	if s.connDone != nil {
		s.connDone()
	}
	s.wg.Done()
}

// serveConn answers the queries of one connection in order (RFC 7766
// allows, does not require, concurrent processing). Each query must start
// within TCPIdleTimeout and arrive whole within ReadTimeout; each answer
// must be written within WriteTimeout.
func (s *Server) serveConn(c net.Conn) {
	defer s.untrack(c)
	var client, server netip.AddrPort
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		client = a.AddrPort()
	}
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		server = a.AddrPort()
	}
	var length [2]byte
	for q := 0; ; q++ {
		lim := s.h.limits.Load() // limits changed by SetLimits apply from the next query on
		if lim.maxTCPQueries > 0 && q >= lim.maxTCPQueries || s.isStopping() {
			return
		}
		c.SetReadDeadline(time.Now().Add(lim.tcpIdle))
		if _, err := io.ReadFull(c, length[:1]); err != nil {
			return
		}
		c.SetReadDeadline(time.Now().Add(lim.readTO))
		if _, err := io.ReadFull(c, length[1:]); err != nil {
			return
		}
		if !s.query(c, client, server, int(binary.BigEndian.Uint16(length[:]))) {
			return
		}
	}
}

// query reads one query of n octets from client on c and writes its
// answer. It reports whether the connection is still usable. server, the
// connection's local address, is for the query log.
func (s *Server) query(c net.Conn, client, server netip.AddrPort, n int) bool {
	buf := s.tcpBufs.Get().(*tcpBuffers)
	defer s.tcpBufs.Put(buf)
	in := buf.in[:n]
	if _, err := io.ReadFull(c, in); err != nil {
		return false
	}
	var qtime time.Time
	t := s.tap.Load()
	if t != nil {
		qtime = time.Now()
	}
	out := buf.out[:]
	reply := s.h.respond(out[2:], in, client.Addr(), true)
	if reply == nil {
		return false // no reply to garbage: the connection is closed
	}
	c.SetWriteDeadline(time.Now().Add(s.h.limits.Load().writeTO))
	if len(reply) > maxTCPSize {
		return false // cannot happen: the handler truncates to 65535
	}
	binary.BigEndian.PutUint16(out, uint16(len(reply)))
	var err error
	if &reply[0] == &out[2] {
		_, err = c.Write(out[:2+len(reply)])
	} else {
		_, err = (&net.Buffers{out[:2], reply}).WriteTo(c)
	}
	if err == nil && t != nil {
		t.add(true, client, server, qtime, time.Now(), in, reply)
	}
	return err == nil
}
