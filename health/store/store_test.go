package store

import (
	"bytes"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gslb/gslb/health"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// logBuffer is a concurrency-safe buffer for a test logger.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testOptions returns options with a fixed clock and a captured log.
func testOptions() (Options, *logBuffer) {
	var buf logBuffer
	return Options{
		Timeout: 200 * time.Millisecond,
		Logger:  slog.New(slog.NewTextHandler(&buf, nil)),
		Now:     func() time.Time { return t0 },
	}, &buf
}

func target(check, addr string) health.Target {
	return health.Target{Check: check, Addr: netip.MustParseAddr(addr)}
}

// downState returns a state that went down after three failures.
func downState() health.State {
	s := health.NewState(t0)
	for i := range 5 {
		r := health.Result{At: t0.Add(time.Duration(i) * time.Second), OK: i < 2, Duration: 3 * time.Millisecond}
		if !r.OK {
			r.Error = "connect: connection refused"
		}
		s.Observe(r, 2, 3)
	}
	return s
}

// backState returns a state that went down and came back up.
func backState() health.State {
	s := downState()
	for i := 5; i < 7; i++ {
		s.Observe(health.Result{At: t0.Add(time.Duration(i) * time.Second), OK: true, Duration: time.Millisecond}, 2, 3)
	}
	return s
}

func mustOpen(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gslb.db")
	opts, _ := testOptions()
	s := mustOpen(t, path, opts)
	a, b, c := target("web", "192.0.2.10"), target("web", "2001:db8::10"), target("api/v2", "192.0.2.11")
	states := map[health.Target]health.State{a: downState(), b: health.NewState(t0), c: backState()}
	if err := s.SaveStates(states); err != nil {
		t.Fatal(err)
	}
	o1 := health.Override{Datacenter: "ams", Action: health.Drain, Reason: "maintenance", Created: t0, Until: t0.Add(time.Hour)}
	o2 := health.Override{Pool: "web", Addr: a.Addr, Action: health.ForceUp, Created: t0}
	o2b := o2
	o2b.Action, o2b.Reason = health.ForceDown, "replaced"
	for _, o := range []health.Override{o1, o2, o2b} {
		if err := s.SaveOverride(o); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, path, opts)
	defer s.Close()
	got, err := s.LoadStates()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, states) {
		t.Errorf("LoadStates() =\n%+v\nwant\n%+v", got, states)
	}
	if got[a].Reason() != "3 consecutive failures: connect: connection refused" || len(got[a].Results) != 5 {
		t.Errorf("state of %v lost detail: %+v", a, got[a])
	}
	if want := states[c].BackSince; want.IsZero() || !got[c].BackSince.Equal(want) {
		t.Errorf("BackSince of %v = %v, want %v", c, got[c].BackSince, want)
	}
	ovs, err := s.LoadOverrides()
	if err != nil {
		t.Fatal(err)
	}
	if want := []health.Override{o1, o2b}; !reflect.DeepEqual(ovs, want) {
		t.Errorf("LoadOverrides() = %+v, want %+v", ovs, want)
	}
	recs, err := s.Targets()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].Target != c || !recs[0].Updated.Equal(t0) {
		t.Errorf("Targets() = %+v, want 3 sorted records updated at %v", recs, t0)
	}

	if err := s.DeleteStates(a, target("gone", "192.0.2.99")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOverride(o1.Key()); err != nil {
		t.Fatal(err)
	}
	got, _ = s.LoadStates()
	if _, ok := got[a]; ok || len(got) != 2 {
		t.Errorf("after DeleteStates(%v): %v", a, got)
	}
	if ovs, _ := s.LoadOverrides(); len(ovs) != 1 || ovs[0].Key() != o2.Key() {
		t.Errorf("after DeleteOverride: %+v", ovs)
	}
}

func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gslb.db")
	opts, _ := testOptions()
	s := mustOpen(t, path, opts)
	defer s.Close()

	start := time.Now()
	_, err := Open(path, opts)
	if took := time.Since(start); took > opts.Timeout+time.Second {
		t.Errorf("second Open took %v, timeout %v", took, opts.Timeout)
	}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "state file "+path+" is locked by another gslb process") {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
	if _, err := Read(path, opts); !errors.Is(err, ErrLocked) {
		t.Errorf("Read of a held file = %v, want ErrLocked", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("locked file was moved: %v", err)
	}
}

// assertMovedAside checks that Open replaced a corrupt file by an empty
// store, kept the old bytes aside, and logged a warning.
func assertMovedAside(t *testing.T, path string, old []byte) {
	t.Helper()
	opts, logs := testOptions()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(corrupt) = %v, want a fresh store", err)
	}
	defer s.Close()
	if st, err := s.LoadStates(); err != nil || len(st) != 0 {
		t.Errorf("fresh store has states %v, %v", st, err)
	}
	if err := s.SaveStates(map[health.Target]health.State{target("web", "192.0.2.1"): downState()}); err != nil {
		t.Errorf("SaveStates on the fresh store = %v", err)
	}
	aside := path + ".corrupt-20260301T120000Z"
	b, err := os.ReadFile(aside)
	if err != nil || !bytes.Equal(b, old) {
		t.Errorf("moved-aside file %s: %v (same bytes: %v)", aside, err, bytes.Equal(b, old))
	}
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "moved_to="+aside) || !strings.Contains(l, "component=health") {
		t.Errorf("log = %q, want a warning naming %s", l, aside)
	}
}

