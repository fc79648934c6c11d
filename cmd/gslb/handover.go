package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/monitor"
	"github.com/gslb/gslb/health/store"
)

// This file holds the state file's side of `gslb serve -replace`: a
// server that takes over from the one running on the same state file.
// That one holds the file's lock until it stops, so the successor starts
// from a copy of the file (taken without the lock: bbolt never overwrites
// the pages of the last committed transaction, and the copy is checked
// and taken again when a write tore it), answers, stops its predecessor,
// and takes the file over as soon as the lock is free.

// lockWait is how long a server waits for the state file's lock at start
// before it reports the file as held (or, with -replace, starts from a
// copy of it).
const lockWait = time.Second

// replaceLockWait is lockWait with -replace.
const replaceLockWait = 50 * time.Millisecond

// stateStore is the state file as the health monitor sees it: the store
// itself, or, while a predecessor holds the file, a copy of its contents
// until the file is free (see handoverStore).
type stateStore interface {
	monitor.Store
	Close() error
}

var (
	_ stateStore = (*store.Store)(nil)
	_ stateStore = (*handoverStore)(nil)
)

// errStateHeld is what changes of overrides return while the predecessor
// still holds the state file.
var errStateHeld = fmt.Errorf("the state file is still held by the gslb being replaced; try again once it has stopped: %w", control.ErrUnavailable)

// handoverStore serves the monitor from a copy of a state file that
// another server holds, until take opens the file itself. Until then the
// monitor's writes of target states are dropped (its next checkpoint
// writes them) and override changes are refused with errStateHeld.
type handoverStore struct {
	copy store.Contents
	log  *slog.Logger

	mu sync.RWMutex
	st *store.Store // nil until taken
}

// readCopy reads the contents of the state file at path without its
// lock: it copies the file aside and reads the copy, again when a write
// of the holder tore it (a corrupt copy).
func readCopy(path string, log *slog.Logger) (store.Contents, error) {
	var err error
	for range 10 {
		var c store.Contents
		if c, err = readCopyOnce(path, log); err == nil {
			return c, nil
		}
		if !errors.Is(err, store.ErrCorrupt) {
			break
		}
		time.Sleep(50 * time.Millisecond) // let the holder's write finish
	}
	return store.Contents{}, fmt.Errorf("read a copy of the state file: %w", err)
}

func readCopyOnce(path string, log *slog.Logger) (store.Contents, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return store.Contents{}, err
	}
	dir, err := os.MkdirTemp("", "gslb-state-")
	if err != nil {
		return store.Contents{}, err
	}
	defer os.RemoveAll(dir)
	cp := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(cp, b, 0o600); err != nil {
		return store.Contents{}, err
	}
	return store.Read(cp, store.Options{Logger: log})
}

// current returns the store once taken, else nil.
func (h *handoverStore) current() *store.Store {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.st
}

// LoadStates returns the target states of the file, or of the copy.
func (h *handoverStore) LoadStates() (map[health.Target]health.State, error) {
	if st := h.current(); st != nil {
		return st.LoadStates()
	}
	m := make(map[health.Target]health.State, len(h.copy.Targets))
	for _, r := range h.copy.Targets {
		m[r.Target] = r.State
	}
	return m, nil
}

// LoadOverrides returns the overrides of the file, or of the copy.
func (h *handoverStore) LoadOverrides() ([]health.Override, error) {
	if st := h.current(); st != nil {
		return st.LoadOverrides()
	}
	return h.copy.Overrides, nil
}

// LoadLifted returns the lifted overrides of the file, or of the copy.
func (h *handoverStore) LoadLifted() ([]health.Lifted, error) {
	if st := h.current(); st != nil {
		return st.LoadLifted()
	}
	return h.copy.Lifted, nil
}

// SaveStates saves to the file once taken; before, it drops them.
func (h *handoverStore) SaveStates(states map[health.Target]health.State) error {
	if st := h.current(); st != nil {
		return st.SaveStates(states)
	}
	return nil
}

