package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/gslb/gslb/health"
)

// formatVersion is the layout version written to the meta bucket. It
// changes only when an older gslb could not read the file: a new bucket or
// a new JSON field, which older versions ignore, keeps it.
const formatVersion = 1

// Bucket and key names of the layout (see the package documentation).
var (
	bucketMeta      = []byte("meta")
	bucketTargets   = []byte("targets")
	bucketOverrides = []byte("overrides")
	bucketLifted    = []byte("lifted")
	keyVersion      = []byte("version")

	buckets = [][]byte{bucketMeta, bucketTargets, bucketOverrides, bucketLifted, bucketOverrideLog}
)

// DefaultTimeout is how long Open and Read wait for the file lock when
// Options.Timeout is zero.
const DefaultTimeout = time.Second

// Options configure Open and Read. The zero value works.
type Options struct {
	// Timeout is how long to wait for a lock held by another process before
	// failing with ErrLocked. Default DefaultTimeout (1s).
	Timeout time.Duration
	// Logger receives warnings: a corrupt file moved aside, a record that
	// cannot be decoded. Default slog.Default(); the store adds
	// component=health.
	Logger *slog.Logger
	// Now is the clock for the name of a moved-aside file and for
	// TargetRecord.Updated. Default time.Now.
	Now func() time.Time
}

// withDefaults returns o with its zero fields filled in.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Logger = o.Logger.With("component", "health")
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// TargetRecord is the persisted state of one target.
type TargetRecord struct {
	Target  health.Target `json:"target"`
	State   health.State  `json:"state"`
	Updated time.Time     `json:"updated"` // when the record was written
}

// Store is an open state file. Its methods are safe for concurrent use
// (bbolt serializes writers). Close it to release the file lock.
type Store struct {
	db   *bolt.DB
	path string
	log  *slog.Logger
	now  func() time.Time
}

// Open opens the state file at path for reading and writing, creating it
// when missing. It fails with ErrLocked when another process holds the file
// for longer than Options.Timeout. A corrupt file is renamed to
// path.corrupt-TIMESTAMP (logged at warn) and replaced by an empty store.
func Open(path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	// Open the file ourselves first so that a missing directory or a
	// permission problem is reported as such and never taken for corruption.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open state file: %w", err)
	}
	f.Close()

	db, err := openChecked(path, opts.Timeout, false)
	if errors.Is(err, ErrCorrupt) {
		aside, mvErr := moveAside(path, opts.Now())
		if mvErr != nil {
			return nil, fmt.Errorf("%w; moving it aside failed: %w", err, mvErr)
		}
		opts.Logger.Warn("state file is corrupt; moved it aside and starting with empty state",
			"file", path, "moved_to", aside, "error", err)
		db, err = openChecked(path, opts.Timeout, false)
	}
	if err != nil {
		return nil, err
	}
	return &Store{db: db, path: path, log: opts.Logger, now: opts.Now}, nil
}

// moveAside renames a corrupt file to path.corrupt-TIMESTAMP (with a
// counter if that name is taken) and returns the new name.
func moveAside(path string, now time.Time) (string, error) {
	base := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	aside := base
	for i := 1; ; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, os.ErrNotExist) {
			break
		}
		aside = base + "-" + strconv.Itoa(i)
	}
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	return aside, nil
}

// openChecked opens path with bbolt and checks it (see check). Errors other
// than the lock timeout and a newer format wrap ErrCorrupt. Panics and
// memory faults raised by bbolt on a bad file are recovered as corruption.
func openChecked(path string, timeout time.Duration, readOnly bool) (db *bolt.DB, err error) {
	// file is kept to close it if bbolt panics inside Open (as it does on a
	// bad freelist page). The file's mapping cannot be undone then, and on
	// Linux it keeps the old inode's lock until the process exits; Open moves
	// that file aside anyway, so the fresh file is not affected.
	var file *os.File
	opts := &bolt.Options{
		Timeout:  timeout,
		ReadOnly: readOnly,
		OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			file = f
			return f, err
		},
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				_ = db.Close()
			} else if file != nil {
				_ = file.Close()
			}
			db, err = nil, fmt.Errorf("state file %s: %w: bbolt panicked: %v", path, ErrCorrupt, r)
		}
	}()

	db, err = bolt.Open(path, 0o600, opts)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("state file %s is %w (waited %s)", path, ErrLocked, timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w: %w", path, ErrCorrupt, err)
	}
	if err := check(db, path, readOnly); err != nil {
		_ = db.Close()
		db = nil
		return nil, err
	}
	return db, nil
}

