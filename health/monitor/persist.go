package monitor

import (
	"fmt"
	"time"

	"github.com/gslb/gslb/health"
)

// This file holds what the monitor reads from and writes to Options.Store
// for target states: the load at start, the warm-start seeds, the saves of
// transitions and checkpoints, and the deletion of states no longer
// needed. Overrides and lifted overrides are persisted where they change
// (overrides.go).

// load reads the persisted states (kept as seeds for the first SetTargets),
// the overrides, the lifted overrides and, in a cluster, the override log
// (handed to the cluster by seedCluster). Without a store there is nothing
// to load.
func (m *Monitor) load() error {
	st := m.opts.Store
	if st == nil {
		return nil
	}
	seeds, err := st.LoadStates()
	if err != nil {
		return fmt.Errorf("health monitor: load target states: %w", err)
	}
	m.seeds = seeds
	ovs, err := st.LoadOverrides()
	if err != nil {
		return fmt.Errorf("health monitor: load overrides: %w", err)
	}
	for _, o := range ovs {
		m.overrides[o.Key()] = o
	}
	ls, err := st.LoadLifted()
	if err != nil {
		return fmt.Errorf("health monitor: load lifted overrides: %w", err)
	}
	m.loadLifted(ls)
	if m.opts.Cluster != nil {
		if m.logSeed, err = st.LoadOverrideLog(); err != nil {
			return fmt.Errorf("health monitor: load the cluster's override log: %w", err)
		}
	}
	return nil
}

// warmStart gives a new, probed target its persisted state when that
// state is decided and its last probe is younger than the staleness limit
// of the target's check. It reports whether it did; a stale seed is
// dropped and the target starts Unknown.
func (m *Monitor) warmStart(e *entry, seed health.State, now time.Time) bool {
	if seed.Status == health.Unknown || seed.Last.At.IsZero() || now.Sub(seed.Last.At) >= m.opts.staleness(e.check) {
		return false
	}
	e.state, e.seeded, e.savedAt = seed, true, seed.Last.At
	return true
}

// unusedSeedsLocked returns the persisted targets that targets does not
// probe: their stored states are deleted. After the first SetTargets there
// are no seeds left.
func (m *Monitor) unusedSeedsLocked(targets map[health.Target]health.Check) []health.Target {
	var out []health.Target
	for t := range m.seeds {
		if c, ok := targets[t]; !ok || c.Type == health.CheckNone {
			out = append(out, t)
		}
	}
	return out
}

// deleteStates deletes the stored states of targets. Callers hold
// persistMu.
func (m *Monitor) deleteStates(targets []health.Target) {
	st := m.opts.Store
	if st == nil || len(targets) == 0 {
		return
	}
	if err := st.DeleteStates(targets...); err != nil {
		m.log.Error("cannot delete the states of removed targets", "targets", len(targets), "error", err)
	}
}

// transitionStatesLocked returns a copy of the state of every probed
// target in batch, to be saved, and marks them saved now.
func (m *Monitor) transitionStatesLocked(batch []change, now time.Time) map[health.Target]health.State {
	save := make(map[health.Target]health.State, len(batch))
	for _, c := range batch {
		if e, ok := m.targets[c.target]; ok && e.check.Type != health.CheckNone {
			save[c.target] = e.state.Clone()
			e.saved, e.savedAt = e.probes, now
		}
	}
	return save
}

// saveStates writes states to the store, logging msg when that fails.
// Callers hold persistMu.
func (m *Monitor) saveStates(states map[health.Target]health.State, msg string) {
	if err := m.opts.Store.SaveStates(states); err != nil {
		m.log.Error(msg, "targets", len(states), "error", err)
	}
}

// checkpoint saves the states that saw probes since they were last saved,
// all of them (all) or those whose last save is half their staleness limit
// old.
func (m *Monitor) checkpoint(all bool) {
	if m.opts.Store == nil {
		return
	}
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.Lock()
	now := m.opts.Now()
	save := make(map[health.Target]health.State)
	for t, e := range m.targets {
		if e.check.Type == health.CheckNone || e.probes == e.saved {
			continue
		}
		if all || now.Sub(e.savedAt) >= m.opts.staleness(e.check)/2 {
			save[t] = e.state.Clone()
			e.saved, e.savedAt = e.probes, now
		}
	}
	m.mu.Unlock()
	m.saveStates(save, "cannot checkpoint target states")
}
