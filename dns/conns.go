package dns

import (
	"net"
	"net/netip"
	"sync/atomic"
	"time"
)

// tcpConn is one open TCP connection in the Server's table.
type tcpConn struct {
	conn   net.Conn
	prefix netip.Prefix // the client's prefix (MaxTCPConnsPerPrefix counts by it)
	// since is when the connection last did something useful, in Unix
	// nanoseconds: accepted, or its last answer written. The connection
	// idle longest is the one evicted first.
	since atomic.Int64
	// busy is set while the answer to a query read whole is made: such
	// a connection is not evicted.
	busy atomic.Bool
	// waiting is set while the connection waits for the first octet of
	// its next query (after an answer), under TCPIdleTimeout.
	waiting atomic.Bool
}

// Why a connection was evicted: the indexes of counters.tcpEvicted.
const (
	evictFull   = iota // the table was full
	evictPrefix        // the client's prefix had its share
	numEvictReasons
)

var evictReasonNames = [numEvictReasons]string{"full", "prefix"}

// clientPrefix returns the prefix of addr that connections are counted
// by: its first v4 bits for IPv4 (IPv4-mapped included), v6 for IPv6.
func clientPrefix(addr netip.Addr, v4, v6 int) netip.Prefix {
	addr = addr.Unmap()
	bits := v6
	if addr.Is4() {
		bits = v4
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return netip.PrefixFrom(addr, addr.BitLen())
	}
	return p
}

// admit registers a new connection from client, making room when needed
// (gdnsd's policy, per prefix as well): when client's prefix has
// MaxTCPConnsPerPrefix connections, that prefix's connection idle
// longest is closed; when the table has MaxTCPConns, the table's. A
// connection whose answer is being made is not closed. admit returns nil when
// there is no room (every candidate is busy) or the server is stopping,
// and whether it evicted a connection.
func (s *Server) admit(c net.Conn, client netip.Addr, now time.Time) (tc *tcpConn, evicted bool) {
	lim := s.h.limits.Load()
	tc = &tcpConn{conn: c, prefix: clientPrefix(client, lim.tcpPrefix4, lim.tcpPrefix6)}
	tc.since.Store(now.UnixNano())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return nil, false
	}
	if s.prefixes[tc.prefix] >= lim.maxTCPPerPrefix {
		if !s.evictLocked(tc.prefix, true, evictPrefix) {
			return nil, false
		}
		evicted = true
	}
	if len(s.conns) >= lim.maxTCPConns {
		if !s.evictLocked(tc.prefix, false, evictFull) {
			return nil, evicted
		}
		evicted = true
	}
	s.conns[c] = tc
	s.prefixes[tc.prefix]++
	s.nconns.Store(int32(len(s.conns)))
	s.wg.Add(1)
	if len(s.conns) == lim.maxTCPConns/2+1 {
		s.pressLocked(lim, now)
	}
	return tc, evicted
}

// pressLocked cuts the wait of every connection waiting for its next
// query to TCPFirstQueryTimeout from now, when that is sooner than its
// TCPIdleTimeout: the table has just become more than half full (NSD's
// policy). Connections that start waiting while it stays so are cut by
// serveConn.
func (s *Server) pressLocked(lim *limits, now time.Time) {
	cut := now.Add(lim.firstTO)
	for _, tc := range s.conns {
		if tc.waiting.Load() && time.Unix(0, tc.since.Load()).Add(lim.tcpIdle).After(cut) {
			tc.conn.SetReadDeadline(cut)
		}
	}
}

// evictLocked closes the connection idle longest, among those of prefix
// when inPrefix is set, and reports whether there was one to close. The
// closed connection leaves the table at once; its goroutine finds its
// read failed and returns.
func (s *Server) evictLocked(prefix netip.Prefix, inPrefix bool, reason int) bool {
	var oldest *tcpConn
	var oldestSince int64
	for _, tc := range s.conns {
		if inPrefix && tc.prefix != prefix || tc.busy.Load() {
			continue
		}
		if since := tc.since.Load(); oldest == nil || since < oldestSince {
			oldest, oldestSince = tc, since
		}
	}
	if oldest == nil {
		return false
	}
	s.dropLocked(oldest)
	oldest.conn.Close()
	s.stats.tcpEvicted[reason].Add(1)
	s.lastEvicted = oldest.prefix
	return true
}

// dropLocked removes tc from the table, once.
func (s *Server) dropLocked(tc *tcpConn) {
	if s.conns[tc.conn] != tc {
		return // evicted before
	}
	delete(s.conns, tc.conn)
	if n := s.prefixes[tc.prefix]; n > 1 {
		s.prefixes[tc.prefix] = n - 1
	} else {
		delete(s.prefixes, tc.prefix)
	}
	s.nconns.Store(int32(len(s.conns)))
}

// release closes tc and removes it from the table when it is still
// there.
func (s *Server) release(tc *tcpConn) {
	tc.conn.Close()
	s.mu.Lock()
	s.dropLocked(tc)
	s.mu.Unlock()
	if s.connDone != nil {
		s.connDone()
	}
	s.wg.Done()
}

// tcpPressureLog is the shortest time between two log lines about
// evicted and refused TCP connections.
const tcpPressureLog = 30 * time.Second

// logPressure logs, at most once per tcpPressureLog, how many TCP
// connections were evicted and refused since the last line, and the
// prefix of the last connection evicted.
func (s *Server) logPressure(now time.Time) {
	s.mu.Lock()
	if now.Sub(s.pressureLogged) < tcpPressureLog {
		s.mu.Unlock()
		return
	}
	s.pressureLogged = now
	var evicted uint64
	for i := range s.stats.tcpEvicted {
		evicted += s.stats.tcpEvicted[i].Load()
	}
	rejected := s.stats.tcpRejected.Load()
	prefix := s.lastEvicted
	dEvicted, dRejected := evicted-s.loggedEvicted, rejected-s.loggedRejected
	s.loggedEvicted, s.loggedRejected = evicted, rejected
	s.mu.Unlock()
	if dEvicted == 0 && dRejected == 0 {
		return
	}
	args := []any{"evicted", dEvicted, "refused", dRejected, "open", s.nconns.Load()}
	if prefix.IsValid() {
		args = append(args, "last_evicted_prefix", prefix.String())
	}
	s.cfg.Logger.Warn("tcp connection table full: idle connections evicted", args...)
}
