package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/cluster"
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

// amsClient is a client network that ams serves first (iad second).
const amsClient = "192.0.2.0/24"

// amsTarget is the ams backend as the health checks name it.
var amsTarget = health.Target{Check: "web", Addr: netip.MustParseAddr("127.0.0.1")}

// trio is a cluster of three gslb servers in the test process, ns1 to
// ns3, whose probes come from 127.0.0.1, .2 and .3 (every node lists ns1
// as its peer, ns1 itself too, as when every node has the same list).
// The ams backend (127.0.0.1) answers 503 to the probes of the sources
// given to fail; iad (127.0.0.2) is always up.
type trio struct {
	t     *testing.T
	cfgs  [3]*config.Config
	cuts  [3]*cluster.Partition
	hs    [3]*harness
	fast  bool // short gossip timings (see start)
	mu    sync.Mutex
	bad   map[netip.Addr]bool
	dirs  [3]string
	binds [3]string
}

// newTrio writes the three nodes' setups (zone(i) gives node i's zone
// file); with keys, node i's gossip key is 32 bytes of keys[i]. start
// runs them.
func newTrio(t *testing.T, fast bool, zone func(i int) string, keys ...byte) *trio {
	t.Helper()
	if ln, err := net.Listen("tcp", "127.0.0.3:0"); err != nil {
		t.Fatalf("cannot bind 127.0.0.3 (Linux routes 127/8 to lo): %v", err)
	} else {
		ln.Close()
	}
	tr := &trio{t: t, fast: fast, bad: map[netip.Addr]bool{}}
	// ams and iad share a port (the check's); one free on 127.0.0.1 may
	// be taken on 127.0.0.2: try another.
	var ams, iad net.Listener
	var port int
	for try := 0; iad == nil; try++ {
		var err error
		if ams, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		port = ams.Addr().(*net.TCPAddr).Port
		if iad, err = net.Listen("tcp", "127.0.0.2:"+strconv.Itoa(port)); err != nil {
			ams.Close()
			if try == 10 {
				t.Fatal(err)
			}
		}
	}
	amsHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		bad := tr.bad[netip.MustParseAddrPort(r.RemoteAddr).Addr()]
		tr.mu.Unlock()
		if bad {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for ln, h := range map[net.Listener]http.Handler{ams: amsHandler, iad: ok} {
		srv := &http.Server{Handler: h}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
	}
	for i := range 3 {
		tr.binds[i] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	}
	for i := range 3 {
		tr.dirs[i] = t.TempDir()
		cl := fmt.Sprintf("source = \"127.0.0.%d\"\n[cluster]\nnode = \"ns%d\"\nbind = %q\npeers = [%q]\n", i+1, i+1, tr.binds[i], tr.binds[0])
		if keys != nil {
			cl += "key_file = \"cluster.key\"\n"
			writeKey(t, filepath.Join(tr.dirs[i], "cluster.key"), keys[i])
		}
		writeSetup(t, tr.dirs[i], port, cl, zone(i))
		// Probes with room for a loaded machine (three servers under -race,
		// a browser starting): a late answer must not read as down.
		relax(t, filepath.Join(tr.dirs[i], "gslb.toml"), `interval = "300ms"`+"\n"+`timeout = "280ms"`, `interval = "500ms"`+"\n"+`timeout = "450ms"`)
		// The same mtime everywhere, as rsync -t keeps it: derived serials
		// agree.
		mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := os.Chtimes(filepath.Join(tr.dirs[i], "zones", "example.com.toml"), mtime, mtime); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(filepath.Join(tr.dirs[i], "gslb.toml"))
		if err != nil {
			t.Fatal(err)
		}
		tr.cfgs[i] = cfg
		tr.cuts[i] = new(cluster.Partition)
	}
	return tr
}

// relax replaces old by new in the file at path, which must hold old.
func relax(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s lacks %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeKey writes a gossip key file of 32 bytes b.
func writeKey(t *testing.T, path string, b byte) {
	t.Helper()
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// fail makes ams answer 503 to the probes from addrs only.
func (tr *trio) fail(addrs ...string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	clear(tr.bad)
	for _, a := range addrs {
		tr.bad[netip.MustParseAddr(a)] = true
	}
}

// start runs node i (0 for ns1), again after a stop with the same state
// file and gossip address.
func (tr *trio) start(i int) *harness {
	tr.t.Helper()
	cut := tr.cuts[i]
	opts := serveOptions{Cluster: func(c *cluster.Config) {
		c.Partition = cut
		if tr.fast {
			c.Staleness, c.Refresh, c.JoinRetry = 3*time.Second, 200*time.Millisecond, 200*time.Millisecond
			c.ProbeInterval, c.ProbeTimeout = 200*time.Millisecond, 100*time.Millisecond
			c.GossipInterval, c.PushPullInterval, c.SuspicionMult = 20*time.Millisecond, 500*time.Millisecond, 3
		}
	}}
	tr.hs[i] = startWith(tr.t, tr.cfgs[i], opts)
	return tr.hs[i]
}

// kill stops node i as if killed: its gossip is cut first, so that its
// peers hear no goodbye and find it failed.
func (tr *trio) kill(i int) {
	tr.cuts[i].Cut()
	tr.hs[i].stop()
	tr.cuts[i].Heal() // for a restart
}

// status returns the control API's status of h.
func status(t *testing.T, h *harness) *control.Status {
	t.Helper()
	st, err := (&control.Client{Addr: h.run.Control}).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// waitStatus polls h's status until cond holds.
func waitStatus(t *testing.T, h *harness, what string, cond func(*control.Status) bool) *control.Status {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		// A poll that fails (a loaded machine: the API's answer later than
		// the client waits) is polled again, until the deadline.
		st, err := (&control.Client{Addr: h.run.Control}).Status(context.Background())
		if err == nil && cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			if err != nil {
				t.Fatalf("timed out waiting until %s: %v\n%s", what, err, h.logs.String())
			}
			t.Fatalf("timed out waiting until %s; cluster status: %+v\n%s", what, st.Cluster, h.logs.String())
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not readiness
	}
}

// memberState returns the state of member name in st, or "".
func memberState(st *control.Status, name string) string {
	if st.Cluster == nil {
		return ""
	}
	for _, m := range st.Cluster.Members {
		if m.Name == name {
			return m.State
		}
	}
	return ""
}

// amsView returns the cluster's view of amsTarget in st, or nil.
func amsView(st *control.Status) *control.ClusterTarget {
	if st.Cluster == nil {
		return nil
	}
	for i, ct := range st.Cluster.Targets {
		if ct.Target == amsTarget {
			return &st.Cluster.Targets[i]
		}
	}
	return nil
}

// admin runs `gslb admin ARGS` against h.
func admin(t *testing.T, h *harness, args ...string) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append([]string{"admin", "-control", h.run.Control}, args...)
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("gslb %s: exit %d\n%s%s", strings.Join(args, " "), code, &out, &errOut)
	}
}

// TestClusterMajorityOverDNS: the ams backend fails the probes of some
// sources only. Seen down by one node it stays up everywhere; seen down
// by two, every node sends ams's clients to iad, ns1 too, which sees ams
// up. A drain set on ns3 then applies on ns1 and ns2, and its clear on
// ns2 everywhere. ns3 serves another version of the zone: the others
// warn.
func TestClusterMajorityOverDNS(t *testing.T) {
	tr := newTrio(t, false, func(i int) string {
		zone := fmt.Sprintf(e2eZone, "servfail")
		if i == 2 {
			zone = strings.Replace(zone, `ttl = "1h"`, `ttl = "2h"`, 1)
		}
		return zone
	})
	tr.fail("127.0.0.2")
	for i := range 3 {
		tr.start(i)
	}
	hs := tr.hs[:] // follows restarts
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
	tr.fail("127.0.0.2", "127.0.0.3")
	for _, h := range hs {
		h.waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	}
	hs[0].waitLog(`msg="effective status down" component=health target=web/127.0.0.1 local=up`)

	// ns1's status shows the members, every node's verdict and the zone
	// that ns3 serves in another version.
	hs[0].waitLog(`msg="a peer serves another version of a zone`)
	cs := status(t, hs[0]).Cluster
	if cs == nil || cs.Node != "ns1" || cs.Alone || len(cs.Members) != 3 {
		t.Fatalf("status cluster = %+v, want ns1 with three members", cs)
	}
	for _, m := range cs.Members {
		if m.State != "alive" || m.Self != (m.Name == "ns1") {
			t.Errorf("member %+v, want alive", m)
		}
	}
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
	// Its status page shows the members and every node's verdict.
	page := renderCluster(t, hs[0])
	if page.Hidden || page.Alone || page.Summary != "node ns1 · health_quorum majority · 3 of 3 members live" {
		t.Errorf("status page cluster: hidden %v, alone %v, summary %q", page.Hidden, page.Alone, page.Summary)
	}
	if m := page.Members; m["ns1"] != "alive" || m["ns2"] != "alive" || m["ns3"] != "alive" {
		t.Errorf("status page members = %v, want three alive", m)
	}
	if c := page.Contact; c["ns1"] != "–" || !strings.HasSuffix(c["ns2"], " ago") {
		t.Errorf("status page last contacts = %v, want – for ns1, a time for ns2", c)
	}
	if v := page.Verdicts["web/127.0.0.1"]; v["effective"] != "down" || v["ns1"] != "up" || v["ns2"] != "down" || v["ns3"] != "down" {
		t.Errorf("status page verdicts of web/127.0.0.1 = %v, want down by ns2 and ns3, up on ns1", v)
	}
	if v := page.Verdicts["web/127.0.0.2"]; v["effective"] != "up" || v["ns1"] != "up" || v["ns2"] != "up" || v["ns3"] != "up" {
		t.Errorf("status page verdicts of web/127.0.0.2 = %v, want up everywhere", v)
	}

	// Its metrics count the members and the target it is overruled on;
	// promtool finds the scrape clean.
	m := scrape(t, hs[0], "")
	for series, want := range map[string]float64{
		`gslb_cluster_members{state="alive"}`: 3, `gslb_cluster_members{state="dead"}`: 0,
		`gslb_cluster_disagreeing_targets{}`: 1, `gslb_cluster_alone{}`: 0,
	} {
		if got, ok := m[series]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
		}
	}
	cmd := exec.Command(lookPromtool(t), "check", "metrics")
	cmd.Stdin = strings.NewReader(scrapeText(t, hs[0], ""))
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
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
	tr.fail()
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	admin(t, hs[2], "drain", "ams", "-reason", "cluster test")
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	hs[1].waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	admin(t, hs[1], "clear", "ams")
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	hs[2].waitAnswer("www.example.com.", amsClient, "127.0.0.1")
}

