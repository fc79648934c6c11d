package mmdb

import (
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gslb/gslb/geo"
	"github.com/oschwald/maxminddb-golang/v2"
)

// DefaultDebounce is how long Watch waits after the last change to a
// database file before it reloads, when Config.Debounce is zero.
const DefaultDebounce = 200 * time.Millisecond

// Config says which databases to open and how to watch them. Only City is
// required.
type Config struct {
	// City is the path of the City database. Required.
	City string
	// ASN is the path of the ASN database. Default "": no ASN data, and
	// Location.ASN is always 0.
	ASN string
	// Logger receives reload and watch messages (component=geoip). Default:
	// nothing is logged.
	Logger *slog.Logger
	// Debounce is how long Watch waits after the last change to a file
	// before reloading. Default DefaultDebounce (200ms).
	Debounce time.Duration
	// Verify runs the full structural verification of the mmdb format on
	// every load and refuses a file that fails it. Default false: it reads
	// every record and takes seconds on a full-size City database; the
	// metadata and database type are always checked.
	Verify bool
}

// DB holds the current databases and swaps in new ones. Its methods are safe
// for concurrent use.
type DB struct {
	cfg     Config // the files; guarded by mu (SetFiles changes them)
	logger  *slog.Logger
	cur     atomic.Pointer[Snapshot]
	mu      sync.Mutex    // serialises loads in Reload and SetFiles
	rewatch chan struct{} // tells Watch that the files changed
}

// Open opens the City database at cityPath and, unless asnPath is empty, the
// ASN database at asnPath. A nil logger logs nothing. It is Config{City:
// cityPath, ASN: asnPath, Logger: logger}.Open().
func Open(cityPath, asnPath string, logger *slog.Logger) (*DB, error) {
	return Config{City: cityPath, ASN: asnPath, Logger: logger}.Open()
}

// Open opens the databases that c names. A missing or unreadable file, a
// file that is not an mmdb database, or one of the wrong type is an error
// that names the file.
func (c Config) Open() (*DB, error) {
	if c.City == "" {
		return nil, fmt.Errorf("open city database: %w", ErrNoCityPath)
	}
	if c.Debounce <= 0 {
		c.Debounce = DefaultDebounce
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	db := &DB{cfg: c, logger: logger.With("component", "geoip"), rewatch: make(chan struct{}, 1)}
	s, err := load(c, 1, db.logger)
	if err != nil {
		return nil, err
	}
	db.cur.Store(s)
	return db, nil
}

// Snapshot returns the databases currently serving. Use one Snapshot for
// work that must see a single version, such as building a table from
// Networks and then answering from it.
func (db *DB) Snapshot() *Snapshot { return db.cur.Load() }

// Locate returns the location of addr in the current databases; see
// Snapshot.Locate.
func (db *DB) Locate(addr netip.Addr) geo.Location { return db.cur.Load().Locate(addr) }

// Networks walks the current City database; see Snapshot.Networks.
func (db *DB) Networks() iter.Seq2[netip.Prefix, geo.Location] {
	return db.cur.Load().Networks()
}

// NetworksWithASN walks the current City and ASN databases together; see
// Snapshot.NetworksWithASN.
func (db *DB) NetworksWithASN() iter.Seq2[netip.Prefix, geo.Location] {
	return db.cur.Load().NetworksWithASN()
}

// Replaced returns the Replaced channel of the current Snapshot: it is
// closed when the databases that Locate and Networks read now are replaced.
// Take it before Networks to build something that must be rebuilt after a
// reload.
func (db *DB) Replaced() <-chan struct{} { return db.cur.Load().Replaced() }

// Reload opens both files again and, if both load, publishes them as a new
// Snapshot and closes the old Snapshot's Replaced channel. On any error the
// old Snapshot keeps serving; the error names the file and is also logged,
// so callers need not log it again. Concurrent calls are serialised.
func (db *DB) Reload() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.loadLocked(db.cfg)
}

// SetFiles opens other files as the City and ASN databases (asn "" for
// none) and, if both load, publishes them like Reload and makes Watch watch
// them from then on. On error the loaded databases and files stay.
func (db *DB) SetFiles(city, asn string) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	c := db.cfg
	c.City, c.ASN = city, asn
	if err := db.loadLocked(c); err != nil {
		return err
	}
	db.cfg = c
	select {
	case db.rewatch <- struct{}{}:
	default:
	}
	return nil
}

// config returns the configuration, with the files SetFiles last set.
func (db *DB) config() Config {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.cfg
}