// check verifies an opened file: its pages are all within the file, every
// page reachable from the root can be read, our buckets are buckets, and the
// format version is one we know. When writable, it creates missing buckets.
func check(db *bolt.DB, path string, readOnly bool) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		if size := tx.Size(); size > fi.Size() {
			return fmt.Errorf("state file %s: %w: truncated to %d bytes, %d expected", path, ErrCorrupt, fi.Size(), size)
		}
		if err := tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(b) }); err != nil {
			return fmt.Errorf("state file %s: %w: %w", path, ErrCorrupt, err)
		}
		for _, name := range buckets {
			if tx.Bucket(name) == nil && tx.Cursor().Bucket().Get(name) != nil {
				return fmt.Errorf("state file %s: %w: %q is not a bucket", path, ErrCorrupt, name)
			}
		}
		if meta := tx.Bucket(bucketMeta); meta != nil {
			if v := meta.Get(keyVersion); v != nil {
				n, err := strconv.Atoi(string(v))
				if err != nil {
					return fmt.Errorf("state file %s: %w: version %q", path, ErrCorrupt, v)
				}
				if n > formatVersion {
					return fmt.Errorf("state file %s: version %d: %w (knows %d)", path, n, ErrNewerFormat, formatVersion)
				}
			}
		}
		return nil
	})
	if err != nil || readOnly {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range buckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keyVersion, []byte(strconv.Itoa(formatVersion)))
	})
	if err != nil {
		return fmt.Errorf("state file %s: create buckets: %w", path, err)
	}
	return nil
}

// walk reads every key and value of a bucket and its nested buckets, so
// that unreadable pages show up now rather than on the query path.
func walk(b *bolt.Bucket) error {
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				return walk(nb)
			}
		}
		return nil
	})
}

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

// Close releases the file and its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close state file %s: %w", s.path, err)
	}
	return nil
}

// targetKey is the key of a target's record.
func targetKey(t health.Target) []byte { return []byte(t.String()) }

// parseTargetKey parses a key written by targetKey.
func parseTargetKey(k []byte) (health.Target, error) {
	s := string(k)
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return health.Target{}, fmt.Errorf("target key %q: no '/'", s)
	}
	a, err := netip.ParseAddr(s[i+1:])
	if err != nil {
		return health.Target{}, fmt.Errorf("target key %q: %w", s, err)
	}
	return health.Target{Check: s[:i], Addr: a}, nil
}

