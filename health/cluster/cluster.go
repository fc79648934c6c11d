package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/gslb/gslb/health"
)

// Defaults of Config.
const (
	// DefaultStaleness is how long a peer's verdict counts after it was
	// last heard.
	DefaultStaleness = time.Minute
	// DefaultJoinRetry is the wait between two joins while no peer is
	// alive.
	DefaultJoinRetry = 5 * time.Second
	// label is carried by every gossip packet and stream: memberlist drops
	// those of another label (another application on the same port).
	label = "gslb"
)

// Config configures a Cluster. Node and Bind are required; the zero values
// of the other fields are their defaults.
type Config struct {
	Node  string   // this node's name, unique in the cluster
	Bind  string   // ip:port of gossip on TCP and UDP; port 0 picks a free port
	Peers []string // host:port of members to join; default none
	// Key encrypts gossip (AES-GCM, 16, 24 or 32 bytes). Default nil:
	// clear text.
	Key []byte
	// Staleness is how long a peer verdict counts after it was last
	// heard. Default DefaultStaleness.
	Staleness time.Duration
	// Refresh is how often this node broadcasts all its verdicts again,
	// forgets lapsed overrides and old tombstones, and drops the verdicts
	// of members gone for longer than Staleness. Default Staleness/4.
	Refresh time.Duration
	// JoinRetry is the wait between two joins of Peers while no peer is
	// alive. Default DefaultJoinRetry.
	JoinRetry time.Duration
	// TombstoneRetention is how long the clear of an override without
	// Until is remembered. Default health.DefaultTombstoneRetention.
	TombstoneRetention time.Duration
	// Logger receives membership changes and errors, memberlist's own
	// log included. Default slog.Default(); component=cluster is added.
	Logger *slog.Logger
	// Now is the clock of verdict versions, override stamps and
	// staleness. Default time.Now.
	Now func() time.Time
	// Partition, when set, lets a drill cut this node off from its peers
	// and heal the cut (see Partition). Default nil: no drill.
	Partition *Partition

	// WAN takes memberlist's WAN timings instead of its LAN ones, for
	// nodes far apart: probe every 5s with a 3s timeout, gossip every
	// 500ms, push/pull every 60s, suspicion multiplier 6. Default false.
	WAN bool

	// Failure detection and gossip timing, passed to memberlist; zero
	// values take memberlist's defaults (LAN: probe every 1s with a 500ms
	// timeout, gossip every 200ms, push/pull every 30s, suspicion
	// multiplier 4). Tests shorten them.
	ProbeInterval    time.Duration
	ProbeTimeout     time.Duration
	GossipInterval   time.Duration
	PushPullInterval time.Duration
	SuspicionMult    int
}

