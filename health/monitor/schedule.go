package monitor

import (
	"context"
	"time"

	"github.com/gslb/gslb/health"
)

// This file decides when probe goroutines run: one per probed target while
// Run runs, replaced when the target's check changes. When each probes
// first, and then, is in phase.go; the goroutine itself in probeloop.go.

// startProbes records ctx as the context of the probe goroutines and
// starts one for every probed target. It returns how many targets there
// are, or ErrRunning when Run already runs.
func (m *Monitor) startProbes(ctx context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.runCtx != nil {
		return 0, ErrRunning
	}
	m.runCtx = ctx
	for t, e := range m.targets {
		m.startLocked(t, e)
	}
	return len(m.targets), nil
}

// stopProbes stops every probe goroutine and waits for them to return;
// targets set later are not probed until Run starts again.
func (m *Monitor) stopProbes() {
	m.mu.Lock()
	for _, e := range m.targets {
		m.stopLocked(e)
	}
	m.runCtx = nil
	m.mu.Unlock()
	m.wg.Wait()
}

// startLocked starts the probe goroutine of a target if Run is running and
// the target is probed at all: at once if it is undecided, else at its
// tick (firstProbe).
func (m *Monitor) startLocked(t health.Target, e *entry) {
	if m.runCtx == nil || e.check.Type == health.CheckNone || e.cancel != nil {
		return
	}
	every := interval(e.check)
	ph := phase(t, every)
	first := firstProbe(time.Now(), m.epoch, e.lastStart, e.undecided(), ph, every)
	ctx, cancel := context.WithCancel(m.runCtx)
	e.cancel = cancel
	e.gen++
	m.wg.Add(1)
	go m.probeLoop(ctx, t, e.check, e.gen, first, ph)
}

// stopLocked stops the probe goroutine of a target; a result it is about
// to deliver is dropped.
func (m *Monitor) stopLocked(e *entry) {
	if e.cancel != nil {
		e.cancel()
		e.cancel = nil
	}
	e.gen++
}
