package dns

import (
	"errors"
	"net"
	"net/netip"
	"time"

	mdns "github.com/miekg/dns"
)

// serveUDP reads queries from one socket and answers each before reading
// the next; several goroutines may serve one socket.
func (s *Server) serveUDP(u *udpSocket) {
	defer s.wg.Done()
	in := make([]byte, maxTCPSize)
	out := make([]byte, maxTCPSize+1)
	for {
		var (
			n    int
			from netip.AddrPort
			sess *mdns.SessionUDP
			err  error
		)
		if u.oob {
			n, sess, err = mdns.ReadFromSessionUDP(u.conn, in)
			if err == nil {
				from = sess.RemoteAddr().(*net.UDPAddr).AddrPort()
			}
		} else {
			n, from, err = u.conn.ReadFromUDPAddrPort(in)
		}
		if err != nil {
			if s.isStopping() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.cfg.Logger.Warn("udp read failed", "addr", u.conn.LocalAddr(), "error", err)
			time.Sleep(10 * time.Millisecond) // do not spin on a persistent error
			continue
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
	}
}
