package health

import "errors"

// Errors returned by this package; test for them with errors.Is.
var (
	// ErrInvalidStatus is returned when a status name is not "unknown", "up"
	// or "down".
	ErrInvalidStatus = errors.New("invalid status")
	// ErrInvalidAction is returned when an override action name is not
	// "force-up", "force-down" or "drain".
	ErrInvalidAction = errors.New("invalid override action")
	// ErrInvalidOverride is returned by Override.Validate for an override that
	// names nothing, has no valid action, or has already expired.
	ErrInvalidOverride = errors.New("invalid override")
	// ErrInvalidQuorum is returned when a quorum name is not "majority",
	// "any" or "all".
	ErrInvalidQuorum = errors.New("invalid quorum")
)
