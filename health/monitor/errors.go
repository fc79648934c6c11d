package monitor

import "errors"

// Errors returned by the Monitor; test for them with errors.Is. Invalid
// overrides are reported with health.ErrInvalidOverride.
var (
	// ErrNoOverride is returned by ClearOverride when no override has the
	// key.
	ErrNoOverride = errors.New("no such override")
	// ErrRunning is returned by Run when the monitor is already running.
	ErrRunning = errors.New("monitor already running")
)
