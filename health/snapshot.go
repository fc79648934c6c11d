package health

import (
	"net/netip"
	"time"
)

// Snapshot is an immutable view of every target's status and the admin
// overrides, published by the monitor and read by the query path. A nil
// *Snapshot is valid: every target is Unknown and nothing is overridden.
type Snapshot struct {
	targets   map[Target]Status
	overrides []Override
}

// NewSnapshot returns a snapshot of the given statuses and overrides. The
// maps and slices are copied, so the caller may keep changing its own.
func NewSnapshot(targets map[Target]Status, overrides []Override) *Snapshot {
	s := &Snapshot{targets: make(map[Target]Status, len(targets))}
	for t, st := range targets {
		s.targets[t] = st
	}
	s.overrides = append([]Override(nil), overrides...)
	return s
}

// Status returns the probed status of a target, Unknown when it has none.
func (s *Snapshot) Status(t Target) Status {
	if s == nil {
		return Unknown
	}
	return s.targets[t]
}

// Overrides returns a copy of the overrides in the snapshot.
func (s *Snapshot) Overrides() []Override {
	if s == nil {
		return nil
	}
	return append([]Override(nil), s.overrides...)
}

// Override returns the override in force at now for an address of a
// datacenter in a pool, if any. An address override wins over a datacenter
// override, and a pool-specific one over one for every pool.
func (s *Snapshot) Override(pool, datacenter string, addr netip.Addr, now time.Time) (Override, bool) {
	if s == nil || len(s.overrides) == 0 {
		return Override{}, false
	}
	best, bestRank := Override{}, -1
	for _, o := range s.overrides {
		if !o.Active(now) {
			continue
		}
		if o.Pool != "" && o.Pool != pool {
			continue
		}
		rank := 0
		switch {
		case o.Addr.IsValid():
			if o.Addr != addr {
				continue
			}
			rank = 2
		case o.Datacenter == datacenter:
		default:
			continue
		}
		if o.Pool != "" {
			rank++
		}
		if rank > bestRank {
			best, bestRank = o, rank
		}
	}
	return best, bestRank >= 0
}
