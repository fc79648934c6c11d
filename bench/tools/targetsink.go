package main

import (
	"bufio"
	"errors"
	"net"
	"net/netip"
	"sort"
	"sync"
	"time"
)

// probeSink is the target of every health probe of the targets benchmark:
// one TCP listener on 0.0.0.0:PORT answers for every 127.x.y.z address (all
// of 127/8 is local on Linux). It records when each address was probed (the
// local address of the accepted connection). In http mode it reads the
// request and answers 200, except for the hanging addresses, whose
// connections are accepted and never answered (the probe ends at its
// timeout).
type probeSink struct {
	ln   net.Listener
	http bool
	hang func(netip.Addr) bool

	mu       sync.Mutex
	arrivals map[netip.Addr][]time.Time
}

// newProbeSink listens on addr (0.0.0.0:PORT) and serves until Close.
func newProbeSink(addr string, http bool, hang func(netip.Addr) bool) (*probeSink, error) {
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		return nil, err
	}
	s := &probeSink{ln: ln, http: http, hang: hang, arrivals: map[netip.Addr][]time.Time{}}
	go s.serve()
	return s, nil
}

func (s *probeSink) Close() error { return s.ln.Close() }

func (s *probeSink) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		now := time.Now()
		local := c.LocalAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
		s.mu.Lock()
		s.arrivals[local] = append(s.arrivals[local], now)
		s.mu.Unlock()
		go s.handle(c, local)
	}
}

// handle answers one probe: tcp closes at once; http reads the request
// head and answers 200, or for a hanging address holds the connection
// until the prober gives up (bounded at 30 s).
func (s *probeSink) handle(c net.Conn, local netip.Addr) {
	defer c.Close()
	if !s.http {
		return
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if line == "\r\n" || line == "\n" {
			break
		}
	}
	if s.hang(local) {
		r.ReadByte() // until the prober closes (its timeout) or the deadline
		return
	}
	c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
}

// sinkStats are the probes seen in a window [from, to).
type sinkStats struct {
	probes    int             // probes that arrived in the window
	addresses int             // distinct addresses probed in the window
	late      []time.Duration // per consecutive pair ending in the window: gap - interval
	busiest   int             // most probes that arrived in one 100 ms of the window
}

// stats returns the probes of the window; late holds, for every probe of
// the window that had a predecessor, how much later than one interval
// after the previous probe of its address it arrived.
func (s *probeSink) stats(from, to time.Time, interval time.Duration) sinkStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st sinkStats
	buckets := map[time.Duration]int{}
	for _, ts := range s.arrivals {
		seen := false
		for i, t := range ts {
			if t.Before(from) || !t.Before(to) {
				continue
			}
			st.probes++
			seen = true
			buckets[t.Sub(from)/(100*time.Millisecond)]++
			if i > 0 {
				st.late = append(st.late, t.Sub(ts[i-1])-interval)
			}
		}
		if seen {
			st.addresses++
		}
	}
	for _, c := range buckets {
		st.busiest = max(st.busiest, c)
	}
	sort.Slice(st.late, func(i, j int) bool { return st.late[i] < st.late[j] })
	return st
}

// quantile returns the q-quantile of sorted durations (0 when empty).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return sorted[i]
}
