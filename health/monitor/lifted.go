package monitor

import (
	"slices"
	"time"

	"github.com/gslb/gslb/health"
)

// This file holds the lifted overrides: drains and force-downs that stopped
// applying, remembered with when they ended so that slow ramp-up can bring
// their datacenters and addresses back gradually. An override is lifted
// when an operator clears it or when purge removes it after it lapsed
// (overrides.go decides when; this file decides what is remembered and for
// how long). At most one record is kept per override key, the latest, and
// none for a key that has an override again.

// lift returns the lifted record of override o ending at now, and whether
// it is worth remembering: only drains and force-downs are (a force-up
// holds no clients back), and only while younger than LiftedRetention. An
// override that had already lapsed ended at its Until, not at now.
func (m *Monitor) lift(o health.Override, now time.Time) (health.Lifted, bool) {
	l := health.Lifted{Override: o, At: now}
	if !o.Active(now) {
		l.At = o.Until
	}
	keep := (o.Action == health.Drain || o.Action == health.ForceDown) && m.liftedFresh(l, now)
	return l, keep
}

// liftedFresh reports whether l is younger than LiftedRetention at now.
func (m *Monitor) liftedFresh(l health.Lifted, now time.Time) bool {
	return now.Sub(l.At) < m.opts.LiftedRetention
}

// liftedLocked returns the lifted overrides still within LiftedRetention
// at now, sorted by key, for a snapshot. Older ones wait for purge to
// delete them but are never published.
func (m *Monitor) liftedLocked(now time.Time) []health.Lifted {
	var out []health.Lifted
	for _, l := range m.lifted {
		if m.liftedFresh(l, now) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b health.Lifted) int { return a.Key().Compare(b.Key()) })
	return out
}

// expiredLiftedLocked returns the keys of the lifted overrides older than
// LiftedRetention at now: purge forgets them.
func (m *Monitor) expiredLiftedLocked(now time.Time) []health.OverrideKey {
	var out []health.OverrideKey
	for k, l := range m.lifted {
		if !m.liftedFresh(l, now) {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, health.OverrideKey.Compare)
	return out
}

// loadLifted keeps the stored lifted overrides, except those of a key that
// has an override again (a store written by an older gslb, which did not
// delete them when an override was set, may hold both). Callers have
// loaded the overrides.
func (m *Monitor) loadLifted(ls []health.Lifted) {
	for _, l := range ls {
		if _, ok := m.overrides[l.Key()]; ok {
			continue
		}
		m.lifted[l.Key()] = l
	}
}