// withDefaults returns c with its zero fields filled in.
func (c Config) withDefaults() Config {
	if c.Staleness <= 0 {
		c.Staleness = DefaultStaleness
	}
	if c.Refresh <= 0 {
		c.Refresh = c.Staleness / 4
	}
	if c.JoinRetry <= 0 {
		c.JoinRetry = DefaultJoinRetry
	}
	if c.TombstoneRetention <= 0 {
		c.TombstoneRetention = health.DefaultTombstoneRetention
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("component", "cluster")
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Cluster is this node's membership of a gslb cluster: what it gossips and
// what it heard. Create it with New and run it with Run; its methods are
// safe for concurrent use.
type Cluster struct {
	cfg   Config
	log   *slog.Logger
	ml    *memberlist.Memberlist
	queue *memberlist.TransmitLimitedQueue
	addr  netip.AddrPort

	stopOnce sync.Once     // gossip stops once: Run's return or Close
	stopped  atomic.Bool   // gossip stopped: no peer is live any more
	closed   chan struct{} // closed by Close: Run returns

	// mu guards the fields below. It is never held while calling into
	// memberlist, whose delegates (called with memberlist's locks held)
	// take it.
	mu        sync.Mutex
	version   uint64                                      // the last verdict version given out
	own       map[health.Target]health.Verdict            // this node's verdicts
	peers     map[string]map[health.Target]health.Verdict // peers' verdicts, by node
	overrides health.OverrideLog
	members   map[string]*member // every node seen, by name
	changed   chan struct{}      // closed at the next change
	joining   bool               // this node is joining: a name clash is its own
	conflict  error              // a clash met while joining

	zones      []ZoneInfo            // this node's zones (zones.go)
	peerZones  map[string][]ZoneInfo // peers' zones, by node
	zoneWarned map[ZoneDiff]bool     // differences already logged
}

// New binds the gossip address and starts answering peers; Run joins
// them. It returns an error wrapping ErrConfig for a missing Node or an
// unusable Bind or Key, or the error binding the address.
func New(cfg Config) (*Cluster, error) {
	cfg = cfg.withDefaults()
	if cfg.Node == "" {
		return nil, fmt.Errorf("cluster: no node name: %w", ErrConfig)
	}
	bind, err := netip.ParseAddrPort(cfg.Bind)
	if err != nil {
		return nil, fmt.Errorf("cluster: bind %q: %v: %w", cfg.Bind, err, ErrConfig)
	}
	switch len(cfg.Key) {
	case 0, 16, 24, 32:
	default:
		return nil, fmt.Errorf("cluster: key of %d bytes, want 16, 24 or 32: %w", len(cfg.Key), ErrConfig)
	}
	c := &Cluster{
		cfg:     cfg,
		log:     cfg.Logger,
		own:     make(map[health.Target]health.Verdict),
		peers:   make(map[string]map[health.Target]health.Verdict),
		members: make(map[string]*member),
		changed: make(chan struct{}),
		closed:  make(chan struct{}),

		peerZones:  make(map[string][]ZoneInfo),
		zoneWarned: make(map[ZoneDiff]bool),
	}
	c.queue = &memberlist.TransmitLimitedQueue{RetransmitMult: 4}

	mc := memberlist.DefaultLANConfig()
	if cfg.WAN {
		mc = memberlist.DefaultWANConfig()
	}
	mc.Name = cfg.Node
	mc.BindAddr = bind.Addr().String()
	mc.BindPort = int(bind.Port())
	mc.AdvertiseAddr, mc.AdvertisePort = "", 0
	mc.Label = label
	if len(cfg.Key) > 0 {
		mc.SecretKey = append([]byte(nil), cfg.Key...)
	}
	setIf(&mc.ProbeInterval, cfg.ProbeInterval)
	setIf(&mc.ProbeTimeout, cfg.ProbeTimeout)
	setIf(&mc.GossipInterval, cfg.GossipInterval)
	setIf(&mc.PushPullInterval, cfg.PushPullInterval)
	if cfg.SuspicionMult > 0 {
		mc.SuspicionMult = cfg.SuspicionMult
	}
	c.queue.RetransmitMult = mc.RetransmitMult
	mc.Logger = newLogger(c.log)
	if cfg.Partition != nil {
		t, err := newCutTransport(mc.BindAddr, mc.BindPort, cfg.Partition, mc.Logger)
		if err != nil {
			return nil, fmt.Errorf("cluster: start gossip on %s: %w", cfg.Bind, err)
		}
		mc.Transport = t
		mc.BindPort = t.GetAutoBindPort()
		mc.AdvertisePort = mc.BindPort
	}
	d := &delegate{c: c}
	mc.Delegate, mc.Events, mc.Conflict, mc.Merge = d, d, d, d

	ml, err := memberlist.Create(mc)
	if err != nil {
		if t, ok := mc.Transport.(*cutTransport); ok {
			_ = t.Shutdown()
		}
		return nil, fmt.Errorf("cluster: start gossip on %s: %w", cfg.Bind, err)
	}
	c.ml = ml
	c.queue.NumNodes = ml.NumMembers
	self := ml.LocalNode()
	ip, _ := netip.AddrFromSlice(self.Addr)
	c.addr = netip.AddrPortFrom(ip.Unmap(), self.Port)
	c.mu.Lock()
	c.members[cfg.Node] = &member{name: cfg.Node, addr: c.addr.String(), state: StateAlive, since: cfg.Now(), self: true}
	c.mu.Unlock()
	return c, nil
}

// setIf sets *dst to v when v is positive.
func setIf(dst *time.Duration, v time.Duration) {
	if v > 0 {
		*dst = v
	}
}

// Addr returns the address gossip is bound to (with the port chosen when
// Config.Bind had port 0).
func (c *Cluster) Addr() netip.AddrPort { return c.addr }

// Name returns this node's name.
func (c *Cluster) Name() string { return c.cfg.Node }

// Changed returns a channel that is closed at the next change of what
// this node heard: a peer's verdict changed, an override changed, or a
// member joined, left or died. Take it before reading, so as not to miss
// a change. Verdicts turning stale are no event: merge again every
// Config.Refresh.
func (c *Cluster) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// notifyLocked wakes Changed waiters. Callers hold mu.
func (c *Cluster) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Run joins the peers (again every Config.JoinRetry while none is
// alive, with the members that failed within Reconnect: see rejoin),
// broadcasts this node's verdicts every Config.Refresh, and
// forgets what expired, until ctx ends; then it leaves the cluster, stops
// gossip and returns nil. It returns an error wrapping ErrNameConflict
// when a join meets a live member of this node's name at another
// address; gossip is stopped then too.
func (c *Cluster) Run(ctx context.Context) error {
	defer c.shutdown()
	c.log.Info("cluster gossip started", "node", c.cfg.Node, "addr", c.addr.String(), "peers", len(c.cfg.Peers))

	if err := c.join(); err != nil {
		return err
	}
	// Joins run beside the refresh: a join of a failed member whose
	// address drops packets waits for memberlist's TCP timeout, which
	// must not hold up the broadcasts that keep this node's verdicts
	// fresh. The joins end before gossip stops.
	ctx, cancel := context.WithCancel(ctx)
	joined := make(chan error, 1)
	go func() { joined <- c.rejoinEvery(ctx) }()
	defer func() {
		cancel()
		<-joined
	}()
	refresh := time.NewTicker(c.cfg.Refresh)
	defer refresh.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.closed:
			return nil
		case err := <-joined:
			joined <- nil // for the deferred wait
			return err
		case <-refresh.C:
			c.refresh()
		}
	}
}

// rejoinEvery calls rejoin every Config.JoinRetry until ctx ends (nil)
// or a join meets a clash of this node's name (the error).
func (c *Cluster) rejoinEvery(ctx context.Context) error {
	retry := time.NewTicker(c.cfg.JoinRetry)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.closed:
			return nil
		case <-retry.C:
			if err := c.rejoin(); err != nil {
				return err
			}
		}
	}
}

