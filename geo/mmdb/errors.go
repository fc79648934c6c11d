package mmdb

import "errors"

// Errors returned by Open, Reload and Verify, wrapped with the operation and
// the file; test for them with errors.Is. A missing file wraps fs.ErrNotExist.
var (
	// ErrNoCityPath is returned by Open when no City database path is given.
	ErrNoCityPath = errors.New("no city database path")
	// ErrDatabaseType is returned when a file is a valid mmdb database of a
	// type that cannot serve as the City (or ASN) database, for example a
	// GeoLite2-ASN file given as the City database.
	ErrDatabaseType = errors.New("wrong database type")
	// ErrInvalid is returned when a file is not a readable mmdb database:
	// garbage, truncated, or failing verification.
	ErrInvalid = errors.New("invalid database")
)
