// Package health owns what gslb knows about the health of its targets: the
// identity of a target (a check applied to one address), its status, the
// rise/fall state machine that turns probe results into a status (State),
// admin overrides, the quorum merge of several nodes' verdicts
// (MergeQuorum), and the immutable Snapshot that the query path reads. It
// imports only the standard library.
//
// The rest lives in sub-packages: probe runs one probe of a Check against an
// address, store keeps states and overrides in a bbolt file, and monitor
// schedules probes, feeds the state machines, persists transitions and
// publishes Snapshots.
//
// A Snapshot is never changed after it is built, so the query path may read
// it without locks; Snapshot.Status does not allocate. Unknown (no decision
// yet) is reported as such; selection treats it as up.
package health
