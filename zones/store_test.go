package zones_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/zones"
)

func newStore(t *testing.T) (*zones.Store, string, chan *zones.Set) {
	t.Helper()
	dir := t.TempDir()
	cfg := testConfig()
	cfg.ZonesDir = dir
	changed := make(chan *zones.Set, 16)
	st := zones.NewStore(cfg, dns.ParseRecord, nil, func(s *zones.Set) { changed <- s })
	return st, dir, changed
}

func write(t *testing.T, path, src string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func answer(set *zones.Set, name string) string {
	var a zones.Answer
	set.Lookup(name, 1, &a)
	if a.Outcome != zones.Success {
		return a.Outcome.String()
	}
	return a.Answer[len(a.Answer)-1].Data.(interface{ String() string }).String()
}

const storeZone = "origin = \"example.com.\"\nrecords = [\"@ NS ns1\", \"ns1 A 192.0.2.53\", \"www A %s\"]\n"

func zoneWith(addr string) string { return strings.Replace(storeZone, "%s", addr, 1) }

func TestStoreReload(t *testing.T) {
	st, dir, _ := newStore(t)
	path := filepath.Join(dir, "example.com.toml")
	write(t, path, zoneWith("192.0.2.1"))
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := answer(st.Current(), "www.example.com."); !strings.HasSuffix(got, "192.0.2.1") {
		t.Fatalf("first load: www = %s", got)
	}
	serial := st.Current().Zone("example.com.").Serial

	// a valid change is picked up, with a larger serial
	write(t, path, zoneWith("192.0.2.2"))
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := answer(st.Current(), "www.example.com."); !strings.HasSuffix(got, "192.0.2.2") {
		t.Errorf("after change: www = %s", got)
	}
	if s2 := st.Current().Zone("example.com.").Serial; int32(s2-serial) <= 0 {
		t.Errorf("serial %d did not increase from %d", s2, serial)
	}

	// an invalid change keeps the previous version and reports the error with its position
	write(t, path, zoneWith("192.0.2.300"))
	err := st.Reload()
	if err == nil || !strings.Contains(err.Error(), "example.com.toml:2:") {
		t.Errorf("invalid change: error = %v, want a positioned error", err)
	}
	if got := answer(st.Current(), "www.example.com."); !strings.HasSuffix(got, "192.0.2.2") {
		t.Errorf("after invalid change: www = %s, want the previous 192.0.2.2", got)
	}

	// a second file with the same origin is rejected, the first keeps serving
	write(t, filepath.Join(dir, "dup.toml"), zoneWith("192.0.2.9"))
	err = st.Reload()
	if err == nil || !strings.Contains(err.Error(), "dup.toml:1:10: origin: zone example.com. is already served from "+path) {
		t.Errorf("duplicate origin: error = %v", err)
	}
	os.Remove(filepath.Join(dir, "dup.toml"))

	// the fixed file is picked up
	write(t, path, zoneWith("192.0.2.3"))
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := answer(st.Current(), "www.example.com."); !strings.HasSuffix(got, "192.0.2.3") {
		t.Errorf("after fix: www = %s", got)
	}

	// removing the file removes the zone
	os.Remove(path)
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := answer(st.Current(), "www.example.com."); got != "refused" {
		t.Errorf("after removal: www = %s, want refused", got)
	}
}

func TestStoreDerivedSerialStable(t *testing.T) {
	st, dir, _ := newStore(t)
	path := filepath.Join(dir, "z.toml")
	write(t, path, zoneWith("192.0.2.1"))
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(path, when, when)
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := st.Current().Zone("example.com.").Serial; got != uint32(when.Unix()) {
		t.Errorf("derived serial = %d, want the mtime %d", got, when.Unix())
	}
	// a change with an older mtime still increases the serial
	write(t, path, zoneWith("192.0.2.2"))
	os.Chtimes(path, when.Add(-time.Hour), when.Add(-time.Hour))
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := st.Current().Zone("example.com.").Serial; got != uint32(when.Unix())+1 {
		t.Errorf("serial after change = %d, want %d", got, when.Unix()+1)
	}
}

// TestStoreWatch edits the directory the ways editors and tools do and waits
// for each change to be published.
func TestStoreWatch(t *testing.T) {
	st, dir, changed := newStore(t)
	path := filepath.Join(dir, "example.com.toml")
	write(t, path, zoneWith("192.0.2.1"))
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	<-changed
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- st.Watch(ctx, 20*time.Millisecond) }()
	defer func() { cancel(); <-done }()

	wait := func(what, want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			if got := answer(st.Current(), "www.example.com."); strings.HasSuffix(got, want) {
				return
			}
			select {
			case <-changed:
			case <-deadline:
				t.Fatalf("%s: www = %s, want %s", what, answer(st.Current(), "www.example.com."), want)
			}
		}
	}
	// the watcher may start after the first write below; keep writing until
	// it sees one, so the test does not depend on timing
	rewriteUntil := func(what, addr string, edit func()) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			edit()
			select {
			case <-changed:
				wait(what, addr)
				return
			case <-time.After(500 * time.Millisecond):
			}
		}
		t.Fatalf("%s: no reload seen", what)
	}
	rewriteUntil("in-place write", "192.0.2.2", func() { write(t, path, zoneWith("192.0.2.2")) })
	rewriteUntil("rename-save", "192.0.2.3", func() {
		tmp := filepath.Join(dir, ".example.com.toml.swp")
		write(t, tmp, zoneWith("192.0.2.3"))
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	})
	rewriteUntil("sed -i style", "192.0.2.4", func() {
		tmp := filepath.Join(dir, "sedAbc123")
		write(t, tmp, zoneWith("192.0.2.4"))
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	})
	os.Remove(path)
	deadline := time.After(10 * time.Second)
	for answer(st.Current(), "www.example.com.") != "refused" {
		select {
		case <-changed:
		case <-deadline:
			t.Fatal("removal not seen")
		}
	}
}

