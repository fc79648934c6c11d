package zones

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// Store loads the zones directory and publishes the current Set. A file
// with errors keeps its previous version serving; a removed file removes its
// zone. Queries read Current without locks; reloads are serialised. The
// server configuration the zones compile against can be replaced with
// SetConfig, and the zones directory with SetDir.
type Store struct {
	dir      atomic.Pointer[string]        // the zones directory
	cfg      atomic.Pointer[config.Config] // what the zones compile against
	parse    Parser
	keys     KeyLoader // loads the keys of signed zones; nil: not loaded
	log      *slog.Logger
	onChange func(*Set)

	cur     atomic.Pointer[Set]
	failing atomic.Pointer[[]FileError] // the files that failed at the last reload

	mu    sync.Mutex
	files map[string]*loaded // by file path: the version serving

	rewatch chan struct{} // Rewatch to Watch (capacity 1)
}

type loaded struct {
	zone *Zone
	hash [sha256.Size]byte
	src  []byte // the file's content, to compile again against a new configuration
}

// NewStore returns a store for the zones directory of cfg. onChange, if not
// nil, is called after every reload that published a new Set.
func NewStore(cfg *config.Config, parse Parser, logger *slog.Logger, onChange func(*Set)) *Store {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{parse: parse, log: logger.With("component", "zones"), onChange: onChange, files: map[string]*loaded{}, rewatch: make(chan struct{}, 1)}
	s.cfg.Store(cfg)
	dir := cfg.ZonesDir
	s.dir.Store(&dir)
	s.cur.Store(NewSet(nil))
	return s
}

// Dir returns the zones directory: the one of the configuration given to
// NewStore or the last given to SetDir.
func (s *Store) Dir() string { return *s.dir.Load() }

// SetDir makes dir the zones directory. Nothing is read yet: the next
// Reload reads dir, and Watch moves its watch there. Until then the zones
// serving stay. A file of the old directory stands for the file of the
// same name in dir, so a zone whose file in dir is unchanged keeps its
// version and serial, and one whose file in dir is broken keeps serving
// its previous version, as after an edit in place.
func (s *Store) SetDir(dir string) {
	s.mu.Lock()
	if dir == s.Dir() {
		s.mu.Unlock()
		return
	}
	files := make(map[string]*loaded, len(s.files))
	for path, l := range s.files {
		files[filepath.Join(dir, filepath.Base(path))] = l
	}
	s.files = files
	s.log.Info("zones directory changed", "from", s.Dir(), "to", dir)
	s.dir.Store(&dir)
	s.mu.Unlock()
	s.Rewatch()
}

// SetKeyLoader sets what loads the keys of zones with a [dnssec] table.
// Call it before the first Reload; without it signed zones compile
// without their keys (DNSSEC.Signer nil) and are served unsigned.
func (s *Store) SetKeyLoader(l KeyLoader) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = l
}

// Current returns the Set serving now. It never returns nil.
func (s *Store) Current() *Set { return s.cur.Load() }

// Zones returns the Set serving now (the dns package's zone source).
func (s *Store) Zones() *Set { return s.cur.Load() }

// Config returns the server configuration the current Set was compiled
// against: the one given to NewStore or the last accepted by SetConfig.
func (s *Store) Config() *config.Config { return s.cfg.Load() }

// ZoneFiles lists the zone files of a directory: names ending in .toml that
// do not start with a dot (editors' swap and backup files are ignored).
func ZoneFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read zones directory: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || !isZoneFileName(e.Name()) {
			continue
		}
		out = append(out, filepath.Join(dir, e.Name()))
	}
	sort.Strings(out)
	return out, nil
}

// isZoneFileName reports whether a file of the zones directory named name
// is a zone file: not hidden, ending in .toml.
func isZoneFileName(name string) bool {
	return !strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".toml")
}

// Reload reads every zone file again and publishes the result. It returns
// every problem found (a tomlcheck.ErrorList); the zones of files with problems keep
// their previous version, if they had one.
func (s *Store) Reload() error { return s.ReloadContext(context.Background()) }

