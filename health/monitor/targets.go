package monitor

import (
	"context"
	"reflect"
	"time"

	"github.com/gslb/gslb/health"
)

// entry is the monitor's record of one target.
type entry struct {
	check     health.Check
	state     health.State
	seeded    bool               // state restored from the store at start
	gen       uint64             // incremented when the probe goroutine is replaced
	cancel    context.CancelFunc // stops the probe goroutine; nil when none runs
	lastStart time.Time          // when its last probe with a result started (monotonic); zero before one
	probes    uint64             // results observed
	saved     uint64             // probes when the state was last saved
	savedAt   time.Time          // when it was last saved (Options.Now)
	ups       uint64             // transitions to up since the target was added
	downs     uint64             // transitions to down since the target was added
}

// SetTargets replaces the set of targets with their checks. New targets
// start probing (at once, unless a fresh persisted state seeds them: then
// at their tick, phase.go); removed targets stop and their stored state is
// deleted; kept targets keep their state, and are rescheduled when their
// check changed. The new snapshot is published before SetTargets returns.
// The first call also deletes the stored states of targets that are no
// longer configured.
func (m *Monitor) SetTargets(targets map[health.Target]health.Check) {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()

	m.mu.Lock()
	now := m.opts.Now()
	var removed []health.Target
	for t, e := range m.targets {
		if _, ok := targets[t]; !ok {
			m.stopLocked(e)
			delete(m.targets, t)
			removed = append(removed, t)
		}
	}
	removed = append(removed, m.unusedSeedsLocked(targets)...)
	fresh, stale := 0, 0
	for t, c := range targets {
		if e, ok := m.targets[t]; ok {
			if m.updateLocked(t, e, c, now) {
				removed = append(removed, t) // no longer probed: nothing to keep
			}
			continue
		}
		e := &entry{check: c, state: health.NewState(now)}
		if c.Type == health.CheckNone {
			e.state.Set(health.Up, now, "check type none")
		} else if seed, ok := m.seeds[t]; ok {
			if m.warmStart(e, seed, now) {
				fresh++ // known: probed at its tick, no hurry
			} else {
				stale++
			}
		}
		m.targets[t] = e
		m.startLocked(t, e)
	}
	if !m.configured && (fresh > 0 || stale > 0) {
		m.log.Info("seeded target states from the state file", "fresh", fresh, "stale", stale)
	}
	m.seeds, m.configured = nil, true
	m.slots.setChecks(m.probedChecksLocked())
	m.publishLocked()
	m.mu.Unlock()

	m.deleteStates(removed)
	m.checkReady()
	m.poke()
}

// updateLocked applies a possibly changed check to a kept target. Its
// state is kept; a changed check restarts its probes at its tick of the
// new interval, within one interval of its last probe (firstProbe).
// It reports whether the check became of type none (Up, never probed).
func (m *Monitor) updateLocked(t health.Target, e *entry, c health.Check, now time.Time) (none bool) {
	if reflect.DeepEqual(e.check, c) {
		return false
	}
	m.stopLocked(e)
	wasNone := e.check.Type == health.CheckNone
	e.check = c
	if c.Type == health.CheckNone {
		if tr, ok := e.state.Set(health.Up, now, "check type none"); ok {
			m.changedLocked(t, e, tr)
		}
		return !wasNone
	}
	m.startLocked(t, e)
	return false
}

// probedChecksLocked returns the names of the checks that probe targets:
// those the probe slots are shared between.
func (m *Monitor) probedChecksLocked() map[string]bool {
	out := map[string]bool{}
	for t, e := range m.targets {
		if e.check.Type != health.CheckNone {
			out[t.Check] = true
		}
	}
	return out
}