// filledDB writes a store with enough records to span many pages and
// returns its bytes.
func filledDB(t *testing.T, path string) []byte {
	t.Helper()
	opts, _ := testOptions()
	s := mustOpen(t, path, opts)
	states := make(map[health.Target]health.State)
	for i := range 100 {
		states[target("web", netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}).String())] = downState()
	}
	if err := s.SaveStates(states); err != nil {
		t.Fatal(err)
	}
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCorruptMovedAside(t *testing.T) {
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(i*7 + i>>8)
	}
	tests := []struct {
		name string
		make func(t *testing.T, path string) []byte
	}{
		{"small garbage", func(t *testing.T, path string) []byte { return []byte("not a bolt file") }},
		{"large garbage", func(t *testing.T, path string) []byte { return garbage }},
		{"truncated to one page", func(t *testing.T, path string) []byte { return filledDB(t, path)[:4096] }},
		{"truncated to half", func(t *testing.T, path string) []byte {
			b := filledDB(t, path)
			return b[:len(b)/2]
		}},
		{"meta pages zeroed", func(t *testing.T, path string) []byte {
			b := filledDB(t, path)
			clear(b[:2*4096])
			return b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gslb.db")
			b := tt.make(t, path)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Read(path, Options{Timeout: 100 * time.Millisecond}); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Read(corrupt) = %v, want ErrCorrupt", err)
			}
			assertMovedAside(t, path, b)
		})
	}
}

// TestCorruptPagesNeverCrash overwrites each data page of a real file in
// turn with garbage: Open must either keep the file (the damage was not
// reachable) or move it aside, and never crash or hang.
func TestCorruptPagesNeverCrash(t *testing.T) {
	dir := t.TempDir()
	orig := filledDB(t, filepath.Join(dir, "orig.db"))
	const page = 4096
	var used int64 // bytes up to the high-water mark: the pages in use
	db, err := bolt.Open(filepath.Join(dir, "orig.db"), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil })
	db.Close()
	moved := 0
	defer func() { t.Logf("%d pages in use, %d corrupt files moved aside", used/page, moved) }()
	for _, fill := range []byte{0x00, 0x5A} {
		for off := int64(2 * page); off < used; off += page {
			b := bytes.Clone(orig)
			for i := off; i < off+page; i++ {
				b[i] = fill ^ byte(i)
			}
			path := filepath.Join(dir, "gslb.db")
			os.WriteFile(path, b, 0o600)
			opts, _ := testOptions()
			s, err := Open(path, opts)
			if err != nil {
				t.Fatalf("page %d fill %#x: Open = %v", off/page, fill, err)
			}
			if _, err := s.LoadStates(); err != nil {
				t.Errorf("page %d fill %#x: LoadStates = %v", off/page, fill, err)
			}
			s.Close()
			matches, _ := filepath.Glob(path + ".corrupt-*")
			moved += len(matches)
			for _, m := range append(matches, path) {
				os.Remove(m)
			}
		}
	}
}

func TestNewerFormatLeftAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gslb.db")
	opts, _ := testOptions()
	mustOpen(t, path, opts).Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyVersion, []byte("99")) })
	db.Close()
	if _, err := Open(path, opts); !errors.Is(err, ErrNewerFormat) {
		t.Errorf("Open(version 99) = %v, want ErrNewerFormat", err)
	}
	if m, _ := filepath.Glob(path + ".corrupt-*"); len(m) != 0 {
		t.Errorf("newer file was moved aside: %v", m)
	}
}

