package health

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode"
)

// Action is what an admin override does.
type Action uint8

const (
	// ForceUp treats the datacenter or address as up whatever the probes say.
	ForceUp Action = iota + 1
	// ForceDown treats it as down whatever the probes say.
	ForceDown
	// Drain takes it out of selection like ForceDown; in addition a drained
	// datacenter is not used by the fail-open all-down policy unless every
	// member is drained.
	Drain
)

// String returns "force-up", "force-down", "drain", or "invalid" for any
// other value.
func (a Action) String() string {
	switch a {
	case ForceUp:
		return "force-up"
	case ForceDown:
		return "force-down"
	case Drain:
		return "drain"
	default:
		return "invalid"
	}
}

// MarshalText encodes a valid action as its String; the zero and other
// invalid values are an error.
func (a Action) MarshalText() ([]byte, error) {
	if a < ForceUp || a > Drain {
		return nil, fmt.Errorf("marshal action %d: %w", a, ErrInvalidAction)
	}
	return []byte(a.String()), nil
}

// UnmarshalText decodes "force-up", "force-down" or "drain".
func (a *Action) UnmarshalText(b []byte) error {
	v, err := ParseAction(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ParseAction returns the Action named "force-up", "force-down" or "drain".
func ParseAction(name string) (Action, error) {
	switch name {
	case "force-up":
		return ForceUp, nil
	case "force-down":
		return ForceDown, nil
	case "drain":
		return Drain, nil
	}
	return 0, fmt.Errorf("parse action %q: %w", name, ErrInvalidAction)
}

// Override is an admin decision about a datacenter (Addr invalid) or one
// address (Addr valid), in every pool (Pool empty) or in one pool. At most one
// override exists per OverrideKey: setting another replaces it.
type Override struct {
	Pool       string     `json:"pool,omitempty"`       // "" for every pool
	Datacenter string     `json:"datacenter,omitempty"` // datacenter name; may be "" when Addr is set
	Addr       netip.Addr `json:"addr,omitzero"`        // the zero Addr for the whole datacenter
	Action     Action     `json:"action"`
	Until      time.Time  `json:"until,omitzero"`   // zero: until cleared; otherwise it lapses at this time
	Reason     string     `json:"reason,omitempty"` // free text from the operator
	Created    time.Time  `json:"created,omitzero"`
}

// Active reports whether the override is in force at now.
func (o Override) Active(now time.Time) bool {
	return o.Until.IsZero() || now.Before(o.Until)
}

// OverrideKey identifies what an override applies to. An address override
// matches its address in any datacenter, so its key has no datacenter; build
// keys with Override.Key or KeyFor so that they compare equal.
type OverrideKey struct {
	Pool       string     `json:"pool,omitempty"`
	Datacenter string     `json:"datacenter,omitempty"`
	Addr       netip.Addr `json:"addr,omitzero"`
}

// KeyFor returns the normalized key of an override of addr (when valid) or
// of datacenter, in pool ("" for every pool).
func KeyFor(pool, datacenter string, addr netip.Addr) OverrideKey {
	if addr.IsValid() {
		datacenter = ""
	}
	return OverrideKey{Pool: pool, Datacenter: datacenter, Addr: addr}
}

// Key returns the normalized key of the override.
func (o Override) Key() OverrideKey { return KeyFor(o.Pool, o.Datacenter, o.Addr) }

// String returns a readable form of the key, such as "pool=web dc=ams" or
// "pool=* addr=192.0.2.10".
func (k OverrideKey) String() string {
	pool := k.Pool
	if pool == "" {
		pool = "*"
	}
	if k.Addr.IsValid() {
		return "pool=" + pool + " addr=" + k.Addr.String()
	}
	return "pool=" + pool + " dc=" + k.Datacenter
}

// Validate reports, wrapping ErrInvalidOverride, whether the key's pool or
// datacenter name holds a control character (NUL included: the state file
// joins key parts with it).
func (k OverrideKey) Validate() error {
	for _, f := range []struct{ what, name string }{{"pool", k.Pool}, {"datacenter", k.Datacenter}} {
		if strings.ContainsFunc(f.name, unicode.IsControl) {
			return fmt.Errorf("override: %s name %q has a control character: %w", f.what, f.name, ErrInvalidOverride)
		}
	}
	return nil
}

// Validate reports, wrapping ErrInvalidOverride, whether the override names
// neither a datacenter nor an address, has a control character in its pool
// or datacenter name, has an invalid action, or has already lapsed at now.
func (o Override) Validate(now time.Time) error {
	if err := (OverrideKey{Pool: o.Pool, Datacenter: o.Datacenter}).Validate(); err != nil {
		return err
	}
	switch {
	case o.Datacenter == "" && !o.Addr.IsValid():
		return fmt.Errorf("override %s: no datacenter or address: %w", o.Key(), ErrInvalidOverride)
	case o.Action < ForceUp || o.Action > Drain:
		return fmt.Errorf("override %s: action %d: %w", o.Key(), o.Action, ErrInvalidOverride)
	case !o.Active(now):
		return fmt.Errorf("override %s: already expired at %s: %w", o.Key(), o.Until.Format(time.RFC3339), ErrInvalidOverride)
	}
	return nil
}

// Compare orders keys by pool, datacenter, then address.
func (k OverrideKey) Compare(o OverrideKey) int {
	if c := strings.Compare(k.Pool, o.Pool); c != 0 {
		return c
	}
	if c := strings.Compare(k.Datacenter, o.Datacenter); c != 0 {
		return c
	}
	return k.Addr.Compare(o.Addr)
}
