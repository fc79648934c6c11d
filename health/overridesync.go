package health

import (
	"cmp"
	"slices"
	"time"
)

// This file holds the model by which the nodes of a cluster agree on the
// admin overrides: every node keeps an OverrideLog, each entry stamped by
// when and on which node it was written, and merging two logs keeps, per
// key, the entry written last. Merge is commutative, associative and
// idempotent, so nodes that have exchanged what they know hold the same
// log whatever the order and repetition of the exchanges.

// DefaultTombstoneRetention is how long the clear of an override without
// Until is remembered: one week.
const DefaultTombstoneRetention = 7 * 24 * time.Hour

// OverrideEntry is the latest write of one override key: an override set
// (Cleared false) or cleared (Cleared true, a tombstone that keeps the
// cleared override so that its Until is known), stamped by At and Node.
type OverrideEntry struct {
	Override Override  `json:"override"`
	Cleared  bool      `json:"cleared,omitempty"`
	At       time.Time `json:"at"`   // when it was written, on the writer's clock
	Node     string    `json:"node"` // the node it was written on
}

// Key returns the override key the entry is about.
func (e OverrideEntry) Key() OverrideKey { return e.Override.Key() }

// Newer reports whether e wins over f: the later At, then the greater
// Node; entries equal in both (the same node writing twice in the same
// instant) are ordered by their content so that the order is total.
func (e OverrideEntry) Newer(f OverrideEntry) bool { return compareEntries(e, f) > 0 }

// compareEntries orders entries by At, Node, then content.
func compareEntries(e, f OverrideEntry) int {
	if c := e.At.Compare(f.At); c != 0 {
		return c
	}
	if c := cmp.Compare(e.Node, f.Node); c != 0 {
		return c
	}
	if e.Cleared != f.Cleared {
		if e.Cleared {
			return 1 // a clear wins over a set of the same instant
		}
		return -1
	}
	a, b := e.Override, f.Override
	if c := cmp.Compare(a.Action, b.Action); c != 0 {
		return c
	}
	if c := a.Until.Compare(b.Until); c != 0 {
		return c
	}
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Reason, b.Reason); c != 0 {
		return c
	}
	return cmp.Compare(a.Datacenter, b.Datacenter) // an address override may carry one
}

// Expired reports whether the entry can be forgotten at now: an override
// or a clear of one whose Until has passed, or a clear of an override
// without Until written more than retention ago. Forgetting it cannot
// bring an older write back to life, since that write would have lapsed
// too (retention bounds the memory of clears of overrides without end).
func (e OverrideEntry) Expired(now time.Time, retention time.Duration) bool {
	if !e.Override.Until.IsZero() {
		return !now.Before(e.Override.Until)
	}
	return e.Cleared && now.Sub(e.At) >= retention
}

// OverrideLog is the replicated state of the overrides: the latest entry
// of every key. The zero value (nil) is an empty log that Apply and Merge
// on a pointer fill in.
type OverrideLog map[OverrideKey]OverrideEntry

// Apply keeps e when it is newer than the entry of its key (or the key has
// none) and reports whether it did.
func (l *OverrideLog) Apply(e OverrideEntry) bool {
	k := e.Key()
	if old, ok := (*l)[k]; ok && !e.Newer(old) {
		return false
	}
	if *l == nil {
		*l = make(OverrideLog)
	}
	(*l)[k] = e
	return true
}

// Merge applies every entry of o and returns the entries that were kept,
// sorted by key: what changed in l.
func (l *OverrideLog) Merge(o OverrideLog) []OverrideEntry {
	var changed []OverrideEntry
	for _, e := range o {
		if l.Apply(e) {
			changed = append(changed, e)
		}
	}
	slices.SortFunc(changed, func(a, b OverrideEntry) int { return a.Key().Compare(b.Key()) })
	return changed
}

// Clone returns a copy of l.
func (l OverrideLog) Clone() OverrideLog {
	if l == nil {
		return nil
	}
	c := make(OverrideLog, len(l))
	for k, e := range l {
		c[k] = e
	}
	return c
}

// Entries returns the entries sorted by key.
func (l OverrideLog) Entries() []OverrideEntry {
	out := make([]OverrideEntry, 0, len(l))
	for _, e := range l {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b OverrideEntry) int { return a.Key().Compare(b.Key()) })
	return out
}

// Active returns the overrides set and in force at now, sorted by key.
func (l OverrideLog) Active(now time.Time) []Override {
	var out []Override
	for _, e := range l {
		if !e.Cleared && e.Override.Active(now) {
			out = append(out, e.Override)
		}
	}
	slices.SortFunc(out, func(a, b Override) int { return a.Key().Compare(b.Key()) })
	return out
}

// Prune deletes the entries expired at now (see OverrideEntry.Expired)
// and returns them.
func (l OverrideLog) Prune(now time.Time, retention time.Duration) []OverrideEntry {
	var gone []OverrideEntry
	for k, e := range l {
		if e.Expired(now, retention) {
			gone = append(gone, e)
			delete(l, k)
		}
	}
	slices.SortFunc(gone, func(a, b OverrideEntry) int { return a.Key().Compare(b.Key()) })
	return gone
}
