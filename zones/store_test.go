package zones_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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