// ReloadContext is Reload, stopped early when ctx is done: it then
// returns ctx's error and publishes nothing, and every zone keeps the
// version serving.
func (s *Store) ReloadContext(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reloadAllLocked(ctx)
}

// reloadAllLocked is ReloadContext with s.mu held.
func (s *Store) reloadAllLocked(ctx context.Context) error {
	var errs tomlcheck.ErrorList
	dir := s.Dir()
	paths, err := ZoneFiles(dir)
	if err != nil {
		// keep serving everything we have
		errs.Add(Position{File: dir}, "", "%v", err)
		s.setFailing(errs, nil)
		s.logErrors(errs)
		return errs.Err()
	}
	return s.loadPaths(ctx, paths, map[string]*loaded{})
}

// ReloadFiles reads again the zone files of paths, files of the zones
// directory that changed (Watch gives those its events name), and those
// that had problems at the last reload, and publishes the result; every
// other file keeps its version without being read, so that an edit of one
// zone among thousands reads one file. A path that is no longer a file
// stops being served. When the last reload could not read the directory
// itself, it reloads everything (ReloadContext).
func (s *Store) ReloadFiles(ctx context.Context, paths []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dir := filepath.Clean(s.Dir())
	todo := map[string]bool{}
	for _, p := range paths {
		todo[filepath.Clean(p)] = true
	}
	if f := s.failing.Load(); f != nil {
		for _, fe := range *f {
			if filepath.Clean(fe.File) == dir {
				return s.reloadAllLocked(ctx)
			}
			todo[fe.File] = true
		}
	}
	next := maps.Clone(s.files)
	if next == nil {
		next = map[string]*loaded{}
	}
	var load []string
	for _, p := range slices.Sorted(maps.Keys(todo)) {
		if filepath.Dir(p) != dir || !isZoneFileName(filepath.Base(p)) {
			continue
		}
		if fi, err := os.Lstat(p); err != nil || fi.IsDir() {
			delete(next, p) // removed (or no longer a file): ZoneFiles would not list it
			continue
		}
		load = append(load, p)
	}
	return s.loadPaths(ctx, load, next)
}

// loadChunk is how many bytes of zone files loadPaths decodes before it
// compiles them.
const loadChunk = 1 << 20

// loadPaths compiles the zone files of paths into next, the files a
// reload will serve (a file gone meanwhile leaves it), then makes next
// the files serving (settle). s.mu is held.
//
// The files are decoded a chunk at a time (loadChunk bytes of them), then
// compiled. While the collector waits (gcpause.go) nothing is freed and
// every allocation takes a fresh slot, so what the TOML decoder leaves
// behind and what the zones keep come out in runs of their own and the
// decoder's spans are freed whole at the end. Decoding and compiling file
// by file left spans holding some of both: loading 10,000 zones of ten
// records left a third of the heap in such holes.
func (s *Store) loadPaths(ctx context.Context, paths []string, next map[string]*loaded) error {
	var errs tomlcheck.ErrorList
	compiled := 0
	var gc gcPause
	defer func() { gc.end(compiled) }()
	for len(paths) > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("zones: loading stopped: %w", err)
		}
		var chunk []*pendingFile
		for size := 0; len(paths) > 0 && size < loadChunk && ctx.Err() == nil; paths = paths[1:] {
			p := s.decodeFile(ctx, paths[0], &gc)
			if p.dec != nil {
				size += len(p.src)
			}
			chunk = append(chunk, p)
		}
		for _, p := range chunk {
			l, ferrs := s.compileFile(ctx, p)
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("zones: loading stopped: %w", err)
			}
			errs = append(errs, ferrs...)
			if l == nil {
				delete(next, p.path)
				continue
			}
			next[p.path] = l
			if old := s.files[p.path]; old == nil || old.zone != l.zone {
				compiled += len(l.src)
			}
		}
	}
	return s.settle(next, errs)
}

