package dns

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"time"

	mdns "github.com/miekg/dns"
)

// serveUDP reads queries from one socket and answers them; several
// goroutines may serve one socket. On Linux every socket is read and
// answered in batches (recvmmsg/sendmmsg, see udpBatch): the goroutine
// that reads a batch answers each of its queries in turn and sends the
// replies with one system call, so that a busy server makes two system
// calls per batch instead of two per query, and an idle one answers each
// query as soon as it comes (a batch of one). On a socket bound to a
// wildcard address the batch also reads each query's destination and
// sends the reply from it (pktinfo_linux.go). Elsewhere sockets are served
// one datagram at a time, a wildcard one through miekg/dns's sessions,
// which do the same with the destination.
func (s *Server) serveUDP(u *udpSocket) {
	defer s.wg.Done()
	if b := newUDPBatch(u); b != nil {
		s.serveUDPBatch(u, b)
		return
	}
	in := make([]byte, maxTCPSize)
	out := make([]byte, maxTCPSize+1)
	for {
		var (
			n    int
			from netip.AddrPort
			sess *mdns.SessionUDP
			err  error
		)
		s.drainDeadline(u)
		if u.oob {
			n, sess, err = mdns.ReadFromSessionUDP(u.conn, in)
			if err == nil {
				from = sess.RemoteAddr().(*net.UDPAddr).AddrPort()
			}
		} else {
			n, from, err = u.conn.ReadFromUDPAddrPort(in)
		}
		if err != nil {
			if s.readFailed(u, err) {
				return
			}
			continue
		}
		var qtime time.Time
		t := s.tap.Load()
		if t != nil {
			qtime = time.Now()
		}
		reply := s.h.respond(out, in[:n], from.Addr(), false)
		if reply == nil {
			continue
		}
		if u.oob {
			_, err = mdns.WriteToSessionUDP(u.conn, reply, sess)
		} else {
			_, err = u.conn.WriteToUDPAddrPort(reply, from)
		}
		_ = err // the client is gone or unreachable: nothing to do
		if t != nil {
			t.add(false, from, u.local, qtime, time.Now(), in[:n], reply)
		}
	}
}

// serveUDPBatch serves u reading and answering batches of datagrams.
// With a query log, the queries of a batch share the time it was read and
// their replies the time they were sent.
func (s *Server) serveUDPBatch(u *udpSocket, b *udpBatch) {
	defer b.close()
	sc := s.h.newScratch() // this reader's: no pool round trip per query
	var (
		replies [udpBatchSize][]byte // for the query log
		qtime   time.Time
	)
	for {
		s.drainDeadline(u)
		n, err := b.read()
		if err != nil && s.isStopping() && errors.Is(err, os.ErrDeadlineExceeded) {
			// The drain's deadline can pass while this reader waits for
			// a CPU rather than for datagrams (a loaded machine): it
			// returns only once a read of its own finds the socket empty.
			if n, err = b.readNow(); err == nil && n == 0 {
				return
			}
		}
		if err != nil {
			if s.readFailed(u, err) {
				return
			}
			continue
		}
		t := s.tap.Load()
		if t != nil {
			qtime = time.Now()
		}
		for i := range n {
			msg, from, ok := b.query(i)
			if !ok {
				continue
			}
			reply, reuse := s.h.respondWith(sc, b.outBuf(i), msg, from.Addr(), false)
			if !reuse {
				sc = s.h.newScratch()
			}
			if reply != nil {
				b.reply(i, reply)
			}
			if t != nil {
				replies[i] = reply
			}
		}
		_ = b.write() // only fails when the socket is closed: the next read says so
		if n < udpBatchSize {
			// The socket is likely empty: the next read may wait long
			// (for the socket or for another reader's turn), and the
			// scratch must not keep the zone set of its last answer
			// alive meanwhile (lastgslb.go). A full batch says more
			// queries are queued: keep it for them.
			sc.last = lastGSLB{}
		}
		if t != nil {
			tapBatch(t, u, b, n, qtime, &replies)
		}
	}
}

// tapBatch hands the n answered queries of a batch to the query log t.
func tapBatch(t *tap, u *udpSocket, b *udpBatch, n int, qtime time.Time, replies *[udpBatchSize][]byte) {
	rtime := time.Now()
	for i := range n {
		if replies[i] == nil {
			continue
		}
		msg, from, _ := b.query(i)
		t.add(false, from, u.local, qtime, rtime, msg, replies[i])
		replies[i] = nil
	}
}

// drainDeadline, once the server stops, gives the next read of u
// udpDrainIdle: the readers of a socket that no longer receives new
// datagrams answer every query queued on it and return once it has been
// empty that long.
func (s *Server) drainDeadline(u *udpSocket) {
	if s.isStopping() {
		u.conn.SetReadDeadline(time.Now().Add(udpDrainIdle))
	}
}

// readFailed handles a failed read of u and reports whether the reader
// must return: when the server stops or the socket is closed.
func (s *Server) readFailed(u *udpSocket, err error) bool {
	if s.isStopping() || errors.Is(err, net.ErrClosed) {
		return true
	}
	s.cfg.Logger.Warn("udp read failed", "addr", u.conn.LocalAddr(), "error", err)
	time.Sleep(10 * time.Millisecond) // do not spin on a persistent error
	return false
}
