package monitor

import (
	"maps"
	"slices"

	"github.com/gslb/gslb/health"
)

// This file keeps the cluster's override log (Options.Cluster) in the
// store with its exact stamps, clears included: a node restarted alone
// keeps what it knew, and a set it held cannot come back to life on its
// peers over a clear it had learned (a clear of a force-up leaves no
// lifted record). The monitor writes the entries that changed after each
// of its own override changes and at every cluster change or refresh.

// seedCluster hands the cluster's log what this node knew: the stored log
// entries, exact; for keys the log lacks (a state file written outside a
// cluster or by an older gslb), its overrides stamped by their Created
// time and its lifted overrides by when they ended. Newer entries of
// peers win over them. Callers have loaded the store.
func (m *Monitor) seedCluster() {
	cl := m.opts.Cluster
	if cl == nil {
		return
	}
	entries := slices.Clone(m.logSeed)
	known := make(map[health.OverrideKey]bool, len(entries))
	for _, e := range entries {
		known[e.Key()] = true
	}
	for _, o := range m.overrides {
		if !known[o.Key()] {
			entries = append(entries, health.OverrideEntry{Override: o, At: o.Created})
		}
	}
	for _, l := range m.lifted {
		if !known[l.Key()] {
			entries = append(entries, health.OverrideEntry{Override: l.Override, Cleared: true, At: l.At})
		}
	}
	cl.LoadOverrides(entries)
	m.savedLog = make(health.OverrideLog, len(m.logSeed))
	for _, e := range m.logSeed {
		m.savedLog[e.Key()] = e
	}
	m.logSeed = nil
}

// saveOverrideLogLocked writes the entries of the cluster's log that
// differ from those last written and deletes those it no longer has.
// Callers hold persistMu.
func (m *Monitor) saveOverrideLogLocked() {
	st, cl := m.opts.Store, m.opts.Cluster
	if st == nil || cl == nil {
		return
	}
	cur := cl.Overrides()
	var save []health.OverrideEntry
	for _, k := range slices.SortedFunc(maps.Keys(cur), health.OverrideKey.Compare) {
		if old, ok := m.savedLog[k]; !ok || !sameEntry(old, cur[k]) {
			save = append(save, cur[k])
		}
	}
	var gone []health.OverrideKey
	for k := range m.savedLog {
		if _, ok := cur[k]; !ok {
			gone = append(gone, k)
		}
	}
	if len(save) == 0 && len(gone) == 0 {
		return
	}
	slices.SortFunc(gone, health.OverrideKey.Compare)
	if err := st.SaveOverrideLog(save, gone); err != nil {
		m.log.Error("cannot save the cluster's override log", "entries", len(save), "deleted", len(gone), "error", err)
		return // the next call tries again
	}
	m.savedLog = cur
}

// saveOverrideLog is saveOverrideLogLocked for callers without persistMu.
func (m *Monitor) saveOverrideLog() {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.saveOverrideLogLocked()
}

// sameEntry reports whether a and b are the same write (neither newer).
func sameEntry(a, b health.OverrideEntry) bool { return !a.Newer(b) && !b.Newer(a) }