// settle makes next, the zone files loaded by a reload, the files
// serving, with errs the problems the reload found: files that may not
// serve their origin are set aside, and the zones are published when
// anything changed. s.mu is held.
func (s *Store) settle(next map[string]*loaded, errs tomlcheck.ErrorList) error {
	errs = append(errs, s.settleOrigins(next)...)
	changed := len(next) != len(s.files)
	for p, l := range next {
		if old, ok := s.files[p]; !ok || old.zone != l.zone {
			changed = true
		}
	}
	prev := s.files
	s.files = next
	if changed {
		s.logServing(prev, next)
		s.publishLocked()
	}
	s.setFailing(errs, next)
	s.logErrors(errs)
	return errs.Err()
}

// publishLocked publishes the zones of s.files as the current Set and
// hands it to onChange. s.mu is held.
func (s *Store) publishLocked() {
	zones := make([]*Zone, 0, len(s.files))
	for _, l := range s.files {
		zones = append(zones, l.zone)
	}
	set := NewSet(zones)
	s.cur.Store(set)
	s.log.Info("zones loaded", "zones", len(zones))
	if s.onChange != nil {
		s.onChange(set)
	}
}

// setFailing records the files of errs as failing, for Errors.
func (s *Store) setFailing(errs tomlcheck.ErrorList, serving map[string]*loaded) {
	fe := fileErrors(errs, serving)
	s.failing.Store(&fe)
}

// settleOrigins removes from next every file that may not serve its
// origin because another file has the same one, and returns why. The
// rule does not depend on file names or the order of loading: the file
// already serving an origin keeps it and the others are refused; when none
// of them was serving it (at start, or two new files), none is served and
// each error names every file.
func (s *Store) settleOrigins(next map[string]*loaded) tomlcheck.ErrorList {
	byOrigin := map[string][]string{}
	for p, l := range next {
		byOrigin[l.zone.Origin] = append(byOrigin[l.zone.Origin], p)
	}
	var errs tomlcheck.ErrorList
	for origin, paths := range byOrigin {
		if len(paths) < 2 {
			continue
		}
		sort.Strings(paths)
		owner := ""
		for _, p := range paths {
			if old, ok := s.files[p]; ok && old.zone.Origin == origin {
				owner = p
			}
		}
		for _, p := range paths {
			if p == owner {
				continue
			}
			if owner != "" {
				errs.Add(next[p].zone.Pos, "origin", "zone %s is already served from %s: this file is not served (remove one of them)", origin, owner)
			} else {
				others := slices.DeleteFunc(slices.Clone(paths), func(o string) bool { return o == p })
				errs.Add(next[p].zone.Pos, "origin", "zone %s is also defined in %s: neither file is served until only one defines it", origin, strings.Join(others, ", "))
			}
			delete(next, p)
		}
	}
	return errs
}

// logServing logs, for every zone whose version changed between prev and
// next, the file it is served from and its serial, and every zone no
// longer served.
func (s *Store) logServing(prev, next map[string]*loaded) {
	served := map[string]bool{}
	paths := slices.Sorted(maps.Keys(next))
	for _, p := range paths {
		z := next[p].zone
		served[z.Origin] = true
		if old, ok := prev[p]; ok && old.zone == z {
			continue
		}
		s.log.Info("zone serving", "zone", z.Origin, "file", p, "serial", z.Serial)
	}
	for _, p := range slices.Sorted(maps.Keys(prev)) {
		if z := prev[p].zone; !served[z.Origin] {
			s.log.Warn("zone no longer served", "zone", z.Origin, "file", p)
		}
	}
}

func (s *Store) logErrors(errs tomlcheck.ErrorList) {
	errs.Sort()
	for _, e := range errs {
		s.log.Error("zone file error", "error", e.Error())
	}
}

