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
	// BackSince is when the target last came back up after being Down: the
	// time of its last Down → Up transition, kept across restarts. It is
	// zero when the target was never seen Down (an Unknown → Up start is
	// not a return) and is meaningful only while Status is Up. Slow ramp-up
	// reads it.
	BackSince time.Time `json:"back_since,omitzero"`
}

// Lifted is an override that no longer applies, and since when: cleared by
// an operator, or lapsed at its Until. Slow ramp-up reads when a drain or
// a force-down of a datacenter or an address ended.
type Lifted struct {
	Override
	At time.Time `json:"at"`
}

// Snapshot is an immutable view of every target's status and the admin
// overrides, published by the monitor and read by the query path. A nil
// *Snapshot is valid: every target is Unknown and nothing is overridden.
// Reading a status does not allocate.
type Snapshot struct {
	targets   map[Target]Detail
	overrides []Override
	lifted    []Lifted
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

// WithLifted returns a copy of s that also remembers the lifted overrides
// (see LiftedAt). The slice is copied.
func (s *Snapshot) WithLifted(lifted []Lifted) *Snapshot {
	c := &Snapshot{}
	if s != nil {
		*c = *s
	}
	c.lifted = append([]Lifted(nil), lifted...)
	return c
}

// Timed reports whether what the snapshot says of a target can depend on
// the time: whether it holds overrides (Override and LiftedAt judge their
// Until against a time) or lifted ones (LiftedAt). Without them Override,
// LiftedAt and every status read give the same answer at any time, and the
// query path need not read the clock.
func (s *Snapshot) Timed() bool {
	return s != nil && (len(s.overrides) > 0 || len(s.lifted) > 0)
}

// Lifted returns a copy of the lifted overrides the snapshot remembers.
func (s *Snapshot) Lifted() []Lifted {
	if s == nil {
		return nil
	}
	return append([]Lifted(nil), s.lifted...)
}

// BackSince returns when target t last came back up from Down, or the zero
// time when it is not Up or never was Down (see Detail.BackSince).
func (s *Snapshot) BackSince(t Target) time.Time {
	if s == nil {
		return time.Time{}
	}
	d := s.targets[t]
	if d.Status != Up {
		return time.Time{}
	}
	return d.BackSince
}

// LiftedAt returns the latest time at or before now at which a drain or a
// force-down that would apply to an address of a datacenter in a pool (by
// the matching rules of Override, for addr; for the datacenter itself when
// addr is the zero Addr) stopped applying: lifted by an operator (the
// snapshot's Lifted), or lapsed at its Until while still listed. It is the
// zero time when none is known.
func (s *Snapshot) LiftedAt(pool, datacenter string, addr netip.Addr, now time.Time) time.Time {
	var at time.Time
	if s == nil {
		return at
	}
	consider := func(o Override, end time.Time) {
		if o.Action != Drain && o.Action != ForceDown {
			return
		}
		if o.Pool != "" && o.Pool != pool {
			return
		}
		if o.Addr.IsValid() {
			if o.Addr != addr {
				return
			}
		} else if o.Datacenter != datacenter {
			return
		}
		if !end.After(now) && end.After(at) {
			at = end
		}
	}
	for _, l := range s.lifted {
		consider(l.Override, l.At)
	}
	for _, o := range s.overrides {
		if !o.Until.IsZero() {
			consider(o, o.Until)
		}
	}
	return at
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
