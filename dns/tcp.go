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

// serveTCP accepts connections on l until it is closed. A full table
// makes room by closing the connection idle longest (see admit), so that
// clients that connect and never send (or never read) cannot lock others
// out; a connection is refused only when every candidate is answering.
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
		var client netip.AddrPort
		if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
			client = a.AddrPort()
		}
		now := time.Now()
		tc, evicted := s.admit(c, client.Addr(), now)
		if tc == nil {
			s.stats.tcpRejected.Add(1)
			c.Close()
		} else {
			go s.serveConn(tc, client, now)
		}
		if tc == nil || evicted {
			s.logPressure(now)
		}
	}
}

// serveConn answers the queries of one connection in order (RFC 7766
// allows, does not require, concurrent processing). The first query must
// arrive whole within TCPFirstQueryTimeout of the connection's accept;
// each later one must start within TCPIdleTimeout (cut to
// TCPFirstQueryTimeout while the table is more than half full, see
// pressLocked) and arrive whole within ReadTimeout; each answer must be
// written within WriteTimeout.
func (s *Server) serveConn(tc *tcpConn, client netip.AddrPort, accepted time.Time) {
	defer s.release(tc)
	c := tc.conn
	var server netip.AddrPort
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		server = a.AddrPort()
	}
	var length [2]byte
	for q := 0; ; q++ {
		lim := s.h.limits.Load() // limits changed by SetLimits apply from the next query on
		if lim.maxTCPQueries > 0 && q >= lim.maxTCPQueries || s.isStopping() {
			return
		}
		if q == 0 {
			// The whole first query, from the accept on.
			c.SetReadDeadline(accepted.Add(lim.firstTO))
			if _, err := io.ReadFull(c, length[:]); err != nil {
				return
			}
		} else {
			// Waiting from here on: pressLocked may cut the wait. The
			// table is read again after the deadline is set, in case
			// pressLocked ran in between and its cut was overwritten.
			tc.waiting.Store(true)
			pressed := s.pressed(lim)
			c.SetReadDeadline(time.Now().Add(s.idleWait(lim, pressed)))
			if !pressed && s.pressed(lim) {
				c.SetReadDeadline(time.Now().Add(s.idleWait(lim, true)))
			}
			_, err := io.ReadFull(c, length[:1])
			tc.waiting.Store(false)
			if err != nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(lim.readTO))
			if _, err := io.ReadFull(c, length[1:]); err != nil {
				return
			}
		}
		if !s.query(tc, client, server, int(binary.BigEndian.Uint16(length[:]))) {
			return
		}
	}
}

// pressed reports whether more than half the connection table is open:
// then connections wait for their next query no longer than
// TCPFirstQueryTimeout, as NSD cuts its timeouts under pressure.
func (s *Server) pressed(lim *limits) bool {
	return int(s.nconns.Load()) > lim.maxTCPConns/2
}

// idleWait is how long a connection waits for its next query.
func (s *Server) idleWait(lim *limits, pressed bool) time.Duration {
	if pressed {
		return min(lim.tcpIdle, lim.firstTO)
	}
	return lim.tcpIdle
}

// query reads one query of n octets from client on tc and writes its
// answer. It reports whether the connection is still usable. server, the
// connection's local address, is for the query log.
func (s *Server) query(tc *tcpConn, client, server netip.AddrPort, n int) bool {
	c := tc.conn
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
	// Read whole: the connection is not evicted while the answer is
	// made. Its write is not protected: a client that does not read
	// must not hold a slot that way (it is the newest then, and the
	// last to go).
	tc.busy.Store(true)
	reply := s.h.respond(out[2:], in, client.Addr(), true)
	tc.busy.Store(false)
	if reply == nil {
		return false // no reply to garbage: the connection is closed
	}
	now := time.Now()
	tc.since.Store(now.UnixNano()) // its last answer: what eviction measures idleness from
	c.SetWriteDeadline(now.Add(s.h.limits.Load().writeTO))
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