// shutdown leaves the cluster (so peers see this node left, not dead)
// and stops gossip.
func (c *Cluster) shutdown() {
	c.stopOnce.Do(func() {
		defer c.stopped.Store(true)
		c.sayGoodbye()
		if err := c.ml.Leave(time.Second); err != nil {
			c.log.Warn("cannot announce leaving the cluster", "error", err)
		}
		if err := c.ml.Shutdown(); err != nil {
			c.log.Warn("cannot stop gossip", "error", err)
		}
		c.log.Info("cluster gossip stopped", "node", c.cfg.Node)
	})
}

// sayGoodbye tells every member, best effort, that this node is leaving
// in order: they show it left rather than dead (memberlist does not tell).
func (c *Cluster) sayGoodbye() {
	msg := encode(message{Node: c.cfg.Node, Leaving: true})
	for _, n := range c.ml.Members() {
		if n.Name == c.cfg.Node {
			continue
		}
		if err := c.ml.SendBestEffort(n, msg); err != nil {
			c.log.Debug("cannot say goodbye", "member", n.Name, "error", err)
		}
	}
}

// Close stops gossip without leaving: peers see this node fail, as if it
// was killed, and Run returns. Run's own return (its context ending) is
// the orderly stop.
func (c *Cluster) Close() error {
	var err error
	c.stopOnce.Do(func() {
		err = c.ml.Shutdown()
		c.stopped.Store(true)
		close(c.closed)
	})
	return err
}

