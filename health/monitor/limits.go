package monitor

import "time"

// Limits are the monitor's settings that may change while it runs: the
// [health] table of the server configuration, applied again at every
// reload. Zero fields take the defaults of Options.
type Limits struct {
	// MaxInFlight bounds the probes running at once (Options.MaxInFlight).
	MaxInFlight int
	// Staleness is Options.Staleness: how old a persisted state may be to
	// seed the snapshot at start, and so how often states are
	// checkpointed (at half of it).
	Staleness time.Duration
	// MaxStartWait is Options.MaxStartWait, counted from when Run started:
	// a change before the first round is done moves Ready's deadline.
	MaxStartWait time.Duration
}

// SetLimits applies new limits at once. A changed MaxInFlight lets more
// probes start at once, or lets the probes in flight finish and starts no
// new one until fewer than the new limit run; a changed Staleness applies
// from the next checkpoint; a changed MaxStartWait moves the deadline of
// Ready while it is not closed. Changes are logged.
func (m *Monitor) SetLimits(l Limits) {
	l = l.withDefaults()
	m.mu.Lock()
	old := Limits{MaxInFlight: m.opts.MaxInFlight, Staleness: m.opts.Staleness, MaxStartWait: m.opts.MaxStartWait}
	m.opts.MaxInFlight, m.opts.Staleness, m.opts.MaxStartWait = l.MaxInFlight, l.Staleness, l.MaxStartWait
	m.mu.Unlock()
	if old == l {
		return
	}
	m.slots.setLimit(l.MaxInFlight)
	if old.MaxStartWait != l.MaxStartWait {
		select {
		case m.startWait <- struct{}{}:
		default:
		}
	}
	m.log.Info("health limits changed",
		"max_in_flight", l.MaxInFlight, "staleness", l.Staleness, "max_start_wait", l.MaxStartWait,
		"was_max_in_flight", old.MaxInFlight, "was_staleness", old.Staleness, "was_max_start_wait", old.MaxStartWait)
}

// withDefaults returns l with its zero fields filled in as Options does.
func (l Limits) withDefaults() Limits {
	o := Options{MaxInFlight: l.MaxInFlight, Staleness: l.Staleness, MaxStartWait: l.MaxStartWait}.withLimitDefaults()
	return Limits{MaxInFlight: o.MaxInFlight, Staleness: o.Staleness, MaxStartWait: o.MaxStartWait}
}

// maxStartWait returns the MaxStartWait in force.
func (m *Monitor) maxStartWait() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.opts.MaxStartWait
}
