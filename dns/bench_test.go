package dns

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/geo/mmdb"
	"github.com/gslb/gslb/route"
	"github.com/gslb/gslb/zones"
)

// benchmarkQuery answers one query repeatedly through the handler, as a
// UDP socket's reader does (with a scratch of its own).
func benchmarkQuery(b *testing.B, msg []byte) {
	h := newTestHandler(b, fakeRouter{})
	out := make([]byte, maxTCPSize+1)
	src := netip.MustParseAddr("192.0.2.1")
	sc := h.newScratch() // a UDP reader's own scratch
	if reply, _ := h.respondWith(sc, out, msg, src, false); reply == nil {
		b.Fatal("no reply")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.respondWith(sc, out, msg, src, false)
	}
}

func BenchmarkStaticA(b *testing.B) {
	benchmarkQuery(b, query(b, "www.example.com.", mdns.TypeA, edns(1232, false)))
}

func BenchmarkStaticA0x20(b *testing.B) {
	benchmarkQuery(b, query(b, "wWw.ExamPle.cOm.", mdns.TypeA, edns(1232, false)))
}

func BenchmarkNXDomain(b *testing.B) {
	benchmarkQuery(b, query(b, "nope.example.com.", mdns.TypeA, edns(1232, false)))
}

func BenchmarkWildcard(b *testing.B) {
	benchmarkQuery(b, query(b, "foo.wild.example.com.", mdns.TypeA, edns(1232, false)))
}

func BenchmarkReferral(b *testing.B) {
	benchmarkQuery(b, query(b, "www.sub.example.com.", mdns.TypeA, edns(1232, false)))
}

func BenchmarkGSLBWithECS(b *testing.B) {
	benchmarkQuery(b, query(b, "geo.example.com.", mdns.TypeA, ecs("198.51.100.0/24")))
}

func BenchmarkTruncated(b *testing.B) {
	benchmarkQuery(b, query(b, "big.example.com.", mdns.TypeTXT, edns(1232, false)))
}

func BenchmarkFormErr(b *testing.B) {
	benchmarkQuery(b, query(b, "www.example.com.", mdns.TypeA, ecsRaw(0, 1, 24, 0, 1, 2)))
}

// BenchmarkParallelStaticA answers from every core at once, to show
// contention (pools, counters).
func BenchmarkParallelStaticA(b *testing.B) {
	h := newTestHandler(b, fakeRouter{})
	msg := query(b, "www.example.com.", mdns.TypeA, edns(1232, false))
	src := netip.MustParseAddr("192.0.2.1")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		out := make([]byte, maxTCPSize+1)
		for pb.Next() {
			h.respond(out, msg, src, false)
		}
	})
}

// BenchmarkUDPServer measures answers per second over loopback with one
// UDP socket read by GOMAXPROCS goroutines against GOMAXPROCS sockets
// bound with SO_REUSEPORT, each read by one goroutine. Clients run in the
// same process (closed loop, 8 per core), so the figures are relative.
//
// The wildcard variants listen on 0.0.0.0:0 and are asked on 127.0.0.1:
// each reply takes its query's destination as its source.
func BenchmarkUDPServer(b *testing.B) {
	for _, bc := range []struct {
		listen  string
		sockets int
	}{
		{"127.0.0.1:0", 1}, {"127.0.0.1:0", runtime.GOMAXPROCS(0)},
		{"0.0.0.0:0", 1}, {"0.0.0.0:0", runtime.GOMAXPROCS(0)},
	} {
		name := fmt.Sprintf("sockets=%d", bc.sockets)
		if bc.listen == "0.0.0.0:0" {
			name = "wildcard/" + name
		}
		sockets := bc.sockets
		b.Run(name, func(b *testing.B) {
			set := loadZones(b)
			s := NewServer(Config{
				Listen:     []string{bc.listen},
				UDPSockets: sockets,
				Zones:      ZonesFunc(func() *zones.Set { return set }),
				Logger:     slog.New(slog.DiscardHandler),
			})
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() { errc <- s.Serve(ctx) }()
			select {
			case <-s.Ready():
			case err := <-errc:
				b.Fatal(err)
			}
			defer func() { cancel(); <-errc }()
			addr := net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), s.Addrs()[0].Port()))
			msg := query(b, "www.example.com.", mdns.TypeA, edns(1232, false))
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				c, err := net.DialUDP("udp", nil, addr)
				if err != nil {
					b.Error(err)
					return
				}
				defer c.Close()
				buf := make([]byte, 1500)
				for pb.Next() {
					// A query lost on a busy machine (a full receive buffer)
					// is sent again, as a resolver does, a few times.
					for try := 0; ; try++ {
						if _, err := c.Write(msg); err != nil {
							b.Error(err)
							return
						}
						c.SetReadDeadline(time.Now().Add(time.Second))
						_, err := c.Read(buf)
						if err == nil {
							break
						}
						if try == 3 {
							b.Error(err)
							return
						}
					}
				}
			})
		})
	}
}

