package monitor

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/cluster"
)

var _ Cluster = (*cluster.Cluster)(nil)

// vantage is one node of a test cluster: a monitor probing from its own
// source address, on a real cluster.
type vantage struct {
	mon *Monitor
	cl  *cluster.Cluster
}

// startVantage starts a cluster node and its monitor probing tg with
// check c sent from src.
func startVantage(t *testing.T, name string, src netip.Addr, tg health.Target, c health.Check, peers ...string) *vantage {
	t.Helper()
	logger, _ := newLogger()
	cl, err := cluster.New(cluster.Config{
		Node: name, Bind: "127.0.0.1:0", Peers: peers, Key: bytes.Repeat([]byte{9}, 16),
		Staleness: 5 * time.Second, Refresh: 200 * time.Millisecond, JoinRetry: 100 * time.Millisecond,
		ProbeInterval: 100 * time.Millisecond, ProbeTimeout: 50 * time.Millisecond,
		GossipInterval: 20 * time.Millisecond, PushPullInterval: 500 * time.Millisecond, SuspicionMult: 2,
		Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cl.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	c.Source = src
	m := mustNew(t, Options{Cluster: cl, ClusterRefresh: 50 * time.Millisecond, Logger: logger})
	m.SetTargets(map[health.Target]health.Check{tg: c})
	run(t, m)
	return &vantage{mon: m, cl: cl}
}

// TestClusterQuorumOverHTTP runs three nodes that probe one HTTP server
// from 127.0.0.1, .2 and .3; the server fails the probes of some sources.
func TestClusterQuorumOverHTTP(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.3:0"); err != nil {
		t.Skipf("cannot bind 127.0.0.3: %v", err)
	} else {
		ln.Close()
	}
	var mu sync.Mutex
	failing := map[netip.Addr]bool{}
	fail := func(addrs ...string) {
		mu.Lock()
		defer mu.Unlock()
		clear(failing)
		for _, a := range addrs {
			failing[netip.MustParseAddr(a)] = true
		}
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		bad := failing[netip.MustParseAddrPort(r.RemoteAddr).Addr()]
		mu.Unlock()
		if bad {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer ts.Close()
	tg, c := httpTarget(t, ts)
	c.Interval, c.Timeout, c.Rise, c.Fall = 100*time.Millisecond, 95*time.Millisecond, 1, 1

	fail("127.0.0.2")
	n1 := startVantage(t, "ns1", netip.MustParseAddr("127.0.0.1"), tg, c)
	n2 := startVantage(t, "ns2", netip.MustParseAddr("127.0.0.2"), tg, c, n1.cl.Addr().String())
	n3 := startVantage(t, "ns3", netip.MustParseAddr("127.0.0.3"), tg, c, n1.cl.Addr().String())
	all := []*vantage{n1, n2, n3}

	// Seen down by ns2 only: up everywhere, ns2 included.
	for _, v := range all {
		waitSnapshot(t, v.mon, "up from three votes", func(*health.Snapshot) bool {
			m := v.mon.Merged()[tg]
			return m.Status == health.Up && m.Up == 2 && m.Down == 1
		})
	}
	// A probe late on a loaded machine may flip a node's own view for an
	// interval: what must hold is waited for, not sampled once.
	waitFor(t, "ns2's own status down", func() bool {
		st, _ := n2.mon.State(tg)
		return st.State.Status == health.Down
	})

	// Seen down by ns2 and ns3: down everywhere, ns1 included.
	fail("127.0.0.2", "127.0.0.3")
	for _, v := range all {
		waitStatus(t, v.mon, tg, health.Down)
	}
	waitFor(t, "ns1's own up overruled", func() bool {
		m := n1.mon.Merged()[tg]
		return m.Overruled && m.Status == health.Down
	})

	// A drain set on ns1 reaches the others; its clear on ns3 reaches all.
	drain := health.Override{Datacenter: "fra", Action: health.Drain, Reason: "test"}
	if err := n1.mon.SetOverride(drain); err != nil {
		t.Fatal(err)
	}
	drained := func(s *health.Snapshot) bool {
		_, ok := s.Override("", "fra", netip.Addr{}, time.Now())
		return ok
	}
	for _, v := range all {
		waitSnapshot(t, v.mon, "the drain", drained)
	}
	if err := n3.mon.ClearOverride(drain.Key()); err != nil {
		t.Fatal(err)
	}
	for _, v := range all {
		waitSnapshot(t, v.mon, "the drain cleared", func(s *health.Snapshot) bool { return !drained(s) })
	}
}
