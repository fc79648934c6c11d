package cluster

import (
	"fmt"
	"net/netip"

	"github.com/hashicorp/memberlist"
)

// delegate is how memberlist calls this package: for messages and state
// syncs (Delegate), membership events (EventDelegate) and name clashes
// (ConflictDelegate, MergeDelegate). memberlist calls some of these with
// its own locks held: they take the Cluster's mu only, and never call
// memberlist back.
type delegate struct{ c *Cluster }

var (
	_ memberlist.Delegate         = (*delegate)(nil)
	_ memberlist.EventDelegate    = (*delegate)(nil)
	_ memberlist.ConflictDelegate = (*delegate)(nil)
	_ memberlist.MergeDelegate    = (*delegate)(nil)
)

// NodeMeta is empty: nothing is carried in alive messages.
func (d *delegate) NodeMeta(int) []byte { return nil }

// NotifyMsg handles a broadcast of a peer.
func (d *delegate) NotifyMsg(b []byte) {
	m, err := decode(b)
	if err != nil {
		d.c.log.Debug("dropped a gossip message", "bytes", len(b), "error", err)
		return
	}
	d.c.receive(m, false)
}

// GetBroadcasts hands memberlist the queued broadcasts that fit.
func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.c.queue.GetBroadcasts(overhead, limit)
}

// LocalState is this node's side of a push/pull: all of its verdicts and
// the whole override log.
func (d *delegate) LocalState(bool) []byte {
	c := d.c
	vs := c.ownWire()
	c.mu.Lock()
	entries := c.overrides.Entries()
	zones := c.zones
	c.mu.Unlock()
	return encode(message{Node: c.cfg.Node, Verdicts: vs, Overrides: entries, Zones: zones, HasZones: true})
}

// MergeRemoteState takes in a peer's side of a push/pull.
func (d *delegate) MergeRemoteState(b []byte, _ bool) {
	m, err := decode(b)
	if err != nil {
		d.c.log.Warn("dropped a peer's state", "bytes", len(b), "error", err)
		return
	}
	d.c.receive(m, true)
}

// receive applies a peer's message; overrides new here are broadcast on
// (unless they came with a state sync, which every node has in turn).
func (c *Cluster) receive(m message, sync bool) {
	c.mu.Lock()
	left := false
	if m.Leaving && m.Node != c.cfg.Node {
		mb := c.memberLocked(m.Node, "", c.cfg.Now())
		mb.leaving = true
		if mb.state == StateDead || mb.state == "" { // the goodbye came after memberlist's leave
			mb.state, left = StateLeft, true
		}
	}
	changed := c.applyVerdictsLocked(m.Node, m.Verdicts) || left
	news := c.applyOverridesLocked(m.Overrides)
	if changed || len(news) > 0 {
		c.notifyLocked()
	}
	var zoneDiffs []ZoneDiff
	if m.HasZones && m.Node != c.cfg.Node {
		c.peerZones[m.Node] = m.Zones
		zoneDiffs = c.newZoneDiffsLocked()
	}
	c.mu.Unlock()
	c.warnZones(zoneDiffs)
	for _, e := range news {
		c.log.Info("override learned from a peer", "from", m.Node, "override", e.Key().String(),
			"cleared", e.Cleared, "action", e.Override.Action.String(), "by", e.Node)
		if !sync {
			c.queueOverride(e)
		}
	}
}

// NotifyJoin records a member that joined or came back.
func (d *delegate) NotifyJoin(n *memberlist.Node) { d.c.event(n, StateAlive) }

// NotifyLeave records a member that died or left (when it said goodbye).
func (d *delegate) NotifyLeave(n *memberlist.Node) { d.c.event(n, StateDead) }

// NotifyUpdate records a member's new address or metadata.
func (d *delegate) NotifyUpdate(n *memberlist.Node) { d.c.event(n, StateAlive) }

// event records a membership change and logs it.
func (c *Cluster) event(n *memberlist.Node, state State) {
	if n.Name == c.cfg.Node {
		return
	}
	now := c.cfg.Now()
	c.mu.Lock()
	m := c.memberLocked(n.Name, hostPort(n), now)
	switch {
	case state == StateAlive:
		m.lastContact, m.leaving = now, false
	case m.leaving:
		state = StateLeft
	}
	moved := m.setLocked(state, now)
	if moved {
		c.notifyLocked()
	}
	c.mu.Unlock()
	if moved {
		c.log.Info("cluster member "+string(state), "member", n.Name, "addr", hostPort(n))
	}
}

// NotifyMerge looks, while this node joins, at the members a peer knows:
// one with this node's name at another address is a clash, and the join
// is refused, unless that member left in order. memberlist itself sees a
// clash only in an alive message; a member its peers suspect or found
// failed (a loaded node whose probes are late is either, and may well
// still run) reaches a joining node as a suspicion, which memberlist
// refutes, and the newcomer would take the name over. The same name at
// this node's own address is this node, from before a restart or a
// partition.
func (d *delegate) NotifyMerge(peers []*memberlist.Node) error {
	c := d.c
	for _, n := range peers {
		if n.Name != c.cfg.Node || n.State == memberlist.StateLeft {
			continue
		}
		ip, _ := netip.AddrFromSlice(n.Addr)
		if netip.AddrPortFrom(ip.Unmap(), n.Port) == c.addr {
			continue
		}
		self := &memberlist.Node{Name: c.cfg.Node, Addr: c.addr.Addr().AsSlice(), Port: c.addr.Port()}
		if n.State != memberlist.StateDead {
			d.NotifyConflict(self, n)
			return fmt.Errorf("node name %q is used by the member at %s: %w", n.Name, hostPort(n), ErrNameConflict)
		}
		err := fmt.Errorf("node name %q is held by the member at %s, which the cluster found failed but has not forgotten "+
			"(this node is %s; a loaded node can be found failed and still run): %w; if that node is gone for good, "+
			"start this one again in a minute, or give it another [cluster] node name",
			n.Name, hostPort(n), hostPort(self), ErrNameConflict)
		c.mu.Lock()
		c.joinClashLocked(err)
		c.mu.Unlock()
		return err
	}
	return nil
}

// NotifyConflict records a clash of names. When it concerns this node's
// name while it joins, Run fails; otherwise another node took this
// node's name, and it is that node's join that fails.
func (d *delegate) NotifyConflict(existing, other *memberlist.Node) {
	c := d.c
	c.mu.Lock()
	mine := existing.Name == c.cfg.Node && c.joining
	err := fmt.Errorf("node name %q is used by %s and %s: %w", existing.Name, hostPort(existing), hostPort(other), ErrNameConflict)
	if mine {
		err = fmt.Errorf("node name %q is already used by a live member at %s (this node is %s): %w; give this node another [cluster] node name",
			existing.Name, hostPort(other), hostPort(existing), ErrNameConflict)
	}
	if mine {
		c.joinClashLocked(err)
	}
	c.mu.Unlock()
	if !mine {
		c.log.Error("two nodes use one name", "error", err)
	}
}

// joinClashLocked records err, a clash of this node's name, for the join
// in progress (joinOnce returns it); none in progress, it is dropped.
// Callers hold mu.
func (c *Cluster) joinClashLocked(err error) {
	if c.joining {
		c.conflict = err
	}
}