// join joins the configured peers once. Unreachable peers are logged;
// a name clash met while joining is returned.
func (c *Cluster) join() error {
	n, err := c.joinAddrs(c.cfg.Peers)
	if err != nil {
		return err
	}
	if n > 0 {
		c.broadcastOwn() // peers that missed earlier broadcasts hear them now
	}
	return nil
}

// joinAddrs joins the members at addrs once and returns how many it
// reached, logging the outcome; the error is a name clash met while
// joining.
func (c *Cluster) joinAddrs(addrs []string) (int, error) {
	if len(addrs) == 0 || c.stopped.Load() {
		return 0, nil
	}
	r := c.joinOnce(addrs)
	if r.conflict != nil {
		return r.reached, r.conflict
	}
	switch {
	case r.reached == 0:
		c.log.Warn("no cluster peer reachable; serving from this node's own view and retrying",
			"peers", len(addrs), "retry", c.cfg.JoinRetry.String(), "error", r.err)
	case r.err != nil:
		c.log.Info("joined the cluster; some peers unreachable", "reached", r.reached, "error", r.err)
	default:
		c.log.Info("joined the cluster", "reached", r.reached)
	}
	return r.reached, nil
}

// joinResult is the outcome of one join.
type joinResult struct {
	reached  int   // members reached
	err      error // memberlist's error about those not reached
	conflict error // a clash of this node's name, met while joining
}

// joinOnce joins the members at addrs, watching for a name clash.
func (c *Cluster) joinOnce(addrs []string) joinResult {
	c.mu.Lock()
	c.joining, c.conflict = true, nil
	c.mu.Unlock()
	n, err := c.ml.Join(addrs)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.joining = false
	if c.conflict != nil {
		c.log.Error("cannot join the cluster", "error", c.conflict)
	}
	return joinResult{reached: n, err: err, conflict: c.conflict}
}

// Reconnect is how long after a member failed (dead, not left) this node
// keeps trying to join it again, every Config.JoinRetry: after a
// partition heals, the two sides find each other again without an
// operator.
const Reconnect = 24 * time.Hour

// rejoin joins the members that failed within Reconnect (to heal a
// partition between groups of nodes, which memberlist does not do by
// itself), and the configured peers too while no peer is alive.
func (c *Cluster) rejoin() error {
	alone := len(c.live()) <= 1
	now := c.cfg.Now()
	var failed []string
	c.mu.Lock()
	for _, m := range c.members {
		if !m.self && m.state == StateDead && !m.leaving && m.addr != "" && now.Sub(m.since) < Reconnect {
			failed = append(failed, m.addr)
		}
	}
	c.mu.Unlock()
	slices.Sort(failed)
	if alone { // as at start, with the failed members too
		n, err := c.joinAddrs(slices.Concat(c.cfg.Peers, failed))
		if n > 0 {
			c.broadcastOwn()
		}
		return err
	}
	if len(failed) == 0 || c.stopped.Load() {
		return nil
	}
	r := c.joinOnce(failed)
	if r.conflict != nil {
		return r.conflict
	}
	if r.reached > 0 {
		c.log.Info("reached failed members again", "reached", r.reached, "tried", len(failed))
		c.broadcastOwn()
	}
	return nil
}

// refresh broadcasts this node's verdicts again and forgets what expired.
func (c *Cluster) refresh() {
	live := c.live()
	now := c.cfg.Now()
	c.mu.Lock()
	c.overrides.Prune(now, c.cfg.TombstoneRetention)
	for node := range c.peers {
		if live[node] {
			continue
		}
		if m, ok := c.members[node]; !ok || now.Sub(m.since) > c.cfg.Staleness {
			delete(c.peers, node)
		}
	}
	c.mu.Unlock()
	c.broadcastOwn()
	c.queueZones()
}

// live returns the names of the members memberlist sees alive or
// suspect, this node included; only this node once gossip stopped.
func (c *Cluster) live() map[string]bool {
	if c.stopped.Load() {
		return map[string]bool{c.cfg.Node: true}
	}
	nodes := c.ml.Members()
	out := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		out[n.Name] = true
	}
	return out
}

// hostPort formats a memberlist node's address.
func hostPort(n *memberlist.Node) string {
	return net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port)))
}
