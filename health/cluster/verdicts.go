package cluster

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/gslb/gslb/health"
)

// SetVerdicts sets this node's own view of its targets (from its state
// machines). Targets whose status changed (or are new) get a new version
// and are broadcast at once; targets no longer in view are withdrawn.
// Unknown is no verdict.
func (c *Cluster) SetVerdicts(view map[health.Target]health.Detail) {
	now := c.cfg.Now()
	var send []wireVerdict
	c.mu.Lock()
	for _, t := range slices.SortedFunc(maps.Keys(view), health.Target.Compare) {
		d := view[t]
		old, had := c.own[t]
		if d.Status == health.Unknown {
			if had {
				delete(c.own, t)
				send = append(send, wireVerdict{Target: t, Status: health.Unknown, Version: c.nextVersionLocked(now)})
			}
			continue
		}
		if had && old.Status == d.Status {
			continue
		}
		v := health.Verdict{Node: c.cfg.Node, Status: d.Status, Since: d.Since, Version: c.nextVersionLocked(now), Heard: now}
		c.own[t] = v
		send = append(send, toWire(t, v))
	}
	for t := range c.own {
		if _, ok := view[t]; !ok {
			delete(c.own, t)
			send = append(send, wireVerdict{Target: t, Status: health.Unknown, Version: c.nextVersionLocked(now)})
		}
	}
	c.mu.Unlock()
	for _, w := range send {
		c.queueVerdicts("v/"+w.Target.String(), []wireVerdict{w})
	}
}

// nextVersionLocked returns a verdict version greater than every one
// given out before, also by an earlier run of this node: it starts from
// the clock. Callers hold mu.
func (c *Cluster) nextVersionLocked(now time.Time) uint64 {
	c.version = max(c.version+1, uint64(max(now.UnixNano(), 0)))
	return c.version
}

// toWire returns the wire form of this node's verdict v about t.
func toWire(t health.Target, v health.Verdict) wireVerdict {
	return wireVerdict{Target: t, Status: v.Status, Since: v.Since, Version: v.Version}
}

// ownWire returns this node's verdicts in wire form, sorted by target.
func (c *Cluster) ownWire() []wireVerdict {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]wireVerdict, 0, len(c.own))
	for _, t := range slices.SortedFunc(maps.Keys(c.own), health.Target.Compare) {
		out = append(out, toWire(t, c.own[t]))
	}
	return out
}

// broadcastOwn queues all of this node's verdicts, in messages that fit a
// broadcast, each replacing the same part of the previous refresh if that
// was not sent yet. A node without verdicts sends one empty message: it
// tells peers it is there (Member.LastContact).
func (c *Cluster) broadcastOwn() {
	all := c.ownWire()
	if len(all) == 0 {
		c.queueVerdicts("refresh/0", nil)
	}
	part := 0
	for len(all) > 0 {
		n := fitting(c.cfg.Node, all)
		c.queueVerdicts("refresh/"+strconv.Itoa(part), all[:n])
		all = all[n:]
		part++
	}
}

// fitting returns how many of vs (at least one) fit one broadcast.
func fitting(node string, vs []wireVerdict) int {
	size := len(encode(message{Node: node}))
	for i, v := range vs {
		b, _ := json.Marshal(v)
		size += len(b) + 1
		if size > maxBroadcast && i > 0 {
			return i
		}
	}
	return len(vs)
}

// queueVerdicts queues a broadcast of some of this node's verdicts.
func (c *Cluster) queueVerdicts(name string, vs []wireVerdict) {
	c.queue.QueueBroadcast(&broadcast{name: name, msg: encode(message{Node: c.cfg.Node, Verdicts: vs})})
}

// applyVerdicts keeps a peer's verdicts that are at least as new as those
// heard before (heard now), and reports whether any status changed.
// Callers hold mu.
func (c *Cluster) applyVerdictsLocked(node string, vs []wireVerdict) bool {
	if node == c.cfg.Node {
		return false
	}
	now := c.cfg.Now()
	byTarget := c.peers[node]
	if byTarget == nil {
		byTarget = make(map[health.Target]health.Verdict)
		c.peers[node] = byTarget
	}
	changed := false
	for _, w := range vs {
		old, had := byTarget[w.Target]
		if had && w.Version < old.Version {
			continue
		}
		if w.Status == health.Unknown {
			if had {
				delete(byTarget, w.Target)
				changed = true
			}
			continue
		}
		byTarget[w.Target] = health.Verdict{Node: node, Status: w.Status, Since: w.Since, Version: w.Version, Heard: now}
		changed = changed || !had || old.Status != w.Status
	}
	if m := c.members[node]; m != nil {
		m.lastContact = now
	}
	return changed
}

// PeerVerdicts returns the verdicts heard from other nodes, by target,
// each target's sorted by node. Dead members' verdicts may be among them
// for a while: Live says which count.
func (c *Cluster) PeerVerdicts() map[health.Target][]health.Verdict {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[health.Target][]health.Verdict)
	for _, node := range slices.Sorted(maps.Keys(c.peers)) {
		for t, v := range c.peers[node] {
			out[t] = append(out[t], v)
		}
	}
	return out
}

// OwnVerdicts returns this node's verdicts as last set, by target.
func (c *Cluster) OwnVerdicts() map[health.Target]health.Verdict {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.own)
}

// Live returns the names of the members alive or suspect now, this node
// included: those whose verdicts count.
func (c *Cluster) Live() map[string]bool { return c.live() }

// Merge returns the effective view of the targets of self (this node's
// own view) under quorum q: health.MergeQuorum over the verdicts of the
// live peers heard within Config.Staleness. prev is the last effective
// view, or nil (see health.QuorumInput.Previous).
func (c *Cluster) Merge(self map[health.Target]health.Detail, q health.Quorum, prev map[health.Target]health.Detail) map[health.Target]health.Merged {
	live := c.live()
	return health.MergeQuorum(health.QuorumInput{
		Quorum:    q,
		Self:      self,
		SelfName:  c.cfg.Node,
		Peers:     c.PeerVerdicts(),
		Live:      live,
		Staleness: c.cfg.Staleness,
		Now:       c.cfg.Now(),
		Previous:  prev,
	})
}
