package zones

import (
	"slices"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// FileError is a zone file that failed to load at the last reload: its
// problems, and the zone that the file's previous version still serves,
// if any.
type FileError struct {
	File    string   `json:"file"`
	Serving string   `json:"serving,omitempty"` // origin of the previous version, still served; "" when none is
	Errors  []string `json:"errors"`            // "file:line:col: key.path: message", sorted
}

// Errors returns the zone files that failed to load at the last reload,
// sorted by file; an unreadable zones directory is reported as a file
// named after the directory. It returns an empty slice, never nil, when
// every file loaded.
func (s *Store) Errors() []FileError {
	if p := s.failing.Load(); p != nil {
		return slices.Clone(*p)
	}
	return []FileError{}
}

// fileErrors groups errs by file; serving is the version of each file
// serving after the reload.
func fileErrors(errs tomlcheck.ErrorList, serving map[string]*loaded) []FileError {
	errs.Sort()
	out := []FileError{}
	for _, e := range errs {
		if n := len(out); n > 0 && out[n-1].File == e.Pos.File {
			out[n-1].Errors = append(out[n-1].Errors, e.Error())
			continue
		}
		fe := FileError{File: e.Pos.File, Errors: []string{e.Error()}}
		if l := serving[e.Pos.File]; l != nil {
			fe.Serving = l.zone.Origin
		}
		out = append(out, fe)
	}
	return out
}
