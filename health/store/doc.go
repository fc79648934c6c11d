// Package store keeps gslb's health state in a bbolt file (the `state` file
// of the server configuration): the last known state of every target and
// the admin overrides. It owns the file's layout, its locking and its
// recovery from corruption; what to write and when is the monitor's
// business (it writes on transitions, override changes and periodic
// checkpoints, never on every probe).
//
// # Layout
//
// Three buckets. "meta" holds the format version ("version" = "1").
// "targets" maps a target's String ("check/address") to the JSON of a
// TargetRecord: the health.State (status, since, counters, last result,
// recent results and transitions) and when it was written. "overrides" maps
// an override key to the JSON of a health.Override.
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