// pendingFile is a zone file a reload has read and decoded (decodeFile)
// and not yet compiled (compileFile).
type pendingFile struct {
	path   string
	old    *loaded // the version serving, if any
	src    []byte
	hash   [sha256.Size]byte
	dec    *decodedFile // nil: nothing to compile
	decErr error        // the file does not decode
	opts   CompileOptions

	// When there is nothing to compile: the result and its problems (nil,
	// nil: the file is gone).
	done *loaded
	errs tomlcheck.ErrorList
}

// decodeFile reads one file and decodes it, unless it is the version
// serving, the collector paused by gc for a large one.
func (s *Store) decodeFile(ctx context.Context, path string, gc *gcPause) *pendingFile {
	p := &pendingFile{path: path, old: s.files[path]}
	src, err := readZoneFile(path, s.cfg.Load())
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) { // else removed between listing and reading
			p.done, p.errs = p.old, tomlcheck.ErrorList{{Pos: Position{File: path}, Msg: err.Error()}}
		}
		return p
	}
	p.src, p.hash = src, sha256.Sum256(src)
	if p.old != nil && p.old.hash == p.hash {
		p.done = p.old
		return p
	}
	p.opts = CompileOptions{Serial: s.derivedSerial(path, p.old), Keys: s.keys, Context: ctx}
	gc.grow(len(src))
	p.dec, p.decErr = decodeZoneFile(path, src, s.cfg.Load())
	return p
}

// compileFile compiles a file decodeFile decoded. On failure it returns
// the version serving (if any) and the problems.
func (s *Store) compileFile(ctx context.Context, p *pendingFile) (*loaded, tomlcheck.ErrorList) {
	if p.dec == nil && p.decErr == nil {
		return p.done, p.errs
	}
	err := p.decErr
	var z *Zone
	if err == nil {
		z, err = p.dec.compile(s.parse, p.opts)
		p.dec = nil // the decoded tree is garbage now
	}
	if err != nil && ctx.Err() != nil {
		return p.old, nil // stopped: the caller says so
	}
	if err != nil {
		if p.old != nil {
			s.log.Warn("zone file has errors: the previous version keeps serving", "file", p.path, "zone", p.old.zone.Origin)
		}
		return p.old, tomlcheck.Errors(err)
	}
	return &loaded{zone: z, hash: p.hash, src: p.src}, nil
}

// derivedSerial is the serial of a zone whose [soa] gives none: the file's
// modification time in seconds since 1970, and always more than the serial
// of the version it replaces, so it increases on every change that loads.
func (s *Store) derivedSerial(path string, old *loaded) uint32 {
	serial := uint32(1)
	if fi, err := os.Stat(path); err == nil {
		serial = uint32(fi.ModTime().Unix())
	}
	if old != nil && int32(serial-old.zone.Serial) <= 0 {
		serial = old.zone.Serial + 1
	}
	if serial == 0 {
		serial = 1
	}
	return serial
}

// Watch reloads when the zones directory changes, until ctx ends. Events
// are debounced: a burst of writes (an editor's rename-save, sed -i, an
// atomic rename) gives one reload after the directory has been quiet for
// debounce (200ms when zero).
//
// It watches the directory and, to see it replaced, its parent, so these
// are all seen: files written, renamed or removed in the directory; a
// Kubernetes ConfigMap volume's swap (the ..data symlink replaced by a
// rename, the files being symlinks through it); the directory being a
// symlink swapped to another directory (a new release); the directory
// removed and created again. While the directory is gone its zones keep
// serving and the loss is logged; the watch comes back with it, or at
// Rewatch (SIGHUP). Watch returns an error only when no watcher can be
// made or the watcher fails.
func (s *Store) Watch(ctx context.Context, debounce time.Duration) error {
	if debounce <= 0 {
		debounce = 200 * time.Millisecond
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch zones directory: %w", err)
	}
	defer w.Close()
	dw := dirWatch{w: w, log: s.log}
	dw.moveTo(s.Dir())
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	// What the next reload reads: the zone files named by events, or
	// everything (all) when an event concerns the directory itself, a
	// ConfigMap's ..data swap, or events may have been lost.
	changed := map[string]bool{}
	all := false
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-s.rewatch:
			dw.moveTo(s.Dir()) // SetDir may have changed it
			all = true
			timer.Reset(debounce)
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("zones watcher: event channel closed")
			}
			if dw.relevant(ev) {
				if p := filepath.Clean(ev.Name); filepath.Dir(p) == dw.dir && isZoneFileName(filepath.Base(p)) {
					changed[p] = true
				} else {
					all = true
				}
				timer.Reset(debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("zones watcher: error channel closed")
			}
			s.log.Warn("zones watcher", "error", err)
			all = true // events may have been lost (queue overflow)
			timer.Reset(debounce)
		case <-timer.C:
			dw.establish() // the directory may have been replaced
			if all {
				_ = s.ReloadContext(ctx) // errors are logged by Reload
			} else {
				_ = s.ReloadFiles(ctx, slices.Collect(maps.Keys(changed)))
			}
			clear(changed)
			all = false
		}
	}
}

