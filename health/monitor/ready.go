package monitor

import "github.com/gslb/gslb/health"

// Ready returns a channel closed once SetTargets has been called and every
// target has been probed at least once or seeded from fresh persisted
// state (the first round), or Options.MaxStartWait after Run started,
// whichever comes first. It stays closed, also across later SetTargets.
func (m *Monitor) Ready() <-chan struct{} { return m.ready }

// undecided reports whether a target has neither a status nor a first
// probe result: the first round waits for it.
func (e *entry) undecided() bool {
	return e.state.Status == health.Unknown && e.state.Last.At.IsZero()
}

// undecidedLocked counts the undecided targets.
func (m *Monitor) undecidedLocked() int {
	n := 0
	for _, e := range m.targets {
		if e.undecided() {
			n++
		}
	}
	return n
}

// checkReady closes Ready when SetTargets was called and every target has
// a status or a first probe result.
func (m *Monitor) checkReady() {
	m.mu.Lock()
	if m.readyDone || !m.configured || m.undecidedLocked() > 0 {
		m.mu.Unlock()
		return
	}
	n := len(m.targets)
	m.mu.Unlock()
	m.markReady("first probe round done", n, 0)
}

// startWaitOver closes Ready when MaxStartWait has passed, counting the
// targets still undecided.
func (m *Monitor) startWaitOver() {
	m.mu.Lock()
	undecided, n := m.undecidedLocked(), len(m.targets)
	m.mu.Unlock()
	m.markReady("maximum start wait elapsed; targets never probed count as up", n, undecided)
}

// markReady closes Ready once.
func (m *Monitor) markReady(why string, targets, undecided int) {
	m.mu.Lock()
	if m.readyDone {
		m.mu.Unlock()
		return
	}
	m.readyDone = true
	close(m.ready)
	m.mu.Unlock()
	m.log.Info("health ready", "why", why, "targets", targets, "undecided", undecided)
}