// SaveStates writes the states of the given targets in one transaction,
// replacing what was stored for them.
func (s *Store) SaveStates(states map[health.Target]health.State) error {
	if len(states) == 0 {
		return nil
	}
	now := s.now()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTargets)
		for t, st := range states {
			v, err := json.Marshal(TargetRecord{Target: t, State: st, Updated: now})
			if err != nil {
				return fmt.Errorf("encode %s: %w", t, err)
			}
			if err := b.Put(targetKey(t), v); err != nil {
				return fmt.Errorf("put %s: %w", t, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save %d target states to %s: %w", len(states), s.path, err)
	}
	return nil
}

// DeleteStates removes the stored states of the given targets; targets
// without a stored state are ignored.
func (s *Store) DeleteStates(targets ...health.Target) error {
	if len(targets) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTargets)
		for _, t := range targets {
			if err := b.Delete(targetKey(t)); err != nil {
				return fmt.Errorf("delete %s: %w", t, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete %d target states from %s: %w", len(targets), s.path, err)
	}
	return nil
}

// LoadStates returns the stored state of every target. Records that cannot
// be decoded are skipped with a warning.
func (s *Store) LoadStates() (map[health.Target]health.State, error) {
	recs, err := s.Targets()
	if err != nil {
		return nil, err
	}
	m := make(map[health.Target]health.State, len(recs))
	for _, r := range recs {
		m[r.Target] = r.State
	}
	return m, nil
}

// Targets returns every stored target record, sorted by target. Records
// that cannot be decoded are skipped with a warning.
func (s *Store) Targets() ([]TargetRecord, error) {
	var recs []TargetRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		recs = readTargets(tx, s.log)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read target states from %s: %w", s.path, err)
	}
	return recs, nil
}

// readTargets decodes the targets bucket, skipping bad records.
func readTargets(tx *bolt.Tx, log *slog.Logger) []TargetRecord {
	b := tx.Bucket(bucketTargets)
	if b == nil {
		return nil
	}
	var recs []TargetRecord
	_ = b.ForEach(func(k, v []byte) error {
		t, err := parseTargetKey(k)
		var r TargetRecord
		if err == nil {
			err = json.Unmarshal(v, &r)
		}
		if err != nil {
			log.Warn("skipping undecodable target state", "key", string(k), "error", err)
			return nil
		}
		r.Target = t // the key is authoritative
		recs = append(recs, r)
		return nil
	})
	slices.SortFunc(recs, func(a, b TargetRecord) int { return a.Target.Compare(b.Target) })
	return recs
}

// overrideKey is the key of an override: pool, datacenter and address
// separated by NUL bytes (the address empty for a datacenter override).
func overrideKey(k health.OverrideKey) []byte {
	a := ""
	if k.Addr.IsValid() {
		a = k.Addr.String()
	}
	return []byte(k.Pool + "\x00" + k.Datacenter + "\x00" + a)
}

// SaveOverride stores o, replacing any override with the same key. In the
// same transaction it deletes the lifted record of that key (see
// LiftOverride): an override set again is no longer lifted.
func (s *Store) SaveOverride(o health.Override) error {
	v, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encode override %s: %w", o.Key(), err)
	}
	k := overrideKey(o.Key())
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketLifted).Delete(k); err != nil {
			return err
		}
		return tx.Bucket(bucketOverrides).Put(k, v)
	})
	if err != nil {
		return fmt.Errorf("save override %s to %s: %w", o.Key(), s.path, err)
	}
	return nil
}

// DeleteOverride removes the override with key k, if any.
func (s *Store) DeleteOverride(k health.OverrideKey) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOverrides).Delete(overrideKey(k))
	})
	if err != nil {
		return fmt.Errorf("delete override %s from %s: %w", k, s.path, err)
	}
	return nil
}

// LiftOverride deletes the override with l's key and stores l as the
// lifted record of that key, replacing any older one, in one transaction.
func (s *Store) LiftOverride(l health.Lifted) error {
	v, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode lifted override %s: %w", l.Key(), err)
	}
	k := overrideKey(l.Key())
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketOverrides).Delete(k); err != nil {
			return err
		}
		return tx.Bucket(bucketLifted).Put(k, v)
	})
	if err != nil {
		return fmt.Errorf("lift override %s in %s: %w", l.Key(), s.path, err)
	}
	return nil
}