// BenchmarkGeoECS answers a geo-routed name with ECS through the handler
// with the server's real router: the sample GeoIP database, the example
// zone's seven-datacenter pool and a precomputed ranking table.
func BenchmarkGeoECS(b *testing.B) {
	cfg, err := config.Load("../testdata/example/gslb.toml")
	if err != nil {
		b.Fatal(err)
	}
	st := zones.NewStore(cfg, ParseRecord, nil, nil)
	if err := st.Reload(); err != nil {
		b.Fatal(err)
	}
	db, err := mmdb.Open(cfg.GeoIP.City, cfg.GeoIP.ASN, nil)
	if err != nil {
		b.Fatal(err)
	}
	r := route.New(route.Options{Geo: db})
	r.Update(st.Current())
	r.Rebuild()
	c := Config{Zones: st, Router: r, Logger: slog.New(slog.DiscardHandler)}.withDefaults()
	h := newHandler(&c, new(counters))
	msg := query(b, "www.example.com.", mdns.TypeA, ecs("203.0.113.0/24"))
	out := make([]byte, maxTCPSize+1)
	src := netip.MustParseAddr("198.51.100.53")
	sc := h.newScratch() // a UDP reader's own scratch
	reply, _ := h.respondWith(sc, out, msg, src, false)
	var m mdns.Msg
	if err := m.Unpack(reply); err != nil || len(m.Answer) != 1 || m.Answer[0].(*mdns.A).A.String() != "203.0.113.10" {
		b.Fatalf("reply %v: %v", err, m.Answer)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.respondWith(sc, out, msg, src, false)
	}
}

// BenchmarkTCPServer measures answers per second over loopback TCP:
// 8 clients per core, each on its own connection, sending one query at a
// time (closed loop). The connection table's bookkeeping is on this path.
func BenchmarkTCPServer(b *testing.B) {
	set := loadZones(b)
	s := NewServer(Config{
		Listen: []string{"127.0.0.1:0"},
		Zones:  ZonesFunc(func() *zones.Set { return set }),
		Logger: slog.New(slog.DiscardHandler),
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		b.Fatal(err)
	}
	defer func() { cancel(); <-errc }()
	addr := s.Addrs()[0].String()
	msg := query(b, "www.example.com.", mdns.TypeA, edns(1232, false))
	framed := append([]byte{byte(len(msg) >> 8), byte(len(msg))}, msg...)
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		buf := make([]byte, 1500)
		for pb.Next() {
			if _, err := c.Write(framed); err != nil {
				b.Error(err)
				return
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Second)) // generous: valgrind runs it many times slower
			if _, err := io.ReadFull(c, buf[:2]); err != nil {
				b.Error(err)
				return
			}
			if _, err := io.ReadFull(c, buf[:int(buf[0])<<8|int(buf[1])]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
