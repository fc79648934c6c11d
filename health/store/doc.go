// Package store keeps gslb's health state in a bbolt file (the `state` file
// of the server configuration): the last known state of every target, the
// admin overrides, and the drains and force-downs lifted recently (which
// slow ramp-up reads). It owns the file's layout, its locking and its
// recovery from corruption; what to write and when is the monitor's
// business (it writes on transitions, override changes and periodic
// checkpoints, never on every probe).
//
// # Layout
//
// Five buckets. "meta" holds the format version ("version" = "1").
// "targets" maps a target's String ("check/address") to the JSON of a
// TargetRecord: the health.State (status, since, back_since, counters, last
// result, recent results and transitions) and when it was written. "overrides" maps an override key
// (pool, datacenter and address joined by NUL bytes) to the JSON of a
// health.Override. "lifted" maps an override key, the same way, to the JSON
// of a health.Lifted: the last override of that key that an operator
// cleared or that lapsed, with when it ended; one record per key, the
// latest. "override-log" (a node of a cluster only) maps an override key,
// the same way, to the JSON of a health.OverrideEntry: the latest set or
// clear of that key known in the cluster, with its exact stamp (time and
// node), clears included until they expire, so that a node restarted
// alone keeps what it knew.
//
// A key is never both overridden and lifted: SaveOverride deletes the
// lifted record of its key and LiftOverride the override, each in one
// transaction with its write. Which overrides are lifted and how long their
// records are kept is the monitor's business.
//
// The version changes only for a layout an older gslb cannot read. Newer
// fields and buckets are additions that older versions ignore, and files
// written before them still open: a missing bucket is created by Open (Read
// finds it empty) and a record without a newer field decodes with its zero
// value (a state written before back_since has none).
//
// # Guarantees and caveats
//
// Only one process may open the file for writing: Open waits at most
// Options.Timeout for the lock and then fails with ErrLocked. A file that
// bbolt cannot read, or that fails the check made at Open (truncated, bad
// meta pages, unreadable pages, wrong bucket types), is moved aside to
// FILE.corrupt-TIMESTAMP with a warning, and a fresh empty store is created
// in its place; Open never crashes on a bad file. Panics and memory faults
// raised by bbolt while opening and checking are recovered and taken as
// corruption. A record that cannot be decoded is skipped with a warning.
//
// Read opens a file read-only for offline inspection (`gslb state`). bbolt
// locks readers out while a writer holds the file, so Read on the state
// file of a running server fails with ErrLocked; ask the running server's
// control API instead.
package store