// TestStoreDuplicateOrigins: which of two files with one origin serves does
// not depend on their names: at start neither, named both; later the one
// serving keeps it; the log says which file serves.
func TestStoreDuplicateOrigins(t *testing.T) {
	for _, names := range [][2]string{{"a.toml", "z.toml"}, {"z.toml", "a.toml"}} {
		t.Run(names[0]+" first", func(t *testing.T) {
			var logs strings.Builder
			dir := t.TempDir()
			cfg := testConfig()
			cfg.ZonesDir = dir
			st := zones.NewStore(cfg, dns.ParseRecord, slog.New(slog.NewTextHandler(&logs, nil)), nil)
			first, second := filepath.Join(dir, names[0]), filepath.Join(dir, names[1])
			write(t, first, zoneWith("192.0.2.1"))
			write(t, second, zoneWith("192.0.2.2"))

			err := st.Reload()
			if err == nil || !strings.Contains(err.Error(), first) || !strings.Contains(err.Error(), second) || !strings.Contains(err.Error(), "neither file is served") {
				t.Errorf("start with two files of one origin: %v, want both named", err)
			}
			if got := answer(st.Current(), "www.example.com."); got != "refused" {
				t.Errorf("start with two files of one origin: www = %s, want refused (neither served)", got)
			}

			// Once only one defines it, it serves; a new duplicate is refused,
			// whatever its name.
			os.Remove(second)
			if err := st.Reload(); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), "msg=\"zone serving\" component=zones zone=example.com. file="+first) {
				t.Errorf("log does not say which file serves:\n%s", &logs)
			}
			write(t, second, zoneWith("192.0.2.2"))
			err = st.Reload()
			if err == nil || !strings.Contains(err.Error(), second+":1:10: origin: zone example.com. is already served from "+first) {
				t.Errorf("new duplicate: %v", err)
			}
			if got := answer(st.Current(), "www.example.com."); !strings.HasSuffix(got, "192.0.2.1") {
				t.Errorf("new duplicate: www = %s, want 192.0.2.1 from %s", got, first)
			}
		})
	}
}

// watchStore starts Watch on a store of the zones directory dir and returns
// the store, its log and a function that waits until www.example.com has
// addr (each reload that publishes is a signal; no fixed sleeps).
func watchStore(t *testing.T, dir string) (*zones.Store, *syncLog, func(what, addr string)) {
	t.Helper()
	cfg := testConfig()
	cfg.ZonesDir = dir
	changed := make(chan *zones.Set, 64)
	logs := &syncLog{}
	st := zones.NewStore(cfg, dns.ParseRecord, slog.New(slog.NewTextHandler(logs, nil)), func(s *zones.Set) {
		select {
		case changed <- s:
		default:
		}
	})
	st.Reload()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- st.Watch(ctx, 20*time.Millisecond) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	wait := func(what, addr string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for !strings.HasSuffix(answer(st.Current(), "www.example.com."), addr) {
			select {
			case <-changed:
			case <-deadline:
				t.Fatalf("%s: www = %s, want %s\nlog:\n%s", what, answer(st.Current(), "www.example.com."), addr, logs)
			}
		}
	}
	return st, logs, wait
}

