package monitor

import (
	"fmt"
	"slices"

	"github.com/gslb/gslb/health"
)

// SetOverride validates o, saves it and publishes it, replacing any
// override with the same key. A zero Created is set to now. Nothing changes
// when saving fails.
func (m *Monitor) SetOverride(o health.Override) error {
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
	m.publishLocked()
	m.mu.Unlock()
	m.log.Info("override set", "override", o.Key().String(), "action", o.Action.String(),
		"until", o.Until, "reason", o.Reason)
	return nil
}

// ClearOverride removes the override with key k (normalized as by
// health.KeyFor), from the store and then from the snapshot. It returns
// ErrNoOverride when there is none.
func (m *Monitor) ClearOverride(k health.OverrideKey) error {
	k = health.KeyFor(k.Pool, k.Datacenter, k.Addr)
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.Lock()
	_, ok := m.overrides[k]
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("clear override %s: %w", k, ErrNoOverride)
	}
	if st := m.opts.Store; st != nil {
		if err := st.DeleteOverride(k); err != nil {
			return fmt.Errorf("clear override %s: %w", k, err)
		}
	}
	m.mu.Lock()
	delete(m.overrides, k)
	m.publishLocked()
	m.mu.Unlock()
	m.log.Info("override cleared", "override", k.String())
	return nil
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

// purge removes lapsed overrides from the store and the snapshot.
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
	m.mu.Unlock()
	if len(lapsed) == 0 {
		return
	}
	var gone []health.OverrideKey
	for _, o := range lapsed {
		if st := m.opts.Store; st != nil {
			if err := st.DeleteOverride(o.Key()); err != nil {
				m.log.Error("cannot purge a lapsed override", "override", o.Key().String(), "error", err)
				continue
			}
		}
		gone = append(gone, o.Key())
		m.log.Info("override lapsed", "override", o.Key().String(), "action", o.Action.String(), "until", o.Until)
	}
	m.mu.Lock()
	for _, k := range gone {
		delete(m.overrides, k)
	}
	m.publishLocked()
	m.mu.Unlock()
}
