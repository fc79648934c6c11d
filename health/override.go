package health

import (
	"net/netip"
	"time"
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

// Override is an admin decision about a datacenter (Addr invalid) or one
// address (Addr valid), in every pool (Pool empty) or in one pool.
type Override struct {
	Pool       string     // "" for every pool
	Datacenter string     // datacenter name; may be "" when Addr is set
	Addr       netip.Addr // the zero Addr for the whole datacenter
	Action     Action
	Until      time.Time // zero: until cleared; otherwise it lapses at this time
	Reason     string    // free text from the operator
	Created    time.Time
}

// Active reports whether the override is in force at now.
func (o Override) Active(now time.Time) bool {
	return o.Until.IsZero() || now.Before(o.Until)
}