// Rewatch makes Watch watch the zones directory and its parent again, as
// they are now (after SIGHUP, or SetDir), and reload. It does not block.
func (s *Store) Rewatch() {
	select {
	case s.rewatch <- struct{}{}:
	default:
	}
}

// dirWatch is the state of Watch's watches: the zones directory and its
// parent.
type dirWatch struct {
	w           *fsnotify.Watcher
	dir, parent string
	log         *slog.Logger
	watching    bool // the zones directory is watched
	parentOK    bool // its parent is watched
	lost        bool // the loss of the directory's watch was logged
}

// moveTo watches dir and its parent: anew when dir is another directory
// than the one watched, else again (establish).
func (d *dirWatch) moveTo(dir string) {
	dir = filepath.Clean(dir)
	if dir != d.dir && d.dir != "" {
		_ = d.w.Remove(d.dir)
		_ = d.w.Remove(d.parent)
		d.watching, d.parentOK, d.lost = false, false, false
	}
	d.dir, d.parent = dir, filepath.Dir(dir)
	d.establish()
}

// establish (re)adds the watches of the directory and its parent. The
// directory's watch is made afresh, so that a symlink swapped to another
// directory is followed to the new one. A change between watching and
// not watching is logged.
func (d *dirWatch) establish() {
	_ = d.w.Remove(d.parent) // not watched yet, or gone: nothing to undo
	err := d.w.Add(d.parent)
	if err != nil && d.parentOK {
		d.log.Warn("cannot watch the zones directory's parent: a replaced zones directory is seen only at SIGHUP", "dir", d.parent, "error", err)
	}
	d.parentOK = err == nil
	_ = d.w.Remove(d.dir)
	if err := d.w.Add(d.dir); err != nil {
		d.watching = false
		if !d.lost {
			d.log.Warn("lost the watch of the zones directory: its zones keep serving; watching for it to come back", "dir", d.dir, "error", err)
			d.lost = true
		}
		return
	}
	if d.lost {
		d.log.Info("watching the zones directory again", "dir", d.dir)
		d.lost = false
	}
	d.watching = true
}

// relevant reports whether ev may change what the zones directory serves:
// a zone file's event, a ConfigMap's ..data swap, or the directory itself
// (or, in the parent, its name) created, removed, renamed or replaced.
// Editors' swap and backup files are not.
func (d *dirWatch) relevant(ev fsnotify.Event) bool {
	path := filepath.Clean(ev.Name) // "./zones" of a parent "." is "zones"
	if path == d.dir {
		if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			if !d.lost {
				d.log.Warn("lost the watch of the zones directory: it was removed or renamed; its zones keep serving until it comes back", "dir", d.dir)
				d.lost = true
			}
			d.watching = false
		}
		return true
	}
	if filepath.Dir(path) != d.dir {
		return false // another entry of the parent
	}
	name := filepath.Base(path)
	return strings.HasPrefix(name, "..") || !strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".toml")
}