// DeleteStates deletes from the file once taken; before, nothing.
func (h *handoverStore) DeleteStates(targets ...health.Target) error {
	if st := h.current(); st != nil {
		return st.DeleteStates(targets...)
	}
	return nil
}

// DeleteLifted deletes from the file once taken; before, nothing.
func (h *handoverStore) DeleteLifted(keys ...health.OverrideKey) error {
	if st := h.current(); st != nil {
		return st.DeleteLifted(keys...)
	}
	return nil
}

// SaveOverride saves to the file once taken; before, it refuses.
func (h *handoverStore) SaveOverride(o health.Override) error {
	if st := h.current(); st != nil {
		return st.SaveOverride(o)
	}
	return errStateHeld
}

// DeleteOverride deletes from the file once taken; before, it refuses.
func (h *handoverStore) DeleteOverride(k health.OverrideKey) error {
	if st := h.current(); st != nil {
		return st.DeleteOverride(k)
	}
	return errStateHeld
}

// LiftOverride writes to the file once taken; before, it refuses.
func (h *handoverStore) LiftOverride(l health.Lifted) error {
	if st := h.current(); st != nil {
		return st.LiftOverride(l)
	}
	return errStateHeld
}

// Close closes the file once taken.
func (h *handoverStore) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.st == nil {
		return nil
	}
	err := h.st.Close()
	h.st = nil
	return err
}

// take waits until the state file at path is free, opens it and serves
// the monitor from it from then on. It returns the overrides the file
// holds then, which the predecessor may have changed since the copy, or
// ctx's error.
func (h *handoverStore) take(ctx context.Context, path string) ([]health.Override, error) {
	for {
		st, err := store.Open(path, store.Options{Logger: h.log, Timeout: 200 * time.Millisecond})
		if err == nil {
			ovs, err := st.LoadOverrides()
			if err != nil {
				st.Close()
				return nil, err
			}
			h.mu.Lock()
			h.st = st
			h.mu.Unlock()
			return ovs, nil
		}
		if !errors.Is(err, store.ErrLocked) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond): // the lock has no wake-up: poll it
		}
	}
}

// adoptOverrides makes the monitor's overrides those of the state file
// just taken over: the predecessor may have set or cleared some after the
// copy was read.
func adoptOverrides(mon *monitor.Monitor, file []health.Override, log *slog.Logger) {
	want := map[health.OverrideKey]health.Override{}
	for _, o := range file {
		want[o.Key()] = o
	}
	have := map[health.OverrideKey]health.Override{}
	for _, o := range mon.Overrides() {
		have[o.Key()] = o
	}
	now := time.Now()
	for k, o := range want {
		if h, ok := have[k]; ok && h == o || o.Validate(now) != nil {
			continue // the same, or lapsed meanwhile
		}
		if err := mon.SetOverride(o); err != nil {
			log.Error("cannot adopt an override of the state file", "override", k.String(), "error", err)
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(have), health.OverrideKey.Compare) {
		if _, ok := want[k]; !ok {
			if err := mon.ClearOverride(k); err != nil && !errors.Is(err, monitor.ErrNoOverride) {
				log.Error("cannot clear an override the state file no longer has", "override", k.String(), "error", err)
			}
		}
	}
}

// LoadOverrideLog returns the cluster's override log of the file, or of
// the copy (-replace is refused with [cluster], so it is kept as is).
func (h *handoverStore) LoadOverrideLog() ([]health.OverrideEntry, error) {
	if st := h.current(); st != nil {
		return st.LoadOverrideLog()
	}
	return h.copy.OverrideLog, nil
}

// SaveOverrideLog writes to the file once taken; before, it refuses.
func (h *handoverStore) SaveOverrideLog(entries []health.OverrideEntry, gone []health.OverrideKey) error {
	if st := h.current(); st != nil {
		return st.SaveOverrideLog(entries, gone)
	}
	return errStateHeld
}
