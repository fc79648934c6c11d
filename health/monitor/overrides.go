package monitor

import (
	"fmt"
	"slices"

	"github.com/gslb/gslb/health"
)

// SetOverride validates o, saves it and publishes it, replacing any
// override with the same key and forgetting when an override of that key
// was last lifted. A zero Created is set to now. Nothing changes when
// saving fails.
func (m *Monitor) SetOverride(o health.Override) error { return m.setOverride(o, true) }

// setOverride is SetOverride; share sends the change through the cluster
// (not for a change adopted from it).
func (m *Monitor) setOverride(o health.Override, share bool) error {
	now := m.opts.Now()
	if o.Created.IsZero() {
		o.Created = now
	}
	if err := o.Validate(now); err != nil {
		return err
	}
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	if st := m.opts.Store; st != nil {
		if err := st.SaveOverride(o); err != nil {
			return fmt.Errorf("set override %s: %w", o.Key(), err)
		}
	}
	m.mu.Lock()
	m.overrides[o.Key()] = o
	delete(m.lifted, o.Key())
	m.publishLocked()
	m.mu.Unlock()
	if cl := m.opts.Cluster; cl != nil && share {
		cl.SetOverride(o)
		m.saveOverrideLogLocked()
	}
	m.log.Info("override set", "override", o.Key().String(), "action", o.Action.String(),
		"until", o.Until, "reason", o.Reason, "shared", share && m.opts.Cluster != nil)
	return nil
}

// ClearOverride removes the override with key k (normalized as by
// health.KeyFor), from the store and then from the snapshot. A drain or a
// force-down is remembered as lifted now (at its Until if it had already
// lapsed), in the same store transaction. It returns ErrNoOverride when
// there is none.
func (m *Monitor) ClearOverride(k health.OverrideKey) error { return m.clearOverride(k, true) }

// clearOverride is ClearOverride; share sends the change through the
// cluster (not for a change adopted from it).
func (m *Monitor) clearOverride(k health.OverrideKey, share bool) error {
	k = health.KeyFor(k.Pool, k.Datacenter, k.Addr)
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.Lock()
	o, ok := m.overrides[k]
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("clear override %s: %w", k, ErrNoOverride)
	}
	l, keep := m.lift(o, m.opts.Now())
	if err := m.removeOverride(o, l, keep); err != nil {
		return fmt.Errorf("clear override %s: %w", k, err)
	}
	m.mu.Lock()
	delete(m.overrides, k)
	if keep {
		m.lifted[k] = l
	}
	m.publishLocked()
	m.mu.Unlock()
	if cl := m.opts.Cluster; cl != nil && share {
		cl.ClearOverride(o)
		m.saveOverrideLogLocked()
	}
	m.log.Info("override cleared", "override", k.String(), "action", o.Action.String(), "shared", share && m.opts.Cluster != nil)
	return nil
}

// removeOverride deletes override o from the store, recording l as its
// lifted record when keep. Callers hold persistMu.
func (m *Monitor) removeOverride(o health.Override, l health.Lifted, keep bool) error {
	st := m.opts.Store
	switch {
	case st == nil:
		return nil
	case keep:
		return st.LiftOverride(l)
	default:
		return st.DeleteOverride(o.Key())
	}
}

// Overrides returns the overrides in force now, sorted by key.
func (m *Monitor) Overrides() []health.Override {
	now := m.opts.Now()
	m.mu.Lock()
	var out []health.Override
	for _, o := range m.overrides {
		if o.Active(now) {
			out = append(out, o)
		}
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b health.Override) int { return a.Key().Compare(b.Key()) })
	return out
}

// purge removes lapsed overrides from the store and the snapshot,
// remembering drains and force-downs as lifted at their Until, and forgets
// lifted overrides older than Options.LiftedRetention.
func (m *Monitor) purge() {
	now := m.opts.Now()
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.Lock()
	var lapsed []health.Override
	for _, o := range m.overrides {
		if !o.Active(now) {
			lapsed = append(lapsed, o)
		}
	}
	expired := m.expiredLiftedLocked(now)
	m.mu.Unlock()
	if len(lapsed) == 0 && len(expired) == 0 {
		return
	}
	slices.SortFunc(lapsed, func(a, b health.Override) int { return a.Key().Compare(b.Key()) })
	var gone []health.OverrideKey
	var lifted []health.Lifted
	for _, o := range lapsed {
		l, keep := m.lift(o, now)
		if err := m.removeOverride(o, l, keep); err != nil {
			m.log.Error("cannot purge a lapsed override", "override", o.Key().String(), "error", err)
			continue
		}
		gone = append(gone, o.Key())
		if keep {
			lifted = append(lifted, l)
		}
		m.log.Info("override lapsed", "override", o.Key().String(), "action", o.Action.String(), "until", o.Until)
	}
	if st := m.opts.Store; st != nil && len(expired) > 0 {
		if err := st.DeleteLifted(expired...); err != nil {
			// Never published again (see liftedLocked); the next purge retries.
			m.log.Error("cannot forget old lifted overrides", "overrides", len(expired), "error", err)
			expired = nil
		}
	}
	m.mu.Lock()
	for _, k := range gone {
		delete(m.overrides, k)
	}
	for _, l := range lifted {
		m.lifted[l.Key()] = l
	}
	for _, k := range expired {
		delete(m.lifted, k)
	}
	m.publishLocked()
	m.mu.Unlock()
}
