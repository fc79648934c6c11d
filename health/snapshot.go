package health

import (
	"net/netip"
	"slices"
	"time"
)

// Detail is what a Snapshot records about one target: its status, since
// when, and the reason of the transition into it ("" when none, as for a
// target not yet decided).
type Detail struct {
	Status Status    `json:"status"`
	Since  time.Time `json:"since,omitzero"`
	Reason string    `json:"reason,omitempty"`
}

// Snapshot is an immutable view of every target's status and the admin
// overrides, published by the monitor and read by the query path. A nil
// *Snapshot is valid: every target is Unknown and nothing is overridden.
// Reading a status does not allocate.
type Snapshot struct {
	targets   map[Target]Detail
	overrides []Override
}

// NewSnapshot returns a snapshot of the given statuses and overrides. The
// maps and slices are copied, so the caller may keep changing its own.
func NewSnapshot(targets map[Target]Status, overrides []Override) *Snapshot {
	s := &Snapshot{targets: make(map[Target]Detail, len(targets))}
	for t, st := range targets {
		s.targets[t] = Detail{Status: st}
	}
	s.overrides = append([]Override(nil), overrides...)
	return s
}

// NewDetailedSnapshot returns a snapshot of the given target details and
// overrides. The map and slice are copied.
func NewDetailedSnapshot(targets map[Target]Detail, overrides []Override) *Snapshot {
	s := &Snapshot{targets: make(map[Target]Detail, len(targets))}
	for t, d := range targets {
		s.targets[t] = d
	}
	s.overrides = append([]Override(nil), overrides...)
	return s
}

// Status returns the probed status of a target, Unknown when it has none.
func (s *Snapshot) Status(t Target) Status {
	if s == nil {
		return Unknown
	}
	return s.targets[t].Status
}

// Detail returns the status of a target with since when and why, and
// whether the snapshot knows the target at all.
func (s *Snapshot) Detail(t Target) (Detail, bool) {
	if s == nil {
		return Detail{}, false
	}
	d, ok := s.targets[t]
	return d, ok
}

// Len returns the number of targets in the snapshot.
func (s *Snapshot) Len() int {
	if s == nil {
		return 0
	}
	return len(s.targets)
}

// Targets returns the targets in the snapshot, sorted by Target.Compare.
func (s *Snapshot) Targets() []Target {
	if s == nil {
		return nil
	}
	ts := make([]Target, 0, len(s.targets))
	for t := range s.targets {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, Target.Compare)
	return ts
}

// Overrides returns a copy of the overrides in the snapshot, including any
// that have lapsed but were not yet purged; check Override.Active.
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
