package mmdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch reloads the databases when their files change, until ctx ends; it
// then returns nil. It watches the directories of the files (and of their
// symlink targets, as resolved when Watch starts), so that a new file
// renamed into place, as geoipupdate does, is seen as well as one written
// in place. A reload happens Config.Debounce after the last create or write
// event on either file; a failed reload is logged and the old databases keep
// serving until the next change.
//
// When it starts, after the watches are in place, Watch also reloads if a
// file on disk is no longer the one loaded, so a change between Open and
// Watch is not missed. Run one Watch per DB.
func (db *DB) Watch(ctx context.Context) error {
	for {
		again, err := db.watch(ctx)
		if err != nil || !again {
			return err
		}
	}
}

// watch watches the current files until ctx ends (false) or SetFiles
// names other files (true: watch those).
func (db *DB) watch(ctx context.Context) (again bool, err error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return false, fmt.Errorf("watch geoip databases: %w", err)
	}
	defer w.Close()

	files := map[string]bool{} // cleaned paths whose events matter
	dirs := map[string]bool{}
	cfg := db.config()
	for _, p := range []string{cfg.City, cfg.ASN} {
		if p == "" {
			continue
		}
		paths := []string{p}
		if target, err := filepath.EvalSymlinks(p); err == nil && target != p {
			paths = append(paths, target)
		}
		for _, p := range paths {
			abs, err := filepath.Abs(p)
			if err != nil {
				return false, fmt.Errorf("watch %s: %w", p, err)
			}
			files[abs] = true
			dirs[filepath.Dir(abs)] = true
		}
	}
	for dir := range dirs {
		if err := w.Add(dir); err != nil {
			return false, fmt.Errorf("watch directory %s: %w", dir, err)
		}
	}

	timer := time.NewTimer(cfg.Debounce)
	timer.Stop()
	if db.changedOnDisk() {
		timer.Reset(0)
	}
	for {
		select {
		case <-ctx.Done():
			return false, nil
		case <-db.rewatch:
			return true, nil
		case ev, ok := <-w.Events:
			if !ok {
				return false, errors.New("watch geoip databases: watcher closed")
			}
			if ev.Has(fsnotify.Create|fsnotify.Write) && files[filepath.Clean(ev.Name)] {
				timer.Reset(cfg.Debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return false, errors.New("watch geoip databases: watcher closed")
			}
			// An overflow means events were lost: reload to be sure.
			db.logger.Warn("geoip watch error", "error", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				timer.Reset(cfg.Debounce)
			}
		case <-timer.C:
			_ = db.Reload() // logged by Reload; the old databases keep serving
		}
	}
}

// changedOnDisk reports whether a database file on disk is not the one the
// current Snapshot was loaded from. A file that cannot be read is not a
// change: a reload would fail anyway.
func (db *DB) changedOnDisk() bool {
	s := db.cur.Load()
	for _, f := range []fileStamp{s.cityFile, s.asnFile} {
		if f.path == "" {
			continue
		}
		fi, err := os.Stat(f.path)
		if err == nil && !f.sameAs(fi) {
			return true
		}
	}
	return false
}