// TestClusterKilledNodeAndRestarts: a killed node's verdicts stop
// counting; a node restarted alone keeps what it knew, clears included;
// a node that was down when an override was cleared learns the clear
// when it comes back, and its stale copy does not come back to life.
func TestClusterKilledNodeAndRestarts(t *testing.T) {
	tr := newTrio(t, true, func(int) string { return fmt.Sprintf(e2eZone, "servfail") })
	for i := range 3 {
		tr.start(i)
	}
	hs := tr.hs[:] // follows restarts
	for _, h := range hs {
		waitStatus(t, h, "three members alive", func(st *control.Status) bool {
			return memberState(st, "ns1") == "alive" && memberState(st, "ns2") == "alive" && memberState(st, "ns3") == "alive"
		})
	}

	// ns2 and ns3 see ams down: down everywhere. ns3 is killed: ns2's
	// verdict alone against ns1's is no majority, ams is back.
	tr.fail("127.0.0.2", "127.0.0.3")
	// An answer alone does not show why: wait until ns1 has heard both.
	waitStatus(t, hs[0], "ns1 hears ns2 and ns3 find ams down", func(st *control.Status) bool {
		ct := amsView(st)
		return ct != nil && ct.Effective == health.Down && ct.Down == 2
	})
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	tr.kill(2)
	waitStatus(t, hs[0], "ns3 dead on ns1", func(st *control.Status) bool { return memberState(st, "ns3") == "dead" })
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	hs[1].waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	if ct := amsView(status(t, hs[0])); ct == nil || ct.Effective != health.Up || ct.Up != 1 || ct.Down != 1 {
		t.Errorf("ns1's %s after ns3 died = %+v, want up by a tie of ns1 and ns2", amsTarget, ct)
	}

	// ams fails for everyone. ns3 comes back and learns a force-up of
	// ams set on ns1, which keeps ams; then ns3 is killed again, the
	// force-up in its state file.
	tr.fail("127.0.0.1", "127.0.0.2", "127.0.0.3")
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	tr.start(2)
	waitStatus(t, hs[0], "ns3 back on ns1", func(st *control.Status) bool { return memberState(st, "ns3") == "alive" })
	admin(t, hs[0], "force-up", "ams", "-reason", "cluster test")
	for _, h := range hs {
		h.waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	}
	tr.kill(2)
	waitStatus(t, hs[0], "ns3 dead on ns1", func(st *control.Status) bool { return memberState(st, "ns3") == "dead" })

	// The force-up is cleared on ns1 while ns3 is down; then ns1 and ns2
	// stop, and ns1 restarts alone: it keeps the clear.
	admin(t, hs[0], "clear", "ams")
	hs[1].waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	hs[1].stop()
	hs[0].stop()
	var out, errOut bytes.Buffer
	if code := run([]string{"state", "-db", tr.cfgs[0].State}, &out, &errOut); code != 0 {
		t.Fatalf("gslb state: exit %d\n%s", code, &errOut)
	}
	if want := "cluster override log:\n  pool=* dc=ams force-up cleared at "; !strings.Contains(out.String(), want) || !strings.Contains(out.String(), " by ns1\n") {
		t.Errorf("gslb state of ns1 lacks %q ... by ns1:\n%s", want, &out)
	}
	tr.start(0)
	hs[0].waitLog(`msg="no live cluster peer: health is decided from this node's own view"`)
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.2")

	// ns3 comes back with its force-up and joins ns1: it learns the clear
	// (stamped later than the force-up it holds), and
	// ns1 does not take the stale force-up.
	tr.start(2)
	hs[2].waitLog(`msg="override learned from a peer" component=cluster from=ns1 override="pool=* dc=ams" cleared=true`)
	hs[2].waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	waitStatus(t, hs[0], "ns3 back on ns1", func(st *control.Status) bool { return memberState(st, "ns3") == "alive" })
	for _, h := range []*harness{hs[0], hs[2]} {
		if ovs := status(t, h).Overrides; len(ovs) != 0 {
			t.Errorf("overrides after ns3's return = %+v, want none", ovs)
		}
		h.waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	}
}

