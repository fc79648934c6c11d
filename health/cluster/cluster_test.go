package cluster

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
)

// node is a Cluster running in the test.
type node struct {
	*Cluster
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// stop ends Run (once) and returns its error.
func (n *node) stop() error {
	n.once.Do(func() {
		n.cancel()
		n.err = <-n.done
	})
	return n.err
}

// testKey is the gossip key of the tests' clusters.
var testKey = bytes.Repeat([]byte{0x42}, 32)

// testConfig returns a configuration with fast failure detection, bound
// to a free loopback port unless bind is set.
func testConfig(t *testing.T, name, bind string, peers ...string) Config {
	t.Helper()
	if bind == "" {
		bind = "127.0.0.1:0"
	}
	var out io.Writer = io.Discard
	if testing.Verbose() {
		out = os.Stderr // not t.Log: memberlist logs a little after Shutdown returns
	}
	return Config{
		Node: name, Bind: bind, Peers: peers, Key: testKey,
		Staleness: 5 * time.Second, Refresh: 200 * time.Millisecond, JoinRetry: 100 * time.Millisecond,
		ProbeInterval: 100 * time.Millisecond, ProbeTimeout: 50 * time.Millisecond,
		GossipInterval: 20 * time.Millisecond, PushPullInterval: 500 * time.Millisecond, SuspicionMult: 2,
		Logger: slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", name),
	}
}

// start creates and runs a node; the test's cleanup stops it.
func start(t *testing.T, cfg Config) *node {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%s): %v", cfg.Node, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &node{Cluster: c, cancel: cancel, done: make(chan error, 1)}
	go func() { n.done <- c.Run(ctx) }()
	t.Cleanup(func() { n.stop() })
	return n
}

// waitFor waits until cond holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		<-tick.C
	}
}

// sees reports whether n sees exactly the named members live.
func sees(n *node, names ...string) bool {
	live := n.Live()
	if len(live) != len(names) {
		return false
	}
	for _, name := range names {
		if !live[name] {
			return false
		}
	}
	return true
}

// three starts ns1, ns2 and ns3 (ns2 and ns3 join ns1) and waits until
// each sees all three.
func three(t *testing.T) (n1, n2, n3 *node) {
	t.Helper()
	n1 = start(t, testConfig(t, "ns1", ""))
	n2 = start(t, testConfig(t, "ns2", "", n1.Addr().String()))
	n3 = start(t, testConfig(t, "ns3", "", n1.Addr().String()))
	for _, n := range []*node{n1, n2, n3} {
		waitFor(t, n.Name()+" sees three members", func() bool { return sees(n, "ns1", "ns2", "ns3") })
	}
	return n1, n2, n3
}

var (
	target = health.Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.10")}
	down   = map[health.Target]health.Detail{target: {Status: health.Down}}
	up     = map[health.Target]health.Detail{target: {Status: health.Up}}
)

// peerStatus returns the status of target that n heard from peer.
func peerStatus(n *node, peer string) health.Status {
	for _, v := range n.PeerVerdicts()[target] {
		if v.Node == peer {
			return v.Status
		}
	}
	return health.Unknown
}

func TestVerdictsAndQuorum(t *testing.T) {
	n1, n2, n3 := three(t)

	// One node of three sees the target down: up everywhere.
	n1.SetVerdicts(down)
	n2.SetVerdicts(up)
	n3.SetVerdicts(up)
	waitFor(t, "ns3 hears ns1's and ns2's verdicts", func() bool {
		return peerStatus(n3, "ns1") == health.Down && peerStatus(n3, "ns2") == health.Up
	})
	waitFor(t, "ns1 hears ns2's and ns3's verdicts", func() bool {
		return peerStatus(n1, "ns2") == health.Up && peerStatus(n1, "ns3") == health.Up
	})
	if m := n1.Merge(down, health.QuorumMajority, nil)[target]; m.Status != health.Up || !m.Overruled || m.Up != 2 || m.Down != 1 {
		t.Errorf("ns1 Merge (1 of 3 down) = %+v, want up, overruled", m)
	}
	if m := n3.Merge(up, health.QuorumAny, nil)[target]; m.Status != health.Down {
		t.Errorf("ns3 Merge under any = %s, want down", m.Status)
	}

	// Two of three: down everywhere, also on ns3, which sees it up.
	n2.SetVerdicts(down)
	waitFor(t, "ns3 hears ns2 see it down", func() bool { return peerStatus(n3, "ns2") == health.Down })
	if m := n3.Merge(up, health.QuorumMajority, nil)[target]; m.Status != health.Down || !m.Overruled {
		t.Errorf("ns3 Merge (2 of 3 down) = %+v, want down, overruled", m)
	}
	if m := n3.Merge(up, health.QuorumAll, nil)[target]; m.Status != health.Up {
		t.Errorf("ns3 Merge under all = %s, want up", m.Status)
	}

	// A target no longer probed is withdrawn.
	n2.SetVerdicts(nil)
	waitFor(t, "ns3 forgets ns2's verdict", func() bool { return peerStatus(n3, "ns2") == health.Unknown })
}