// loadLocked loads the databases c names and publishes them. db.mu is held.
func (db *DB) loadLocked(c Config) error {
	old := db.cur.Load()
	s, err := load(c, old.gen+1, db.logger)
	if err != nil {
		db.logger.Error("geoip reload failed, keeping the loaded databases",
			"error", err, "generation", old.gen)
		return err
	}
	db.cur.Store(s)
	close(old.replaced)
	db.logger.Info("geoip databases loaded", s.logAttrs()...)
	return nil
}

// load reads and checks the databases of c into a new Snapshot.
//
// The files are read into memory and opened with maxminddb.OpenBytes rather
// than memory-mapped. A Snapshot that has been replaced may still be in use
// by queries that loaded it a moment earlier; with a heap buffer it stays
// valid for as long as anything references it and the garbage collector
// frees it afterwards, so readers are never closed explicitly. (With mmap we
// would need reference counting around every Locate to know when munmap is
// safe, and a file rewritten in place could change under a live mapping.)
func load(c Config, gen uint64, logger *slog.Logger) (*Snapshot, error) {
	s := &Snapshot{
		gen:       gen,
		replaced:  make(chan struct{}),
		logger:    logger,
		cityCache: newOffsetCache[geo.Location](cityCacheSlots),
		asnCache:  newOffsetCache[asnRecord](asnCacheSlots),
	}
	var err error
	s.city, s.cityFile, err = openFile(c.City, "city", isCityType, c.Verify)
	if err != nil {
		return nil, err
	}
	if c.ASN != "" {
		s.asn, s.asnFile, err = openFile(c.ASN, "asn", isASNType, c.Verify)
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// isCityType reports whether a database type carries City-like records:
// GeoIP2-City, GeoLite2-City, GeoIP2-Enterprise, DBIP-City-Lite,
// DBIP-Location-..., IPinfo location databases and the like.
func isCityType(t string) bool {
	t = strings.ToLower(t)
	return strings.Contains(t, "city") || strings.Contains(t, "enterprise") || strings.Contains(t, "location")
}

// isASNType reports whether a database type carries ASN records: GeoLite2-ASN,
// GeoIP2-ISP, DBIP-ASN-Lite, IPinfo ASN databases and the like.
func isASNType(t string) bool {
	t = strings.ToLower(t)
	return strings.Contains(t, "asn") || strings.Contains(t, "isp")
}

// openFile reads path and opens it as an mmdb database of a kind ("city" or
// "asn") whose type passes typeOK.
func openFile(path, kind string, typeOK func(string) bool, verify bool) (*maxminddb.Reader, fileStamp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileStamp{}, fmt.Errorf("open %s database %s: %w", kind, path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileStamp{}, fmt.Errorf("open %s database %s: %w", kind, path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fileStamp{}, fmt.Errorf("open %s database %s: not a regular file: %w", kind, path, ErrInvalid)
	}
	data, err := readAll(f, fi.Size())
	if err != nil {
		return nil, fileStamp{}, fmt.Errorf("read %s database %s: %w", kind, path, err)
	}
	r, err := maxminddb.OpenBytes(data)
	if err != nil {
		return nil, fileStamp{}, fmt.Errorf("open %s database %s: %w: %w", kind, path, ErrInvalid, err)
	}
	if t := r.Metadata.DatabaseType; !typeOK(t) {
		return nil, fileStamp{}, fmt.Errorf("open %s database %s: type %q is not a %s database: %w",
			kind, path, t, kindName(kind), ErrDatabaseType)
	}
	if verify {
		if err := r.Verify(); err != nil {
			return nil, fileStamp{}, fmt.Errorf("verify %s database %s: %w: %w", kind, path, ErrInvalid, err)
		}
	}
	return r, fileStamp{path: path, info: fi, size: int64(len(data))}, nil
}

func kindName(kind string) string {
	if kind == "city" {
		return "City-compatible (GeoIP2/GeoLite2 City, GeoIP2 Enterprise, DB-IP City, IPinfo location)"
	}
	return "ASN (GeoLite2 ASN, GeoIP2 ISP, DB-IP ASN, IPinfo ASN)"
}

// readAll reads f to its end, expecting about size bytes.
func readAll(f io.Reader, size int64) ([]byte, error) {
	buf := make([]byte, 0, size+1) // +1 so that reaching EOF does not grow
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// fileStamp identifies the file a database was read from, so that Watch can
// tell whether the file on disk is still the one loaded.
type fileStamp struct {
	path string
	info os.FileInfo // from the open file, before reading
	size int64       // bytes read
}

// sameAs reports whether fi still looks like the loaded file: the same file
// (device and inode), modification time and size.
func (f fileStamp) sameAs(fi os.FileInfo) bool {
	return f.info != nil && os.SameFile(f.info, fi) && f.info.ModTime().Equal(fi.ModTime()) && f.info.Size() == fi.Size()
}