// DeleteLifted removes the lifted records of the given keys; keys without
// one are ignored.
func (s *Store) DeleteLifted(keys ...health.OverrideKey) error {
	if len(keys) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLifted)
		for _, k := range keys {
			if err := b.Delete(overrideKey(k)); err != nil {
				return fmt.Errorf("delete %s: %w", k, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete %d lifted overrides from %s: %w", len(keys), s.path, err)
	}
	return nil
}

// LoadLifted returns every stored lifted override, sorted by key. Records
// that cannot be decoded are skipped with a warning.
func (s *Store) LoadLifted() ([]health.Lifted, error) {
	var ls []health.Lifted
	err := s.db.View(func(tx *bolt.Tx) error {
		ls = readLifted(tx, s.log)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read lifted overrides from %s: %w", s.path, err)
	}
	return ls, nil
}

// readLifted decodes the lifted bucket, skipping bad records. A file
// written before the bucket existed has none.
func readLifted(tx *bolt.Tx, log *slog.Logger) []health.Lifted {
	b := tx.Bucket(bucketLifted)
	if b == nil {
		return nil
	}
	var ls []health.Lifted
	_ = b.ForEach(func(k, v []byte) error {
		var l health.Lifted
		if err := json.Unmarshal(v, &l); err != nil {
			log.Warn("skipping undecodable lifted override", "key", strings.ReplaceAll(string(k), "\x00", "|"), "error", err)
			return nil
		}
		ls = append(ls, l)
		return nil
	})
	slices.SortFunc(ls, func(a, b health.Lifted) int { return a.Key().Compare(b.Key()) })
	return ls
}

// LoadOverrides returns every stored override, expired ones included,
// sorted by key. Records that cannot be decoded are skipped with a warning.
func (s *Store) LoadOverrides() ([]health.Override, error) {
	var ovs []health.Override
	err := s.db.View(func(tx *bolt.Tx) error {
		ovs = readOverrides(tx, s.log)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read overrides from %s: %w", s.path, err)
	}
	return ovs, nil
}

// readOverrides decodes the overrides bucket, skipping bad records.
func readOverrides(tx *bolt.Tx, log *slog.Logger) []health.Override {
	b := tx.Bucket(bucketOverrides)
	if b == nil {
		return nil
	}
	var ovs []health.Override
	_ = b.ForEach(func(k, v []byte) error {
		var o health.Override
		if err := json.Unmarshal(v, &o); err != nil {
			log.Warn("skipping undecodable override", "key", strings.ReplaceAll(string(k), "\x00", "|"), "error", err)
			return nil
		}
		ovs = append(ovs, o)
		return nil
	})
	slices.SortFunc(ovs, func(a, b health.Override) int { return a.Key().Compare(b.Key()) })
	return ovs
}

// Contents is everything in a state file, as returned by Read.
type Contents struct {
	Targets   []TargetRecord    `json:"targets"`   // sorted by target
	Overrides []health.Override `json:"overrides"` // sorted by key, expired ones included
	Lifted    []health.Lifted   `json:"lifted"`    // sorted by key
	// OverrideLog is a cluster node's override log, sorted by key.
	OverrideLog []health.OverrideEntry `json:"override_log,omitempty"`
}

// Read opens the state file at path read-only and returns its contents, for
// offline inspection. It never changes or moves the file: a corrupt file is
// reported with ErrCorrupt, a missing one with an error wrapping
// os.ErrNotExist, and a file held by a running server with ErrLocked.
func Read(path string, opts Options) (Contents, error) {
	opts = opts.withDefaults()
	fi, err := os.Stat(path)
	if err != nil {
		return Contents{}, fmt.Errorf("read state file: %w", err)
	}
	if fi.Size() == 0 {
		return Contents{}, nil // created but never initialized: empty
	}
	db, err := openChecked(path, opts.Timeout, true)
	if err != nil {
		return Contents{}, err
	}
	defer db.Close()
	var c Contents
	err = db.View(func(tx *bolt.Tx) error {
		c.Targets = readTargets(tx, opts.Logger)
		c.Overrides = readOverrides(tx, opts.Logger)
		c.Lifted = readLifted(tx, opts.Logger)
		c.OverrideLog = readOverrideLog(tx, opts.Logger)
		return nil
	})
	if err != nil {
		return Contents{}, fmt.Errorf("read state file %s: %w", path, err)
	}
	return c, nil
}
