package main

import (
	"errors"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/monitor"
)

// controlMonitor is the health monitor as the control API sees it.
type controlMonitor struct{ *monitor.Monitor }

var _ control.Monitor = controlMonitor{}

// States returns the detailed state of every target, sorted by target.
func (m controlMonitor) States() []control.TargetState {
	states := m.Monitor.States()
	out := make([]control.TargetState, len(states))
	for i, st := range states {
		out[i] = control.TargetState(st)
	}
	return out
}

// ClearOverride removes the override with key k; its error matches
// control.ErrNotFound when there is none.
func (m controlMonitor) ClearOverride(k health.OverrideKey) error {
	err := m.Monitor.ClearOverride(k)
	if errors.Is(err, monitor.ErrNoOverride) {
		return notFound{err}
	}
	return err
}

// notFound is an error that also matches control.ErrNotFound.
type notFound struct{ error }

func (e notFound) Unwrap() []error { return []error{e.error, control.ErrNotFound} }