func TestKilledNodeVerdictsExpire(t *testing.T) {
	n1, n2, n3 := three(t)
	n1.SetVerdicts(down)
	n2.SetVerdicts(down)
	n3.SetVerdicts(up)
	waitFor(t, "ns3 hears both peers", func() bool {
		return peerStatus(n3, "ns1") == health.Down && peerStatus(n3, "ns2") == health.Down
	})
	if m := n3.Merge(up, health.QuorumMajority, nil)[target]; m.Status != health.Down {
		t.Fatalf("ns3 Merge before the kill = %s, want down", m.Status)
	}

	if err := n1.Close(); err != nil { // killed: no leave message
		t.Fatal(err)
	}
	waitFor(t, "ns3 sees ns1 dead", func() bool { return sees(n3, "ns2", "ns3") })
	// ns2 down, ns3 up: a tie, up.
	if m := n3.Merge(up, health.QuorumMajority, nil)[target]; m.Status != health.Up || m.Up != 1 || m.Down != 1 {
		t.Errorf("ns3 Merge after ns1 died = %+v, want up from ns2 and ns3 only", m)
	}
	var ns1 Member
	for _, m := range n3.Members() {
		if m.Name == "ns1" {
			ns1 = m
		}
	}
	if ns1.State != StateDead || ns1.LastContact.IsZero() {
		t.Errorf("ns3's member ns1 = %+v, want dead with a last contact", ns1)
	}

	// ns2 stops in order: it left, and ns3 decides alone.
	if err := n2.stop(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ns3 sees ns2 leave", func() bool { return sees(n3, "ns3") })
	if m := n3.Merge(up, health.QuorumMajority, nil)[target]; m.Status != health.Up || !m.Alone {
		t.Errorf("ns3 Merge alone = %+v, want up, alone", m)
	}
	waitFor(t, "ns3 shows ns2 left", func() bool {
		for _, m := range n3.Members() {
			if m.Name == "ns2" {
				return m.State == StateLeft
			}
		}
		return false
	})
}

// active reports whether n has the override of key k in force, with
// action a.
func active(n *node, k health.OverrideKey, a health.Action) bool {
	for _, o := range n.ActiveOverrides() {
		if o.Key() == k && o.Action == a {
			return true
		}
	}
	return false
}

func TestOverridesPropagate(t *testing.T) {
	n1, n2, n3 := three(t)
	drain := health.Override{Datacenter: "fra", Action: health.Drain, Reason: "maintenance", Created: time.Now()}
	k := drain.Key()
	n1.SetOverride(drain)
	for _, n := range []*node{n2, n3} {
		waitFor(t, n.Name()+" learns the drain", func() bool { return active(n, k, health.Drain) })
	}
	// Cleared on another node: cleared everywhere.
	n2.ClearOverride(drain)
	for _, n := range []*node{n1, n3} {
		waitFor(t, n.Name()+" learns the clear", func() bool { return !active(n, k, health.Drain) })
	}
	if e := n3.Overrides()[k]; !e.Cleared || e.Node != "ns2" {
		t.Errorf("ns3's entry = %+v, want ns2's tombstone", e)
	}
}

func TestRestartedNodeLearnsClear(t *testing.T) {
	n1, n2, n3 := three(t)
	drain := health.Override{Datacenter: "fra", Action: health.Drain}
	k := drain.Key()
	n2.SetOverride(drain)
	waitFor(t, "ns3 learns the drain", func() bool { return active(n3, k, health.Drain) })
	persisted := n3.Overrides().Entries() // what ns3 would have in its state file
	addr := n3.Addr().String()
	if err := n3.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "ns1 sees ns3 dead", func() bool { return sees(n1, "ns1", "ns2") })

	n1.ClearOverride(drain)
	waitFor(t, "ns2 learns the clear", func() bool { return !active(n2, k, health.Drain) })

	// ns3 comes back on its address with what it knew, and joins ns2.
	c, err := New(testConfig(t, "ns3", addr, n2.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	c.LoadOverrides(persisted)
	// ns1 and ns2 may already have reached the new ns3 (they rejoin
	// failed members on their own): then it holds ns1's clear, which is
	// newer than the drain. Either way it must not have lost the entry.
	if e, ok := c.Overrides()[k]; !ok || !(active(&node{Cluster: c}, k, health.Drain) || e.Cleared && e.Node == "ns1") {
		t.Fatalf("restarted ns3's entry = %+v (present %v), want its persisted drain or ns1's later clear", e, ok)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() { cancel(); <-done }()
	re := &node{Cluster: c}
	waitFor(t, "restarted ns3 learns the clear", func() bool { return !active(re, k, health.Drain) })
	waitFor(t, "ns1 sees ns3 again", func() bool { return sees(n1, "ns1", "ns2", "ns3") })
}

func TestWrongKeyRejected(t *testing.T) {
	n1 := start(t, testConfig(t, "ns1", ""))
	for _, key := range [][]byte{bytes.Repeat([]byte{1}, 32), nil} {
		cfg := testConfig(t, "intruder", "")
		cfg.Key = key
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		n, err := c.ml.Join([]string{n1.Addr().String()})
		if n != 0 || err == nil {
			t.Errorf("join with key %x = %d, %v; want rejected", key, n, err)
		}
		c.Close()
	}
	if !sees(n1, "ns1") {
		t.Errorf("ns1 sees %v, want only itself", n1.Live())
	}
}

func TestNameConflict(t *testing.T) {
	n1 := start(t, testConfig(t, "ns1", ""))
	c, err := New(testConfig(t, "ns1", "", n1.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Run(context.Background()); !errors.Is(err, ErrNameConflict) {
		t.Errorf("Run of a second ns1 = %v, want ErrNameConflict", err)
	}
}

// TestNameOfUnreachableMemberRefused: a node whose name is held by a
// member its peers suspect or found failed (its probes are not answered,
// as with a loaded node that still runs) is refused too. memberlist alone
// hands the joining node a suspicion of its own name, refutes it, and
// lets the newcomer take the name.
func TestNameOfUnreachableMemberRefused(t *testing.T) {
	for _, tc := range []struct {
		state     State // ns1's view of the first ns2 when the second joins
		suspicion int   // SuspicionMult of ns1
		message   string
	}{
		{StateSuspect, 1000, "already used by a live member"}, // suspect for the test's length
		{StateDead, 2, "which the cluster found failed"},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			cfg1 := testConfig(t, "ns1", "")
			cfg1.SuspicionMult = tc.suspicion
			n1 := start(t, cfg1)
			cut := &Partition{}
			cfg2 := testConfig(t, "ns2", "", n1.Addr().String())
			cfg2.Partition = cut
			start(t, cfg2)
			waitFor(t, "ns1 sees ns2", func() bool { return sees(n1, "ns1", "ns2") })
			cut.Cut()
			// Suspect: silent for 3 refreshes, when memberlist's probes
			// (every 100 ms) have failed too.
			waitFor(t, "ns1 finds ns2 "+string(tc.state), func() bool {
				for _, m := range n1.Members() {
					if m.Name == "ns2" {
						return m.State == tc.state
					}
				}
				return false
			})

			c, err := New(testConfig(t, "ns2", "", n1.Addr().String()))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- c.Run(ctx) }()
			select {
			case err := <-done:
				if !errors.Is(err, ErrNameConflict) || !strings.Contains(err.Error(), tc.message) {
					t.Errorf("Run of a second ns2 = %v, want ErrNameConflict saying %q", err, tc.message)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("a second ns2 joined while ns1 finds the first %s", tc.state)
			}
		})
	}
}

func TestStartsWithoutPeersAndJoinsLater(t *testing.T) {
	// A free port for ns2, found by binding and closing (tests only).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ns2Addr := "127.0.0.1:" + strconv.Itoa(port)

	n1 := start(t, testConfig(t, "ns1", "", ns2Addr))
	n1.SetVerdicts(down)
	if m := n1.Merge(down, health.QuorumMajority, nil)[target]; m.Status != health.Down || !m.Alone {
		t.Errorf("ns1 Merge alone = %+v, want its own view", m)
	}
	n2 := start(t, testConfig(t, "ns2", ns2Addr))
	waitFor(t, "ns1's retries reach ns2", func() bool { return sees(n2, "ns1", "ns2") })
	waitFor(t, "ns2 hears ns1's verdict", func() bool { return peerStatus(n2, "ns1") == health.Down })
}

func TestNewErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Bind: "127.0.0.1:0"},
		{Node: "ns1", Bind: "localhost:0"},
		{Node: "ns1", Bind: "127.0.0.1:0", Key: []byte("short")},
	} {
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
}

func TestWire(t *testing.T) {
	m := message{Node: "ns1", Verdicts: []wireVerdict{{Target: target, Status: health.Down, Version: 7}}}
	got, err := decode(encode(m))
	if err != nil || got.Node != "ns1" || len(got.Verdicts) != 1 || got.Verdicts[0] != m.Verdicts[0] {
		t.Errorf("decode(encode(m)) = %+v, %v", got, err)
	}
	for _, b := range [][]byte{nil, {2, '{', '}'}, {wireVersion, 'x'}, append([]byte{wireVersion}, `{}`...)} {
		if _, err := decode(b); !errors.Is(err, errWire) {
			t.Errorf("decode(%q) = %v, want errWire", b, err)
		}
	}
	many := make([]wireVerdict, 50)
	for i := range many {
		many[i] = wireVerdict{Target: health.Target{Check: "web", Addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})}, Status: health.Up, Version: uint64(i)}
	}
	if n := fitting("ns1", many); n == 0 || n == len(many) || len(encode(message{Node: "ns1", Verdicts: many[:n]})) > maxBroadcast {
		t.Errorf("fitting = %d of %d, want a part that fits %d bytes", n, len(many), maxBroadcast)
	}
}

