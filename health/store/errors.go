package store

import "errors"

// Errors returned by this package, wrapped with the file's path; test for
// them with errors.Is.
var (
	// ErrLocked is returned when another process holds the state file (the
	// message reads "state file X is locked by another gslb process").
	ErrLocked = errors.New("locked by another gslb process")
	// ErrCorrupt is returned by Read for a file bbolt cannot read or that
	// fails the open-time check. Open never returns it for the file itself:
	// it moves such a file aside and starts afresh.
	ErrCorrupt = errors.New("corrupt state file")
	// ErrNewerFormat is returned when the file was written by a newer gslb
	// with a format this one does not know. The file is left alone.
	ErrNewerFormat = errors.New("state file format is newer than this gslb")
)
