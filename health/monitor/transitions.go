package monitor

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/gslb/gslb/health"
)

// change is a transition of one target, waiting to be logged and saved.
type change struct {
	target health.Target
	tr     health.Transition
}

// observe feeds a result of a probe that started at begin to the target's
// state machine, unless the target was removed or rescheduled since the
// probe started. A transition is queued for flush.
func (m *Monitor) observe(t health.Target, gen uint64, begin time.Time, r health.Result) {
	m.mu.Lock()
	e, ok := m.targets[t]
	if !ok || e.gen != gen {
		m.mu.Unlock()
		return
	}
	e.probes++
	e.lastStart = begin
	before := e.state.Detail().Status
	tr, changed := e.state.Observe(r, e.check.Rise, e.check.Fall)
	if changed {
		m.changedLocked(t, e, tr)
	}
	// An undecided target's snapshot status follows its last probe (see
	// health.State.Detail): publish when that changes too.
	effective := !changed && e.state.Detail().Status != before
	if effective {
		m.republish = true
	}
	m.mu.Unlock()
	if changed || effective {
		m.poke()
	}
}

// changedLocked queues a transition of target t for flush and counts it.
// Callers hold mu.
func (m *Monitor) changedLocked(t health.Target, e *entry, tr health.Transition) {
	m.pending = append(m.pending, change{t, tr})
	switch tr.To {
	case health.Up:
		e.ups++
	case health.Down:
		e.downs++
	}
}

// TransitionCount is how many times a target became up and down since it
// was added (a removed target's counts are forgotten).
type TransitionCount struct {
	Target health.Target
	Up     uint64
	Down   uint64
}

// Transitions returns the transition counts of every target, sorted by
// target.
func (m *Monitor) Transitions() []TransitionCount {
	m.mu.Lock()
	out := make([]TransitionCount, 0, len(m.targets))
	for t, e := range m.targets {
		out = append(out, TransitionCount{Target: t, Up: e.ups, Down: e.downs})
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b TransitionCount) int { return a.Target.Compare(b.Target) })
	return out
}

// poke wakes Run to handle pending transitions.
func (m *Monitor) poke() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// flush publishes, logs and saves the pending transitions as one batch.
func (m *Monitor) flush() {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.Lock()
	batch, republish := m.pending, m.republish
	m.pending, m.republish = nil, false
	if len(batch) == 0 && !republish {
		m.mu.Unlock()
		return
	}
	m.publishLocked()
	save := m.transitionStatesLocked(batch, m.opts.Now())
	m.mu.Unlock()

	for _, c := range batch {
		m.logTransition(c)
	}
	if m.opts.Store != nil && len(save) > 0 {
		m.saveStates(save, "cannot save target states")
	}
	m.checkReady()
}

// logTransition logs one transition: at warning level when the target
// went down, else at info level.
func (m *Monitor) logTransition(c change) {
	level := slog.LevelInfo
	if c.tr.To == health.Down {
		level = slog.LevelWarn
	}
	m.log.Log(context.Background(), level, "target "+c.tr.To.String(),
		"target", c.target.String(), "from", c.tr.From.String(), "to", c.tr.To.String(), "reason", c.tr.Reason)
}
