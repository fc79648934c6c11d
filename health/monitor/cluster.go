package monitor

import (
	"context"
	"time"

	"github.com/gslb/gslb/health"
)

// This file holds what the monitor does in a cluster (Options.Cluster):
// it hands its own view to the cluster, publishes the effective view that
// the quorum merge makes of every live node's verdicts, sends override
// changes through the cluster and adopts those made on other nodes.
// Without a cluster none of it runs and the snapshot is this node's view.

// Cluster is what the monitor needs of cluster gossip.
// *cluster.Cluster (package health/cluster) implements it.
type Cluster interface {
	// SetVerdicts hands over this node's own view of its targets.
	SetVerdicts(view map[health.Target]health.Detail)
	// Merge returns the effective view of the targets of self under q.
	Merge(self map[health.Target]health.Detail, q health.Quorum, prev map[health.Target]health.Detail) map[health.Target]health.Merged
	// Changed is closed at the next change of what the cluster heard.
	Changed() <-chan struct{}
	// SetOverride and ClearOverride record and broadcast an override
	// change of this node.
	SetOverride(o health.Override) health.OverrideEntry
	ClearOverride(o health.Override) health.OverrideEntry
	// LoadOverrides seeds the override log with what this node knew.
	LoadOverrides(entries []health.OverrideEntry)
	// Overrides returns the override log.
	Overrides() health.OverrideLog
}

// DefaultClusterRefresh is how often the effective view is merged again
// without a cluster event (peer verdicts turn stale silently).
const DefaultClusterRefresh = time.Second

// Merged returns the votes behind the effective status of every target
// at the last publication, or nil without a cluster.
func (m *Monitor) Merged() map[health.Target]health.Merged {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.merged == nil {
		return nil
	}
	out := make(map[health.Target]health.Merged, len(m.merged))
	for t, v := range m.merged {
		out[t] = v
	}
	return out
}

// mergeLocked hands this node's view ds to the cluster and returns the
// effective view, or ds itself without a cluster. Callers hold mu.
func (m *Monitor) mergeLocked(ds map[health.Target]health.Detail) map[health.Target]health.Detail {
	cl := m.opts.Cluster
	if cl == nil {
		return ds
	}
	cl.SetVerdicts(ds)
	merged := cl.Merge(ds, m.opts.Quorum, m.effective)
	eff := make(map[health.Target]health.Detail, len(merged))
	for t, v := range merged {
		eff[t] = v.Detail
		if old, ok := m.effective[t]; ok && old.Status != health.Unknown && old.Status != v.Status {
			m.log.Info("effective status "+v.Status.String(), "target", t.String(), "local", ds[t].Status.String(),
				"up_votes", v.Up, "down_votes", v.Down, "reason", v.Reason)
		}
	}
	m.effective, m.merged = eff, merged
	m.noteAloneLocked(merged)
	return eff
}

// noteAloneLocked logs when this node loses its last live peer (it then
// decides from its own view) and when it has live peers again. Callers
// hold mu.
func (m *Monitor) noteAloneLocked(merged map[health.Target]health.Merged) {
	alone := len(merged) > 0
	for _, v := range merged {
		alone = v.Alone
		break
	}
	if len(merged) == 0 || alone == m.alone {
		return
	}
	m.alone = alone
	if alone {
		m.log.Warn("no live cluster peer: health is decided from this node's own view")
	} else {
		m.log.Info("cluster peers live again: health is decided by quorum", "quorum", m.opts.Quorum.String())
	}
}

// effectiveChangedLocked reports whether merging again would change the
// status of a target in the published view. Callers hold mu.
func (m *Monitor) effectiveChangedLocked() bool {
	ds := make(map[health.Target]health.Detail, len(m.targets))
	for t, e := range m.targets {
		ds[t] = e.state.Detail()
	}
	merged := m.opts.Cluster.Merge(ds, m.opts.Quorum, m.effective)
	if len(merged) != len(m.effective) {
		return true
	}
	for t, v := range merged {
		if old, ok := m.effective[t]; !ok || old.Status != v.Status || m.merged[t].Up != v.Up || m.merged[t].Down != v.Down {
			return true
		}
	}
	return false
}

// followCluster republishes on every cluster change and every
// Options.ClusterRefresh, adopting override changes made elsewhere, until
// ctx ends.
func (m *Monitor) followCluster(ctx context.Context) {
	cl := m.opts.Cluster
	tick := time.NewTicker(m.opts.ClusterRefresh)
	defer tick.Stop()
	for {
		changed := cl.Changed()
		m.adoptOverrides()
		m.saveOverrideLog()
		m.mu.Lock()
		if m.effectiveChangedLocked() {
			m.publishLocked()
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-tick.C:
		}
	}
}

// adoptOverrides makes the monitor's overrides those of the cluster's
// log: sets in force that differ from what the monitor has are saved and
// applied, clears of overrides it has are lifted. Keys the log does not
// know are left to the monitor (lapsed ones are purged as usual).
func (m *Monitor) adoptOverrides() {
	now := m.opts.Now()
	for _, e := range m.opts.Cluster.Overrides().Entries() {
		k := e.Key()
		m.mu.Lock()
		cur, has := m.overrides[k]
		m.mu.Unlock()
		switch {
		case !e.Cleared && e.Override.Active(now) && (!has || !sameOverride(cur, e.Override)):
			if err := m.setOverride(e.Override, false); err != nil {
				m.log.Error("cannot adopt an override from the cluster", "override", k.String(), "error", err)
			}
		case e.Cleared && has && !cur.Created.After(e.At):
			if err := m.clearOverride(k, false); err != nil {
				m.log.Error("cannot adopt the clear of an override from the cluster", "override", k.String(), "error", err)
			}
		}
	}
}

// sameOverride reports whether a and b are the same override (times
// compared as instants: they crossed the wire).
func sameOverride(a, b health.Override) bool {
	return a.Key() == b.Key() && a.Datacenter == b.Datacenter && a.Action == b.Action &&
		a.Until.Equal(b.Until) && a.Created.Equal(b.Created) && a.Reason == b.Reason
}
