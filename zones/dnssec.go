package zones

import (
	"errors"
	"path/filepath"
	"slices"

	"github.com/gslb/gslb/internal/dnscode"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// DNSSEC is a zone's compiled [dnssec] table: the zone's answers are
// signed online (by the dns package) with the keys its KeyLoader loaded.
type DNSSEC struct {
	Pos  Position  // where [dnssec] is written
	Keys []KeyFile // the key pairs listed in keys; none: the generated key
	// Signer is what the KeyLoader returned for the zone: the loaded keys
	// and their signature cache, opaque here. nil when the zone was
	// compiled without a KeyLoader (gslb explain, gslb diff).
	Signer any
}

// KeyFile is one entry of [dnssec] keys: the path of a key pair in BIND's
// format without its .key or .private suffix, relative paths taken from
// the zone file's directory.
type KeyFile struct {
	Path string
	Pos  Position
	key  []string // its key path, dnssec.keys[i]
}

// KeyLoader loads the keys of a signed zone (origin, absolute, lower case;
// ttl, the zone's default TTL, for its DNSKEY records) from files, or the
// zone's generated key when files is empty, and returns what the zone
// keeps as DNSSEC.Signer. Its error may join several; a
// *KeyFileError among them is reported at the position of that file.
type KeyLoader func(origin string, ttl uint32, files []string) (signer any, err error)

// KeyFileError is a KeyLoader's problem with one of the files it was
// given, the Index-th.
type KeyFileError struct {
	Index int
	Err   error
}

// Error returns the problem's text.
func (e *KeyFileError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *KeyFileError) Unwrap() error { return e.Err }

// dnssecTypes are the record types a signed zone generates itself: a zone
// file with [dnssec] may not write them.
var dnssecTypes = []uint16{dnscode.TypeRRSIG, dnscode.TypeNSEC, dnscode.TypeDNSKEY, typeNSEC3, typeNSEC3PARAM}

const (
	typeNSEC3      uint16 = 50
	typeNSEC3PARAM uint16 = 51
)

// dnssec compiles the [dnssec] table and loads its keys with the
// compiler's KeyLoader.
func (c *compiler) dnssec(records []*Record) {
	t, ok := c.root.Table("dnssec")
	if !ok {
		return
	}
	d := &DNSSEC{Pos: c.root.Pos(c.root.KeyPath("dnssec"))}
	if files, ok := t.Strings("keys"); ok {
		for i, f := range files {
			path := append(t.KeyPath("keys"), tomlcheck.Index(i))
			if f == "" {
				t.Errorf(path, "must not be empty")
				continue
			}
			if !filepath.IsAbs(f) {
				f = filepath.Join(filepath.Dir(t.File()), f)
			}
			d.Keys = append(d.Keys, KeyFile{Path: f, Pos: t.Pos(path), key: path})
		}
		if len(files) == 0 {
			t.Errorf(t.KeyPath("keys"), "must list at least one key pair (leave keys out for a generated key)")
		}
	}
	t.Unknown(misplaced)
	for _, r := range records {
		if slices.Contains(dnssecTypes, r.Type) {
			c.root.ErrorAt(c.z.at(r), "%s record in a signed zone: gslb generates the zone's DNSSEC records itself ([dnssec])", dnscode.TypeString(r.Type))
		}
	}
	c.z.DNSSEC = d
	if c.opts.Keys == nil || c.root.ErrorCount() > 0 {
		return
	}
	paths := make([]string, len(d.Keys))
	for i, k := range d.Keys {
		paths[i] = k.Path
	}
	signer, err := c.opts.Keys(c.origin, c.ttl, paths)
	if err != nil {
		for _, e := range flatten(err) {
			var kf *KeyFileError
			if errors.As(e, &kf) && kf.Index >= 0 && kf.Index < len(d.Keys) {
				t.Errorf(d.Keys[kf.Index].key, "%v", kf.Err)
				continue
			}
			c.root.Errorf(c.root.KeyPath("dnssec"), "%v", e)
		}
		return
	}
	d.Signer = signer
}

// flatten returns the errors joined in err, or err itself.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
