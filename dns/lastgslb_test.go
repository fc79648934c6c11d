package dns

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/zones"
)

// TestLastGSLBFollowsZoneSet: the geo-routed name remembered from the
// query before is not used once another zone set serves: a reload that
// changes the pool's addresses is answered at the next query, from the
// same handler and scratch.
func TestLastGSLBFollowsZoneSet(t *testing.T) {
	before := loadZones(t)
	cfg, err := config.Load(testConfig)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cfg.ZonesDir, "example.com.toml")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), `addresses = ["192.0.2.10", "2001:db8:10::10"]`, `addresses = ["192.0.2.99", "2001:db8:10::10"]`, 1)
	if edited == string(src) {
		t.Fatal("the test zone's pool changed: update this test")
	}
	z, err := zones.Compile(path, []byte(edited), cfg, ParseRecord, zones.CompileOptions{Serial: 2})
	if err != nil {
		t.Fatal(err)
	}
	after := zones.NewSet([]*zones.Zone{z})

	var cur atomic.Pointer[zones.Set]
	cur.Store(before)
	c := Config{Zones: ZonesFunc(cur.Load), Router: fakeRouter{}, Logger: slog.New(slog.DiscardHandler)}.withDefaults()
	h := newHandler(&c, new(counters))
	out := make([]byte, maxTCPSize+1)
	ask := func() string {
		t.Helper()
		var m mdns.Msg
		reply := h.respond(out, query(t, "geo.example.com.", mdns.TypeA), netip.MustParseAddr("192.0.2.1"), false)
		if err := m.Unpack(reply); err != nil || len(m.Answer) != 1 {
			t.Fatalf("reply %v: %v", err, m.Answer)
		}
		return m.Answer[0].(*mdns.A).A.String()
	}
	for range 3 {
		if got := ask(); got != "192.0.2.10" {
			t.Fatalf("before the reload: %s, want 192.0.2.10", got)
		}
	}
	cur.Store(after)
	for range 3 {
		if got := ask(); got != "192.0.2.99" {
			t.Fatalf("after the reload: %s, want 192.0.2.99", got)
		}
	}
}

// TestLastGSLBForgetsReplacedSet: a scratch drops what it remembers from
// a zone set that no longer serves (and keeps what the serving one gave).
func TestLastGSLBForgetsReplacedSet(t *testing.T) {
	set := loadZones(t)
	var l lastGSLB
	var a zones.Answer
	l.lookup(set, "geo.example.com.", mdns.TypeA, &a)
	if a.Outcome != zones.GSLB || l.set != set {
		t.Fatalf("lookup: outcome %v, remembered set %p, want GSLB from %p", a.Outcome, l.set, set)
	}
	l.forgetUnless(set)
	if l.set != set {
		t.Fatal("forgot what the serving set gave")
	}
	l.forgetUnless(zones.NewSet(nil))
	if l != (lastGSLB{}) {
		t.Fatalf("remembers %+v from a replaced set", l)
	}
	// A static name is not remembered.
	a.Reset()
	l.lookup(set, "www.example.com.", mdns.TypeA, &a)
	if l.set != nil {
		t.Fatalf("remembered %+v for a static name", l)
	}
}

// TestIdleReaderForgetsZoneSet: a UDP reader that answered a geo-routed
// name and then waits for queries does not keep the zone set of that
// answer alive once another one serves: a replaced set of a million
// records must not stay in memory because a socket went quiet.
func TestIdleReaderForgetsZoneSet(t *testing.T) {
	var cur atomic.Pointer[zones.Set]
	cur.Store(loadZones(t))
	old := weak.Make(cur.Load())
	s := NewServer(Config{Listen: []string{"127.0.0.1:0"}, UDPSockets: 1, Zones: ZonesFunc(cur.Load),
		Router: fakeRouter{}, Logger: slog.New(slog.DiscardHandler)})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx) }()
	defer func() { cancel(); <-errc }()
	<-s.Ready()

	c, err := net.Dial("udp", s.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 512)
	for range 3 {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write(query(t, "geo.example.com.", mdns.TypeA)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	cur.Store(loadZones(t)) // a reload; the reader waits for its next query
	for deadline := time.Now().Add(10 * time.Second); old.Value() != nil; {
		if time.Now().After(deadline) {
			t.Fatal("the replaced zone set is still referenced by a waiting reader")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the reader reaches its wait
	}
}