func TestZoneDifferences(t *testing.T) {
	var logs syncBuffer
	cfg := testConfig(t, "ns1", "")
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	n1 := start(t, cfg)
	n2 := start(t, testConfig(t, "ns2", "", n1.Addr().String()))
	waitFor(t, "ns1 sees ns2", func() bool { return sees(n1, "ns1", "ns2") })

	mine := ZoneInfo{Origin: "example.com.", Serial: 1, Hash: "aa"}
	n1.SetZones([]ZoneInfo{mine, {Origin: "only-here.", Serial: 1, Hash: "dd"}})
	n2.SetZones([]ZoneInfo{{Origin: "example.com.", Serial: 2, Hash: "bb"}, {Origin: "other.", Serial: 1, Hash: "cc"}})
	waitFor(t, "ns1 finds example.com. differs on ns2", func() bool {
		d := n1.ZoneDifferences()
		return len(d) == 1 && d[0].Node == "ns2" && d[0].Origin == "example.com." && d[0].Peer.Serial == 2
	})
	// The warning is written just after the difference is recorded.
	waitFor(t, "a warning logged", func() bool {
		return strings.Contains(logs.String(), "a peer serves another version of a zone")
	})
	n2.SetZones([]ZoneInfo{mine})
	waitFor(t, "the versions agree", func() bool { return len(n1.ZoneDifferences()) == 0 })
}