func TestUndecodableRecordsSkipped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gslb.db")
	opts, logs := testOptions()
	s := mustOpen(t, path, opts)
	good := target("web", "192.0.2.10")
	s.SaveStates(map[health.Target]health.State{good: downState()})
	s.SaveOverride(health.Override{Datacenter: "ams", Action: health.Drain})
	s.db.Update(func(tx *bolt.Tx) error {
		tx.Bucket(bucketTargets).Put([]byte("web/192.0.2.11"), []byte("{not json"))
		tx.Bucket(bucketTargets).Put([]byte("no-slash"), []byte("{}"))
		tx.Bucket(bucketOverrides).Put([]byte("x\x00y\x00"), []byte(`{"action":"sideways"}`))
		tx.Bucket(bucketLifted).Put([]byte("x\x00y\x00"), []byte(`{"action":"drain","at":"yesterday"}`))
		return nil
	})
	st, err := s.LoadStates()
	if err != nil || len(st) != 1 {
		t.Errorf("LoadStates() = %v, %v, want only %v", st, err, good)
	}
	ovs, err := s.LoadOverrides()
	if err != nil || len(ovs) != 1 {
		t.Errorf("LoadOverrides() = %v, %v, want one", ovs, err)
	}
	if ls, err := s.LoadLifted(); err != nil || len(ls) != 0 {
		t.Errorf("LoadLifted() = %v, %v, want none", ls, err)
	}
	s.Close()
	if n := strings.Count(logs.String(), "skipping undecodable"); n != 4 {
		t.Errorf("logged %d skipped records, want 4:\n%s", n, logs)
	}
}

func TestReadOffline(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gslb.db")
	opts, _ := testOptions()
	s := mustOpen(t, path, opts)
	a := target("web", "192.0.2.10")
	s.SaveStates(map[health.Target]health.State{a: downState()})
	s.SaveOverride(health.Override{Datacenter: "ams", Action: health.Drain, Created: t0})
	s.LiftOverride(health.Lifted{Override: health.Override{Datacenter: "sin", Action: health.ForceDown}, At: t0})
	s.Close()
	before, _ := os.ReadFile(path)

	c, err := Read(path, opts)
	if err != nil {
		t.Fatalf("Read = %v", err)
	}
	if len(c.Targets) != 1 || c.Targets[0].Target != a || c.Targets[0].State.Status != health.Down {
		t.Errorf("Read targets = %+v", c.Targets)
	}
	if len(c.Overrides) != 1 || c.Overrides[0].Action != health.Drain {
		t.Errorf("Read overrides = %+v", c.Overrides)
	}
	if len(c.Lifted) != 1 || c.Lifted[0].Datacenter != "sin" || !c.Lifted[0].At.Equal(t0) {
		t.Errorf("Read lifted = %+v", c.Lifted)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Read changed the file")
	}
	// Two readers at once are fine.
	s2, err := Read(path, opts)
	if err != nil || len(s2.Targets) != 1 {
		t.Errorf("second Read = %v", err)
	}

	if _, err := Read(filepath.Join(dir, "missing.db"), opts); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read(missing) = %v, want ErrNotExist", err)
	}
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	if c, err := Read(empty, opts); err != nil || len(c.Targets) != 0 {
		t.Errorf("Read(empty) = %+v, %v", c, err)
	}
}

func TestOpenPathError(t *testing.T) {
	opts, _ := testOptions()
	_, err := Open(filepath.Join(t.TempDir(), "no-such-dir", "gslb.db"), opts)
	if !errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrCorrupt) {
		t.Errorf("Open(missing dir) = %v, want ErrNotExist", err)
	}
}

