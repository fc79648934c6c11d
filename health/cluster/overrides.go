package cluster

import (
	"time"

	"github.com/gslb/gslb/health"
)

// SetOverride records o as set now by this node, broadcasts it and
// returns the entry. The entry is stamped later than any earlier entry of
// its key, so that it wins on this node whatever the clocks.
func (c *Cluster) SetOverride(o health.Override) health.OverrideEntry {
	return c.write(o, false)
}

// ClearOverride records the clear of o (the override cleared; its key
// and Until matter) by this node, broadcasts it and returns the
// tombstone.
func (c *Cluster) ClearOverride(o health.Override) health.OverrideEntry {
	return c.write(o, true)
}

// write records and broadcasts an entry of this node.
func (c *Cluster) write(o health.Override, cleared bool) health.OverrideEntry {
	now := c.cfg.Now()
	c.mu.Lock()
	at := now
	if old, ok := c.overrides[o.Key()]; ok && !at.After(old.At) {
		at = old.At.Add(time.Nanosecond)
	}
	e := health.OverrideEntry{Override: o, Cleared: cleared, At: at, Node: c.cfg.Node}
	c.overrides.Apply(e)
	c.notifyLocked()
	c.mu.Unlock()
	c.queueOverride(e)
	return e
}

// LoadOverrides merges entries (as persisted by an earlier run) into the
// log without broadcasting them: peers learn them at the next push/pull.
func (c *Cluster) LoadOverrides(entries []health.OverrideEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range entries {
		c.overrides.Apply(e)
	}
	c.notifyLocked()
}

// Overrides returns a copy of the override log: every key's latest set or
// clear.
func (c *Cluster) Overrides() health.OverrideLog {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.overrides.Clone()
}

// ActiveOverrides returns the overrides set and in force now.
func (c *Cluster) ActiveOverrides() []health.Override {
	now := c.cfg.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.overrides.Active(now)
}

// queueOverride queues a broadcast of one entry, replacing an unsent
// broadcast of its key. An entry too large for a packet (a long reason)
// travels with push/pull only.
func (c *Cluster) queueOverride(e health.OverrideEntry) {
	msg := encode(message{Node: c.cfg.Node, Overrides: []health.OverrideEntry{e}})
	if len(msg) > maxBroadcast {
		c.log.Debug("override too large to broadcast; it travels with state syncs", "override", e.Key().String())
		return
	}
	c.queue.QueueBroadcast(&broadcast{name: "o/" + e.Key().String(), msg: msg})
}

// applyOverridesLocked merges entries heard from a peer and returns those
// that were new here. Callers hold mu.
func (c *Cluster) applyOverridesLocked(entries []health.OverrideEntry) []health.OverrideEntry {
	var changed []health.OverrideEntry
	for _, e := range entries {
		if c.overrides.Apply(e) {
			changed = append(changed, e)
		}
	}
	return changed
}
