package dns

import (
	"net"
	"net/netip"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// A socket bound to a wildcard address is read and answered in batches on
// Linux, and every reply must leave from the address its query was sent
// to. The tests send queries to two loopback addresses, 127.0.0.1 and
// 127.0.0.2 (all of 127/8 is the loopback interface's on Linux), and to
// ::1, from unconnected client sockets that read each reply's source.
//
// The IPv6 cases need a kernel with IPv6 sockets and ::1 on the loopback
// interface: hasIPv6 tells. Where it says no, the [::] and ::1 cases are
// left out of the tables (the IPv4 ones still run and must pass); this
// machine's CI has IPv6, so they run there.

// hasIPv6 reports whether this kernel opens IPv6 sockets on ::1.
func hasIPv6() bool {
	c, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// wildcardCases are the wildcard listen addresses and the destinations
// the queries are sent to.
func wildcardCases() []struct {
	listen string
	dsts   []string
} {
	cases := []struct {
		listen string
		dsts   []string
	}{{"0.0.0.0:0", []string{"127.0.0.1", "127.0.0.2"}}}
	if hasIPv6() {
		// A dual-stack [::] socket: IPv4 queries come with v4-mapped
		// destinations, which must be the source of their replies too.
		cases = append(cases, struct {
			listen string
			dsts   []string
		}{"[::]:0", []string{"127.0.0.1", "127.0.0.2", "::1"}})
	}
	return cases
}

// wildcardClients returns one unconnected client socket per destination
// family, keyed by whether it is IPv4.
func wildcardClients(t *testing.T, dsts []string) map[bool]*net.UDPConn {
	t.Helper()
	conns := map[bool]*net.UDPConn{}
	for _, d := range dsts {
		is4 := netip.MustParseAddr(d).Is4()
		if conns[is4] != nil {
			continue
		}
		local := "127.0.0.1:0"
		if !is4 {
			local = "[::1]:0"
		}
		c, err := net.ListenPacket("udp", local)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[is4] = c.(*net.UDPConn)
	}
	return conns
}

// TestWildcardSocketReplySource serves a wildcard address and sends bursts
// of queries to each destination: every query gets exactly one reply, from
// the address it was sent to, and the handler sees the client's address.
func TestWildcardSocketReplySource(t *testing.T) {
	for _, tc := range wildcardCases() {
		t.Run(tc.listen, func(t *testing.T) {
			s, _ := startServer(t, Config{Listen: []string{tc.listen}, Router: echoRouter{}, UDPSockets: 1})
			port := s.Addrs()[0].Port()
			conns := wildcardClients(t, tc.dsts)
			const perDst, rounds = 100, 4
			total := 0
			for round := range rounds {
				// Queries are sent to the destinations in turn, so that one
				// batch holds queries to all of them.
				want := map[uint16]netip.AddrPort{}
				for k := range perDst * len(tc.dsts) {
					dst := netip.AddrPortFrom(netip.MustParseAddr(tc.dsts[k%len(tc.dsts)]), port)
					id := uint16(round*1000 + k)
					qtype := mdns.TypeA
					if dst.Addr().Is6() {
						qtype = mdns.TypeAAAA
					}
					m := msgFor("geo.example.com.", qtype)
					m.Id = id
					b, _ := m.Pack()
					if _, err := conns[dst.Addr().Is4()].WriteToUDPAddrPort(b, dst); err != nil {
						t.Fatal(err)
					}
					want[id] = dst
				}
				for is4, c := range conns {
					client := netip.MustParseAddrPort(c.LocalAddr().String()).Addr()
					c.SetReadDeadline(time.Now().Add(5 * time.Second))
					buf := make([]byte, 512)
					for range countFamily(want, is4) {
						n, from, err := c.ReadFromUDPAddrPort(buf)
						if err != nil {
							t.Fatalf("round %d: %d replies missing: %v", round, len(want), err)
						}
						var r mdns.Msg
						if err := r.Unpack(buf[:n]); err != nil {
							t.Fatal(err)
						}
						dst, ok := want[r.Id]
						if !ok {
							t.Fatalf("a reply with id %d, not asked or answered twice", r.Id)
						}
						delete(want, r.Id)
						if from.Addr().Unmap() != dst.Addr() || from.Port() != port {
							t.Errorf("query %d sent to %s: reply from %s", r.Id, dst, from)
						}
						if len(r.Answer) != 1 || answerAddr(r.Answer[0]) != client {
							t.Errorf("query %d: the handler saw the client as %v, want %s", r.Id, r.Answer, client)
						}
						total++
					}
				}
			}
			if st := s.Stats(); st.NoError != uint64(total) {
				t.Errorf("stats = %+v, want %d NOERROR", st, total)
			}
		})
	}
}

// countFamily returns how many of want's destinations are IPv4 (is4) or not.
func countFamily(want map[uint16]netip.AddrPort, is4 bool) int {
	n := 0
	for _, d := range want {
		if d.Addr().Is4() == is4 {
			n++
		}
	}
	return n
}

// answerAddr returns the address of an A or AAAA record.
func answerAddr(rr mdns.RR) netip.Addr {
	var a netip.Addr
	switch rr := rr.(type) {
	case *mdns.A:
		a, _ = netip.AddrFromSlice(rr.A.To4())
	case *mdns.AAAA:
		a, _ = netip.AddrFromSlice(rr.AAAA)
	}
	return a
}

// TestWildcardBatch reads queries already queued on a wildcard socket with
// one recvmmsg, so that the batch holds several (a full one), and checks
// that one sendmmsg sends each reply from its query's destination: for an
// IPv4 socket (IP_PKTINFO) and a dual-stack IPv6 one (IPV6_PKTINFO, with
// v4-mapped destinations for IPv4 queries).
func TestWildcardBatch(t *testing.T) {
	type tcase struct {
		network, listen string
		dsts            []string
	}
	cases := []tcase{{"udp4", "0.0.0.0:0", []string{"127.0.0.1", "127.0.0.2"}}}
	if hasIPv6() {
		cases = append(cases, tcase{"udp", "[::]:0", []string{"127.0.0.1", "::1", "127.0.0.2"}})
	}
	for _, tc := range cases {
		t.Run(tc.network+"/"+tc.listen, func(t *testing.T) {
			pc, err := net.ListenPacket(tc.network, tc.listen)
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			c := pc.(*net.UDPConn)
			u := &udpSocket{conn: c, oob: wildcard(c), local: c.LocalAddr().(*net.UDPAddr).AddrPort()}
			if !u.oob {
				t.Fatal("the socket did not take the destination control messages")
			}
			b := newUDPBatch(u)
			if b == nil || b.pkt == nil {
				t.Fatal("a wildcard socket has no batch with destinations")
			}
			defer b.close()
			conns := wildcardClients(t, tc.dsts)
			port := u.local.Port()
			const queued = udpBatchSize + 8
			for k := range queued {
				dst := netip.AddrPortFrom(netip.MustParseAddr(tc.dsts[k%len(tc.dsts)]), port)
				if _, err := conns[dst.Addr().Is4()].WriteToUDPAddrPort([]byte{byte(k)}, dst); err != nil {
					t.Fatal(err)
				}
			}
			// Each reply echoes its query; the whole of it is expected
			// from the destination of the query.
			got := 0
			for got < queued {
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				n, err := b.read()
				if err != nil {
					t.Fatalf("read after %d datagrams: %v", got, err)
				}
				if got == 0 && n != udpBatchSize {
					t.Errorf("the first batch read %d datagrams, want %d (all queued)", n, udpBatchSize)
				}
				for i := range n {
					msg, _, ok := b.query(i)
					if !ok {
						t.Fatalf("datagram %d: no address", i)
					}
					out := b.outBuf(i)
					b.reply(i, append(out[:0], msg...))
				}
				if err := b.write(); err != nil {
					t.Fatal(err)
				}
				got += n
			}
			for is4, cl := range conns {
				cl.SetReadDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 16)
				for k := range queued {
					if netip.MustParseAddr(tc.dsts[k%len(tc.dsts)]).Is4() != is4 {
						continue
					}
					n, from, err := cl.ReadFromUDPAddrPort(buf)
					if err != nil {
						t.Fatalf("reply to query %d: %v", k, err)
					}
					k := int(buf[0])
					want := netip.AddrPortFrom(netip.MustParseAddr(tc.dsts[k%len(tc.dsts)]), port)
					if n != 1 || from.Addr().Unmap() != want.Addr() || from.Port() != port {
						t.Errorf("reply to query %d (%d octets) from %s, want from %s", k, n, from, want)
					}
				}
			}
		})
	}
}