// TestClusterPartition: ns1 cut off from its peers serves from its own
// view and says so (log and status); the other two follow their
// majority and set a drain ns1 does not hear of. When the cut heals,
// verdicts and overrides converge without an operator.
func TestClusterPartition(t *testing.T) {
	tr := newTrio(t, true, func(int) string { return fmt.Sprintf(e2eZone, "servfail") })
	for i := range 3 {
		tr.start(i)
	}
	hs := tr.hs[:] // follows restarts
	for _, h := range hs {
		waitStatus(t, h, "three members alive", func(st *control.Status) bool {
			return memberState(st, "ns1") == "alive" && memberState(st, "ns2") == "alive" && memberState(st, "ns3") == "alive"
		})
	}
	tr.fail("127.0.0.2", "127.0.0.3")
	for _, h := range hs {
		h.waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	}

	tr.cuts[0].Cut()
	hs[0].waitLog(`level=WARN msg="no live cluster peer: health is decided from this node's own view"`)
	st := waitStatus(t, hs[0], "ns1 alone", func(st *control.Status) bool { return st.Cluster.Alone })
	if memberState(st, "ns2") != "dead" || memberState(st, "ns3") != "dead" {
		t.Errorf("ns1's members while cut off = %+v, want ns2 and ns3 dead", st.Cluster.Members)
	}
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.1") // its own view: ams up
	if m := scrape(t, hs[0], ""); m[`gslb_cluster_alone{}`] != 1 || m[`gslb_cluster_members{state="dead"}`] != 2 || m[`gslb_cluster_disagreeing_targets{}`] != 0 {
		t.Errorf("ns1's cluster metrics while cut off: alone %v, dead %v, disagreeing %v; want 1, 2, 0",
			m[`gslb_cluster_alone{}`], m[`gslb_cluster_members{state="dead"}`], m[`gslb_cluster_disagreeing_targets{}`])
	}
	hs[1].waitAnswer("www.example.com.", amsClient, "127.0.0.2") // the majority of ns2 and ns3
	if page := renderCluster(t, hs[0]); !page.Alone || page.Members["ns2"] != "dead" || page.Members["ns3"] != "dead" || page.Verdicts["web/127.0.0.1"]["effective"] != "up" {
		t.Errorf("ns1's status page while cut off: alone %v, members %v, verdicts %v; want alone, ns2 and ns3 dead, ams up",
			page.Alone, page.Members, page.Verdicts)
	}
	tr.fail()
	admin(t, hs[1], "drain", "ams", "-reason", "partition test")
	hs[2].waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.1")

	tr.cuts[0].Heal()
	hs[0].waitLog(`msg="cluster peers live again: health is decided by quorum"`)
	hs[0].waitAnswer("www.example.com.", amsClient, "127.0.0.2") // the drain reached ns1
	for _, h := range hs {
		st := waitStatus(t, h, "three alive and the drain", func(st *control.Status) bool {
			return !st.Cluster.Alone && memberState(st, "ns1") == "alive" && memberState(st, "ns2") == "alive" &&
				memberState(st, "ns3") == "alive" && len(st.Overrides) == 1
		})
		if o := st.Overrides[0]; o.Datacenter != "ams" || o.Action != health.Drain {
			t.Errorf("override = %+v, want the drain of ams", o)
		}
	}
	admin(t, hs[0], "clear", "ams")
	for _, h := range hs {
		h.waitAnswer("www.example.com.", amsClient, "127.0.0.1")
	}
}

