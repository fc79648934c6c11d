package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
)

// freePort returns a loopback port free now, found by binding and
// closing (tests only: the gossip address must be known to the peers
// before the node starts).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestClusterMajorityOverDNS runs three servers, ns1 to ns3, whose probes
// come from 127.0.0.1, .2 and .3 (ns1's peers list itself, as when every
// node has the same list). The ams backend fails the probes of some
// sources only: seen down by one node it stays up everywhere; seen
// down by two, every node sends ams's clients to iad, ns1 too, which
// sees ams up. A drain set on ns3 then applies on ns1.
func TestClusterMajorityOverDNS(t *testing.T) {
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
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		bad := failing[netip.MustParseAddrPort(r.RemoteAddr).Addr()]
		mu.Unlock()
		if bad {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	ams, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ams.Addr().(*net.TCPAddr).Port
	iad, err := net.Listen("tcp", "127.0.0.2:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for ln, h := range map[net.Listener]http.Handler{ams: handler, iad: ok} {
		srv := &http.Server{Handler: h}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}

	fail("127.0.0.2")
	ns1Addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	var hs []*harness
	for i := 1; i <= 3; i++ {
		bind := ns1Addr
		if i > 1 {
			bind = "127.0.0.1:" + strconv.Itoa(freePort(t))
		}
		extra := fmt.Sprintf("source = \"127.0.0.%d\"\n[cluster]\nnode = \"ns%d\"\nbind = %q\npeers = [%q]\n", i, i, bind, ns1Addr)
		dir := t.TempDir()
		zone := fmt.Sprintf(e2eZone, "servfail")
		if i == 3 { // ns3 serves another version of the zone
			zone = strings.Replace(zone, `ttl = "1h"`, `ttl = "2h"`, 1)
		}
		writeSetup(t, dir, port, extra, zone)
		// The same mtime everywhere, as rsync -t keeps it: the derived
		// serials agree, and only ns3's content differs.
		mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := os.Chtimes(filepath.Join(dir, "zones", "example.com.toml"), mtime, mtime); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(filepath.Join(dir, "gslb.toml"))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Cluster == nil || cfg.Cluster.HealthQuorum != health.QuorumMajority {
			t.Fatalf("config of ns%d: cluster %+v", i, cfg.Cluster)
		}
		hs = append(hs, startConfig(t, cfg))
	}
	const amsClient = "192.0.2.0/24"
	for _, h := range hs {
		h.waitLog("joined the cluster")
	}
	hs[2].waitLog("cluster member alive")
	// ns1 started alone and said so, then had peers.
	hs[0].waitLog(`msg="no live cluster peer: health is decided from this node's own view"`)
	hs[0].waitLog(`msg="cluster peers live again: health is decided by quorum"`)

	// ns2 sees ams down: a minority, so ams keeps its clients on every node.
	hs[1].waitLog(`msg="target down" component=health target=web/127.0.0.1`)
	for _, h := range hs {
		h.waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	}

	// ns2 and ns3 see it down: a majority, so every node fails over.
	fail("127.0.0.2", "127.0.0.3")
	for _, h := range hs {
		h.waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	}
	hs[0].waitLog(`msg="effective status down" component=health target=web/127.0.0.1 local=up`)

	// ns1's status shows the members, every node's verdict and the zone
	// that ns3 serves in another version.
	hs[0].waitLog(`msg="a peer serves another version of a zone`)
	st, err := (&control.Client{Addr: hs[0].run.Control}).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cs := st.Cluster
	if cs == nil || cs.Node != "ns1" || cs.Alone || len(cs.Members) != 3 {
		t.Fatalf("status cluster = %+v, want ns1 with three members", cs)
	}
	for _, m := range cs.Members {
		if m.State != "alive" || m.Self != (m.Name == "ns1") {
			t.Errorf("member %+v, want alive", m)
		}
	}
	amsTarget := health.Target{Check: "web", Addr: netip.MustParseAddr("127.0.0.1")}
	var found bool
	for _, ct := range cs.Targets {
		if ct.Target != amsTarget {
			continue
		}
		found = true
		if ct.Effective != health.Down || ct.Local != health.Up || ct.Down != 2 || len(ct.Verdicts) != 3 {
			t.Errorf("status of %s = %+v, want down by 2 votes, up here, three verdicts", amsTarget, ct)
		}
	}
	if !found {
		t.Errorf("status lacks %s: %+v", amsTarget, cs.Targets)
	}
	if z := cs.Zones; len(z) != 1 || z[0].Origin != "example.com." || z[0].Node != "ns3" || z[0].Hash == z[0].PeerHash {
		t.Errorf("zone differences = %+v, want example.com. on ns3", z)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"status", "-control", hs[0].run.Control}, &out, &errOut); code != 0 {
		t.Fatalf("gslb status: exit %d\n%s", code, &errOut)
	}
	for _, want := range []string{"cluster: node ns1, health_quorum majority\n", "ns1 (self)  alive", "web/127.0.0.1  up     down", "ns1=up ns2=down ns3=down", "zone example.com. differs on ns3"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("gslb status lacks %q:\n%s", want, &out)
		}
	}

	// All see it up again; a drain set on ns3 moves ns1's clients, and
	// its clear on ns2 brings them back.
	fail()
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	admin := func(h *harness, args ...string) {
		t.Helper()
		var out, errOut bytes.Buffer
		args = append([]string{"admin", "-control", h.run.Control}, args...)
		if code := run(args, &out, &errOut); code != 0 {
			t.Fatalf("gslb %s: exit %d\n%s%s", strings.Join(args, " "), code, &out, &errOut)
		}
	}
	admin(hs[2], "drain", "ams", "-reason", "cluster test")
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	hs[1].waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	admin(hs[1], "clear", "ams")
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.1")
}
