package health

import (
	"cmp"
	"fmt"
	"net/netip"
)

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

// MarshalText encodes the status as its String, for JSON and the store.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes "unknown", "up" or "down".
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseStatus returns the Status named "unknown", "up" or "down".
func ParseStatus(name string) (Status, error) {
	switch name {
	case "unknown":
		return Unknown, nil
	case "up":
		return Up, nil
	case "down":
		return Down, nil
	}
	return Unknown, fmt.Errorf("parse status %q: %w", name, ErrInvalidStatus)
}

// Target identifies one probed thing: a check (by its name in the server
// configuration) applied to one address. A target used by several pools is
// probed once.
type Target struct {
	Check string     `json:"check"`
	Addr  netip.Addr `json:"addr"`
}

// String returns "check/address".
func (t Target) String() string { return t.Check + "/" + t.Addr.String() }

// Compare orders targets by check name, then address; it returns -1, 0 or +1.
func (t Target) Compare(u Target) int {
	if c := cmp.Compare(t.Check, u.Check); c != 0 {
		return c
	}
	return t.Addr.Compare(u.Addr)
}