func TestLifted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gslb.db")
	opts, _ := testOptions()
	s := mustOpen(t, path, opts)
	addr := netip.MustParseAddr("192.0.2.10")
	drain := health.Override{Datacenter: "ams", Action: health.Drain, Reason: "maintenance", Created: t0}
	down := health.Override{Pool: "web", Addr: addr, Action: health.ForceDown, Created: t0}
	other := health.Override{Datacenter: "sin", Action: health.Drain, Created: t0}
	for _, o := range []health.Override{drain, down, other} {
		if err := s.SaveOverride(o); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name          string
		do            func() error
		wantOverrides []health.OverrideKey
		wantLifted    []health.Lifted
	}{
		{
			"lift the drain",
			func() error { return s.LiftOverride(health.Lifted{Override: drain, At: t0.Add(time.Minute)}) },
			[]health.OverrideKey{other.Key(), down.Key()}, // sorted: pool "" first
			[]health.Lifted{{Override: drain, At: t0.Add(time.Minute)}},
		},
		{
			"lift the address",
			func() error { return s.LiftOverride(health.Lifted{Override: down, At: t0.Add(2 * time.Minute)}) },
			[]health.OverrideKey{other.Key()},
			[]health.Lifted{{Override: drain, At: t0.Add(time.Minute)}, {Override: down, At: t0.Add(2 * time.Minute)}},
		},
		{
			"drain again: no longer lifted",
			func() error { return s.SaveOverride(drain) },
			[]health.OverrideKey{drain.Key(), other.Key()},
			[]health.Lifted{{Override: down, At: t0.Add(2 * time.Minute)}},
		},
		{
			"lift it again: the latest only",
			func() error { return s.LiftOverride(health.Lifted{Override: drain, At: t0.Add(3 * time.Minute)}) },
			[]health.OverrideKey{other.Key()},
			[]health.Lifted{{Override: drain, At: t0.Add(3 * time.Minute)}, {Override: down, At: t0.Add(2 * time.Minute)}},
		},
		{
			"delete one, and a key never lifted",
			func() error { return s.DeleteLifted(down.Key(), other.Key()) },
			[]health.OverrideKey{other.Key()},
			[]health.Lifted{{Override: drain, At: t0.Add(3 * time.Minute)}},
		},
		{
			"reopen",
			func() error {
				if err := s.Close(); err != nil {
					return err
				}
				s = mustOpen(t, path, opts)
				return nil
			},
			[]health.OverrideKey{other.Key()},
			[]health.Lifted{{Override: drain, At: t0.Add(3 * time.Minute)}},
		},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		ovs, err := s.LoadOverrides()
		if err != nil {
			t.Fatal(err)
		}
		var keys []health.OverrideKey
		for _, o := range ovs {
			keys = append(keys, o.Key())
		}
		if !reflect.DeepEqual(keys, st.wantOverrides) {
			t.Errorf("%s: LoadOverrides() keys = %v, want %v", st.name, keys, st.wantOverrides)
		}
		ls, err := s.LoadLifted()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ls, st.wantLifted) {
			t.Errorf("%s: LoadLifted() = %+v, want %+v", st.name, ls, st.wantLifted)
		}
	}
	s.Close()
}

// TestOldLayoutOpens writes a file as gslb wrote it before the lifted
// bucket and State.BackSince existed: Read and Open accept it, and Open
// adds the bucket.
func TestOldLayoutOpens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gslb.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	const rec = `{"target":{"check":"web","addr":"192.0.2.10"},"state":{"status":"up","since":"2026-03-01T11:02:00Z",` +
		`"successes":2,"failures":0,"transitions":[{"from":"unknown","to":"down","at":"2026-03-01T11:01:00Z","reason":"3 consecutive failures"},` +
		`{"from":"down","to":"up","at":"2026-03-01T11:02:00Z","reason":"2 consecutive successes"}]},"updated":"2026-03-01T11:02:00Z"}`
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket(bucketMeta)
		meta.Put(keyVersion, []byte("1"))
		targets, _ := tx.CreateBucket(bucketTargets)
		targets.Put([]byte("web/192.0.2.10"), []byte(rec))
		ovs, _ := tx.CreateBucket(bucketOverrides)
		return ovs.Put([]byte("\x00ams\x00"), []byte(`{"datacenter":"ams","action":"drain"}`))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	opts, logs := testOptions()
	c, err := Read(path, opts)
	if err != nil || len(c.Targets) != 1 || len(c.Overrides) != 1 || len(c.Lifted) != 0 {
		t.Fatalf("Read(old layout) = %+v, %v", c, err)
	}
	s := mustOpen(t, path, opts)
	defer s.Close()
	states, err := s.LoadStates()
	a := target("web", "192.0.2.10")
	if err != nil || states[a].Status != health.Up || !states[a].BackSince.IsZero() {
		t.Errorf("LoadStates() = %+v, %v, want %v up without BackSince", states, err, a)
	}
	if ls, err := s.LoadLifted(); err != nil || len(ls) != 0 {
		t.Errorf("LoadLifted() = %+v, %v, want none", ls, err)
	}
	drain := health.Override{Datacenter: "ams", Action: health.Drain}
	if err := s.LiftOverride(health.Lifted{Override: drain, At: t0}); err != nil {
		t.Errorf("LiftOverride on an old file = %v", err)
	}
	if ovs, _ := s.LoadOverrides(); len(ovs) != 0 {
		t.Errorf("LoadOverrides() after the lift = %+v, want none", ovs)
	}
	if ls, _ := s.LoadLifted(); len(ls) != 1 || ls[0].Key() != drain.Key() {
		t.Errorf("LoadLifted() after the lift = %+v", ls)
	}
	if m, _ := filepath.Glob(path + ".corrupt-*"); len(m) != 0 || strings.Contains(logs.String(), "WARN") {
		t.Errorf("old file taken for corrupt: %v\n%s", m, logs)
	}
}
