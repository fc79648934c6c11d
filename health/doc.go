// Package health owns what gslb knows about the health of its targets: the
// identity of a target (a check applied to one address), its status, the
// rise/fall state machine that turns probe results into a status, admin
// overrides, and the immutable Snapshot that the query path reads. It imports
// only the standard library; probes, the scheduler and the bbolt store live in
// sub-packages.
package health