// TestClusterStrangers: a node with another gossip key is not heard,
// and a node whose name is taken by a live member exits non-zero with a
// clear message.
func TestClusterStrangers(t *testing.T) {
	tr := newTrio(t, true, func(int) string { return fmt.Sprintf(e2eZone, "servfail") }, 1, 1, 2) // ns3 has another key
	for i := range 3 {
		tr.start(i)
	}
	hs := tr.hs[:] // follows restarts
	waitStatus(t, hs[0], "ns2 alive on ns1", func(st *control.Status) bool { return memberState(st, "ns2") == "alive" })
	hs[2].waitLog(`msg="no cluster peer reachable; serving from this node's own view and retrying"`)
	hs[0].waitLog(`no installed keys could decrypt the message`)
	if st := status(t, hs[0]); memberState(st, "ns3") != "" {
		t.Errorf("ns1's members = %+v, want no ns3", st.Cluster.Members)
	}
	if st := status(t, hs[2]); !st.Cluster.Alone || len(st.Cluster.Members) != 1 {
		t.Errorf("ns3's cluster = %+v, want alone", st.Cluster)
	}

	// A second ns2, on another gossip address, with ns2's key.
	dir := t.TempDir()
	cfgText, err := os.ReadFile(filepath.Join(tr.dirs[1], "gslb.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfgText = bytes.Replace(cfgText, []byte(tr.binds[1]), []byte("127.0.0.1:"+strconv.Itoa(freePort(t))), 1)
	writeSetup(t, dir, 1, "", fmt.Sprintf(e2eZone, "servfail"))
	if err := os.WriteFile(filepath.Join(dir, "gslb.toml"), cfgText, 0o600); err != nil {
		t.Fatal(err)
	}
	writeKey(t, filepath.Join(dir, "cluster.key"), 1)
	var out, errOut syncBuffer
	errOut.mu = make(chan struct{}, 1)
	code := make(chan int, 1)
	go func() { code <- run([]string{"serve", "-config", filepath.Join(dir, "gslb.toml")}, &out, &errOut) }()
	select {
	case c := <-code:
		if c == 0 {
			t.Errorf("gslb serve with a taken name: exit 0")
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("gslb serve with a taken name still runs:\n%s", errOut.String())
	}
	want := `node name \"ns2\" is already used by a live member at ` + tr.binds[1]
	if !strings.Contains(errOut.String(), want) || !strings.Contains(errOut.String(), "give this node another [cluster] node name") {
		t.Errorf("gslb serve's log lacks %q:\n%s", want, errOut.String())
	}
	// The impostor's goodbye may make ns2 look gone for a moment, until
	// ns2 refutes it: ns2 is alive again on ns1.
	waitStatus(t, hs[0], "ns2 alive on ns1 after the clash", func(st *control.Status) bool { return memberState(st, "ns2") == "alive" })
}
