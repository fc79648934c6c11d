package monitor

import (
	"slices"
	"time"

	"github.com/gslb/gslb/health"
)

// TargetState is the detailed state of one target, for the control API and
// `gslb status`.
type TargetState struct {
	Target   health.Target    `json:"target"`
	Type     health.CheckType `json:"type"`
	Interval time.Duration    `json:"interval_ns"`
	Seeded   bool             `json:"seeded"` // the state was restored from the state file at start
	State    health.State     `json:"state"`
}

// States returns the detailed state of every target, sorted by target.
func (m *Monitor) States() []TargetState {
	m.mu.Lock()
	out := make([]TargetState, 0, len(m.targets))
	for t, e := range m.targets {
		out = append(out, m.targetState(t, e))
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b TargetState) int { return a.Target.Compare(b.Target) })
	return out
}

// State returns the detailed state of one target and whether it is known.
func (m *Monitor) State(t health.Target) (TargetState, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.targets[t]
	if !ok {
		return TargetState{}, false
	}
	return m.targetState(t, e), true
}

// targetState copies an entry; callers hold mu.
func (m *Monitor) targetState(t health.Target, e *entry) TargetState {
	return TargetState{Target: t, Type: e.check.Type, Interval: interval(e.check), Seeded: e.seeded, State: e.state.Clone()}
}