// syncBuffer is a buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestPartitionHeals(t *testing.T) {
	// ns1 has no peers configured: after the cut, the others must find
	// it again (and it them) by the members that failed.
	cuts := map[string]*Partition{"ns1": {}, "ns2": {}, "ns3": {}}
	cfg1 := testConfig(t, "ns1", "")
	cfg1.Partition = cuts["ns1"]
	n1 := start(t, cfg1)
	var ns []*node
	for _, name := range []string{"ns2", "ns3"} {
		cfg := testConfig(t, name, "", n1.Addr().String())
		cfg.Partition = cuts[name]
		ns = append(ns, start(t, cfg))
	}
	n2, n3 := ns[0], ns[1]
	for _, n := range []*node{n1, n2, n3} {
		waitFor(t, n.Name()+" sees three members", func() bool { return sees(n, "ns1", "ns2", "ns3") })
	}
	n1.SetVerdicts(up)
	n2.SetVerdicts(down)
	n3.SetVerdicts(down)
	waitFor(t, "ns1 hears both peers", func() bool {
		return peerStatus(n1, "ns2") == health.Down && peerStatus(n1, "ns3") == health.Down
	})
	if m := n1.Merge(up, health.QuorumMajority, nil)[target]; m.Status != health.Down {
		t.Fatalf("ns1 Merge before the cut = %+v, want down", m)
	}

	// ns1 is cut off: it decides alone, the other two by their majority;
	// each side changes overrides the other does not hear of.
	cuts["ns1"].Cut()
	waitFor(t, "ns1 alone", func() bool { return sees(n1, "ns1") })
	waitFor(t, "ns2 and ns3 without ns1", func() bool { return sees(n2, "ns2", "ns3") && sees(n3, "ns2", "ns3") })
	if m := n1.Merge(up, health.QuorumMajority, nil)[target]; m.Status != health.Up || !m.Alone {
		t.Errorf("ns1 Merge while cut off = %+v, want up from its own view, alone", m)
	}
	drain := health.Override{Datacenter: "fra", Action: health.Drain, Created: time.Now()}
	force := health.Override{Datacenter: "ams", Action: health.ForceUp, Created: time.Now()}
	n1.SetOverride(force)
	n2.SetOverride(drain)
	waitFor(t, "ns3 learns ns2's drain", func() bool { return active(n3, drain.Key(), health.Drain) })
	if active(n1, drain.Key(), health.Drain) || active(n2, force.Key(), health.ForceUp) {
		t.Fatal("an override crossed the partition")
	}
	n1.SetVerdicts(down) // changed while cut off: the others learn it after the heal

	// Healed: every node sees all three again and they converge on the
	// verdicts and on both overrides.
	cuts["ns1"].Heal()
	for _, n := range []*node{n1, n2, n3} {
		waitFor(t, n.Name()+" sees three members again", func() bool { return sees(n, "ns1", "ns2", "ns3") })
		waitFor(t, n.Name()+" has both overrides", func() bool {
			return active(n, drain.Key(), health.Drain) && active(n, force.Key(), health.ForceUp)
		})
	}
	waitFor(t, "ns2 hears ns1's new verdict", func() bool { return peerStatus(n2, "ns1") == health.Down })
	if m := n1.Merge(down, health.QuorumMajority, nil)[target]; m.Status != health.Down || m.Alone || m.Down != 3 {
		t.Errorf("ns1 Merge after the heal = %+v, want down by three votes", m)
	}
}

func TestWANTimings(t *testing.T) {
	// WAN nodes take memberlist's WAN timings (only the probe timing is
	// kept short here) and join as LAN ones do.
	wan := func(name string, peers ...string) Config {
		cfg := testConfig(t, name, "", peers...)
		cfg.WAN = true
		cfg.GossipInterval, cfg.PushPullInterval = 0, 0 // memberlist's WAN values
		return cfg
	}
	n1 := start(t, wan("ns1"))
	n2 := start(t, wan("ns2", n1.Addr().String()))
	waitFor(t, "ns1 and ns2 see each other", func() bool { return sees(n1, "ns1", "ns2") && sees(n2, "ns1", "ns2") })
	n2.SetVerdicts(down)
	waitFor(t, "ns1 hears ns2's verdict", func() bool { return peerStatus(n1, "ns2") == health.Down })
}