// syncLog is a log buffer safe for concurrent use.
type syncLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// untilSeen repeats edit until wait sees its effect: the watcher may not
// be watching yet when the test's first edit happens.
func untilSeen(t *testing.T, edit func(), seen func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !seen() {
		if time.Now().After(deadline) {
			t.Fatal("change never seen")
		}
		edit()
		for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end) && !seen(); {
			time.Sleep(10 * time.Millisecond) // polling with a deadline
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestWatchConfigMap: a Kubernetes ConfigMap volume: the files are
// symlinks through ..data, which is swapped by an atomic rename to a new
// timestamped directory.
func TestWatchConfigMap(t *testing.T) {
	dir := t.TempDir()
	version := func(n int, addr string) string {
		ts := filepath.Join(dir, fmt.Sprintf("..2026_11_30_%02d", n))
		must(t, os.Mkdir(ts, 0o755))
		write(t, filepath.Join(ts, "example.com.toml"), zoneWith(addr))
		return filepath.Base(ts)
	}
	first := version(1, "192.0.2.1")
	must(t, os.Symlink(first, filepath.Join(dir, "..data")))
	must(t, os.Symlink(filepath.Join("..data", "example.com.toml"), filepath.Join(dir, "example.com.toml")))
	st, _, wait := watchStore(t, dir)
	wait("start", "192.0.2.1")

	n, prev := 1, first
	swap := func(addr string) func() {
		return func() {
			n++
			next := version(n, addr)
			must(t, os.Symlink(next, filepath.Join(dir, "..data_tmp")))
			must(t, os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
			must(t, os.RemoveAll(filepath.Join(dir, prev)))
			prev = next
		}
	}
	has := func(addr string) func() bool {
		return func() bool { return strings.HasSuffix(answer(st.Current(), "www.example.com."), addr) }
	}
	untilSeen(t, swap("192.0.2.2"), has("192.0.2.2"))
	untilSeen(t, swap("192.0.2.3"), has("192.0.2.3"))
}

// TestWatchSymlinkedDirectory: the zones directory is a symlink swapped to
// a new release directory; edits in the new one are seen afterwards.
func TestWatchSymlinkedDirectory(t *testing.T) {
	base := t.TempDir()
	release := func(name, addr string) string {
		d := filepath.Join(base, "releases", name)
		must(t, os.MkdirAll(d, 0o755))
		write(t, filepath.Join(d, "example.com.toml"), zoneWith(addr))
		return d
	}
	zonesDir := filepath.Join(base, "zones")
	must(t, os.Symlink(release("v1", "192.0.2.1"), zonesDir))
	st, _, wait := watchStore(t, zonesDir)
	wait("start", "192.0.2.1")
	has := func(addr string) func() bool {
		return func() bool { return strings.HasSuffix(answer(st.Current(), "www.example.com."), addr) }
	}
	n := 1
	untilSeen(t, func() {
		n++
		target := release(fmt.Sprintf("v%d", n), "192.0.2.2")
		tmp := filepath.Join(base, "zones.tmp")
		must(t, os.Symlink(target, tmp))
		must(t, os.Rename(tmp, zonesDir)) // mv -T: atomic
	}, has("192.0.2.2"))
	// The watch follows the new release directory.
	untilSeen(t, func() { write(t, filepath.Join(zonesDir, "example.com.toml"), zoneWith("192.0.2.3")) }, has("192.0.2.3"))
}

// TestWatchRecreatedDirectory: the zones directory removed and created
// again is seen, the loss is logged, and edits afterwards are seen.
func TestWatchRecreatedDirectory(t *testing.T) {
	zonesDir := filepath.Join(t.TempDir(), "zones")
	must(t, os.Mkdir(zonesDir, 0o755))
	path := filepath.Join(zonesDir, "example.com.toml")
	write(t, path, zoneWith("192.0.2.1"))
	st, logs, wait := watchStore(t, zonesDir)
	wait("start", "192.0.2.1")
	has := func(addr string) func() bool {
		return func() bool { return strings.HasSuffix(answer(st.Current(), "www.example.com."), addr) }
	}
	// An edit seen first: the watcher watches (it starts on its own
	// goroutine, and a directory replaced before that is no loss to it).
	untilSeen(t, func() { write(t, path, zoneWith("192.0.2.9")) }, has("192.0.2.9"))
	untilSeen(t, func() {
		must(t, os.RemoveAll(zonesDir))
		must(t, os.Mkdir(zonesDir, 0o755))
		write(t, path, zoneWith("192.0.2.2"))
	}, has("192.0.2.2"))
	// The new file may be served before the watcher's goroutine has
	// logged the loss: wait for the line.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "lost the watch of the zones directory") {
		if time.Now().After(deadline) {
			t.Fatalf("the loss of the watch is not logged:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
	untilSeen(t, func() { write(t, path, zoneWith("192.0.2.3")) }, has("192.0.2.3"))
}

// TestRewatch: when the directory and its parent are both replaced, no
// event can say so; Rewatch (SIGHUP) watches them again.
func TestRewatch(t *testing.T) {
	base := t.TempDir()
	parent := filepath.Join(base, "etc")
	zonesDir := filepath.Join(parent, "zones")
	must(t, os.MkdirAll(zonesDir, 0o755))
	path := filepath.Join(zonesDir, "example.com.toml")
	write(t, path, zoneWith("192.0.2.1"))
	st, logs, wait := watchStore(t, zonesDir)
	wait("start", "192.0.2.1")
	must(t, os.RemoveAll(parent))
	// Wait for the watcher to notice the loss before recreating.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "lost the watch") {
		if time.Now().After(deadline) {
			t.Fatalf("loss not logged:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
	must(t, os.MkdirAll(zonesDir, 0o755))
	write(t, path, zoneWith("192.0.2.2"))
	st.Rewatch()
	wait("after Rewatch", "192.0.2.2")
	untilSeen(t, func() { write(t, path, zoneWith("192.0.2.3")) }, func() bool {
		return strings.HasSuffix(answer(st.Current(), "www.example.com."), "192.0.2.3")
	})
}

// TestStoreSetDir: another zones directory is read at the next reload. A
// file unchanged in the new directory keeps its version and serial, a
// broken one keeps serving its previous version, a new one serves, and a
// zone whose file the new directory lacks is no longer served; the watch
// follows to the new directory.
func TestStoreSetDir(t *testing.T) {
	oldDir := filepath.Join(t.TempDir(), "release-1")
	newDir := filepath.Join(t.TempDir(), "release-2")
	must(t, os.Mkdir(oldDir, 0o755))
	must(t, os.Mkdir(newDir, 0o755))
	other := func(origin, addr string) string {
		return strings.ReplaceAll(zoneWith(addr), "example.com.", origin)
	}
	write(t, filepath.Join(oldDir, "example.com.toml"), zoneWith("192.0.2.1"))
	write(t, filepath.Join(oldDir, "broken.test.toml"), other("broken.test.", "192.0.2.2"))
	write(t, filepath.Join(oldDir, "gone.test.toml"), other("gone.test.", "192.0.2.3"))
	st, logs, wait := watchStore(t, oldDir)
	wait("start", "192.0.2.1")
	serial := st.Current().Zone("example.com.").Serial
	write(t, filepath.Join(newDir, "example.com.toml"), zoneWith("192.0.2.1"))
	write(t, filepath.Join(newDir, "broken.test.toml"), other("broken.test.", "192.0.2.300"))
	write(t, filepath.Join(newDir, "new.test.toml"), other("new.test.", "192.0.2.4"))

	st.SetDir(newDir)
	if st.Dir() != newDir {
		t.Fatalf("Dir() = %s after SetDir(%s)", st.Dir(), newDir)
	}
	err := st.Reload()
	if err == nil || !strings.Contains(err.Error(), filepath.Join(newDir, "broken.test.toml")+":2:") {
		t.Errorf("reload of the new directory: error = %v, want the broken file's position", err)
	}
	set := st.Current()
	for name, want := range map[string]string{
		"www.example.com.": "192.0.2.1",
		"www.broken.test.": "192.0.2.2", // the previous version
		"www.new.test.":    "192.0.2.4",
		"www.gone.test.":   "refused",
	} {
		if got := answer(set, name); !strings.HasSuffix(got, want) {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	if got := set.Zone("example.com.").Serial; got != serial {
		t.Errorf("serial of the unchanged zone = %d, want %d (kept)", got, serial)
	}
	untilSeen(t, func() { write(t, filepath.Join(newDir, "example.com.toml"), zoneWith("192.0.2.5")) }, func() bool {
		return strings.HasSuffix(answer(st.Current(), "www.example.com."), "192.0.2.5")
	})
	if !strings.Contains(logs.String(), "zones directory changed") {
		t.Errorf("the change of directory is not logged:\n%s", logs)
	}
}
