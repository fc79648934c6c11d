package health

import "net/netip"

// Status is the health of one target.
type Status uint8

const (
	// Unknown means no decision has been reached yet (no probe result and no
	// fresh persisted state). Selection treats it as up.
	Unknown Status = iota
	// Up means the target passed rise consecutive probes.
	Up
	// Down means the target failed fall consecutive probes.
	Down
)

// String returns "unknown", "up" or "down".
func (s Status) String() string {
	switch s {
	case Up:
		return "up"
	case Down:
		return "down"
	default:
		return "unknown"
	}
}

// Target identifies one probed thing: a check (by its name in the server
// configuration) applied to one address. A target used by several pools is
// probed once.
type Target struct {
	Check string
	Addr  netip.Addr
}

// String returns "check/address".
func (t Target) String() string { return t.Check + "/" + t.Addr.String() }
