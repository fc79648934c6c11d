package mmdb

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startWatch runs db.Watch until the test ends and checks that it returns
// nil when its context is cancelled.
func startWatch(t *testing.T, db *DB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- db.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch() = %v after cancel, want nil", err)
			}
		case <-time.After(waitLimit):
			t.Errorf("Watch did not return within %v of cancel", waitLimit)
		}
	})
}

func TestReload(t *testing.T) {
	dir := t.TempDir()
	city := copyTo(t, sampleCity, dir, "GeoIP2-City.mmdb")
	asn := copyTo(t, sampleASN, dir, "GeoLite2-ASN.mmdb")
	logs := newLogCapture()
	db, err := Config{City: city, ASN: asn, Logger: logs.logger()}.Open()
	if err != nil {
		t.Fatal(err)
	}
	a := netip.MustParseAddr("192.0.2.1")
	locate := func() string { return db.Locate(a).City }

	// A different database renamed into place.
	replace(t, city, readFile(t, sampleDBIP))
	if err := db.Reload(); err != nil {
		t.Fatalf("Reload() = %v", err)
	}
	logs.wait(t, "geoip databases loaded", "generation=2", "city_type=DBIP-City-Lite")
	if got := locate(); got != "Madrid" {
		t.Errorf("after reload Locate(%s).City = %q, want Madrid", a, got)
	}

	// Failures keep the loaded databases and name the file.
	garbage := []byte(strings.Repeat("garbage ", 100))
	tests := []struct {
		name    string
		prepare func()
		file    string
		want    error
	}{
		{"corrupt city", func() { replace(t, city, garbage) }, city, ErrInvalid},
		{"wrong type city", func() { replace(t, city, readFile(t, sampleASN)) }, city, ErrDatabaseType},
		{"missing city", func() { os.Remove(city) }, city, fs.ErrNotExist},
		{"corrupt asn, good city", func() {
			replace(t, city, readFile(t, sampleCity))
			replace(t, asn, garbage)
		}, asn, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := db.Snapshot()
			tt.prepare()
			err := db.Reload()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.file) {
				t.Errorf("Reload() = %v, want %v naming %s", err, tt.want, tt.file)
			}
			logs.wait(t, "geoip reload failed", tt.file)
			if db.Snapshot() != before {
				t.Errorf("a failed Reload replaced the snapshot")
			}
			select {
			case <-before.Replaced():
				t.Errorf("a failed Reload closed Replaced")
			default:
			}
			if got := locate(); got != "Madrid" {
				t.Errorf("after a failed reload Locate(%s).City = %q, want Madrid (the old data)", a, got)
			}
		})
	}

	// Repaired: both files load again.
	replace(t, asn, readFile(t, sampleASN))
	if err := db.Reload(); err != nil {
		t.Fatalf("Reload() = %v", err)
	}
	if got := db.Locate(a); got.City != "Amsterdam" || got.ASN != 64496 || db.Snapshot().Generation() != 3 {
		t.Errorf("after repair Locate(%s) = %+v, generation %d; want Amsterdam, AS64496, generation 3", a, got, db.Snapshot().Generation())
	}
}

func TestWatch(t *testing.T) {
	dir := t.TempDir()
	city := copyTo(t, sampleCity, dir, "GeoIP2-City.mmdb")
	asn := copyTo(t, sampleASN, dir, "GeoLite2-ASN.mmdb")
	logs := newLogCapture()
	db, err := Config{City: city, ASN: asn, Logger: logs.logger(), Debounce: 20 * time.Millisecond}.Open()
	if err != nil {
		t.Fatal(err)
	}
	startWatch(t, db)

	// Renamed into place, as geoipupdate does.
	replace(t, city, readFile(t, sampleDBIP))
	waitCity(t, db, "192.0.2.1", "Madrid")

	// A corrupt replacement is refused; the old data keeps serving.
	gen := db.Snapshot().Generation()
	replace(t, city, []byte("garbage"))
	logs.wait(t, "geoip reload failed", city)
	if got := db.Locate(netip.MustParseAddr("192.0.2.1")).City; got != "Madrid" || db.Snapshot().Generation() != gen {
		t.Errorf("after a corrupt replacement Locate = %q, generation %d; want Madrid, %d", got, db.Snapshot().Generation(), gen)
	}

	// Written in place.
	if err := os.WriteFile(city, readFile(t, sampleCity), 0o644); err != nil {
		t.Fatal(err)
	}
	waitCity(t, db, "192.0.2.1", "Amsterdam")

	// The ASN file is watched too.
	s := db.Snapshot()
	replace(t, asn, readFile(t, sampleASN))
	select {
	case <-s.Replaced():
	case <-time.After(waitLimit):
		t.Fatalf("no reload within %v of replacing the ASN database", waitLimit)
	}
}

// TestWatchCatchesEarlierChange checks that a file replaced between Open and
// Watch is loaded when Watch starts.
func TestWatchCatchesEarlierChange(t *testing.T) {
	dir := t.TempDir()
	city := copyTo(t, sampleCity, dir, "GeoIP2-City.mmdb")
	db, err := Config{City: city, Debounce: time.Millisecond}.Open()
	if err != nil {
		t.Fatal(err)
	}
	replace(t, city, readFile(t, sampleFlat))
	startWatch(t, db)
	waitCity(t, db, "192.0.2.1", "Stockholm")
}

// TestWatchSymlink checks that a database reached through a symlink is
// reloaded when its target is replaced.
func TestWatchSymlink(t *testing.T) {
	data, link := t.TempDir(), t.TempDir()
	target := copyTo(t, sampleCity, data, "GeoIP2-City.mmdb")
	city := filepath.Join(link, "city.mmdb")
	if err := os.Symlink(target, city); err != nil {
		t.Skip("symlinks not supported:", err)
	}
	db, err := Config{City: city, Debounce: time.Millisecond}.Open()
	if err != nil {
		t.Fatal(err)
	}
	startWatch(t, db)
	replace(t, target, readFile(t, sampleDBIP))
	waitCity(t, db, "192.0.2.1", "Madrid")
}

func TestWatchMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	city := copyTo(t, sampleCity, dir, "GeoIP2-City.mmdb")
	db := mustOpen(t, city, "")
	if err := os.Remove(city); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	err := db.Watch(context.Background())
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Watch() with a missing directory = %v, want an error naming %s", err, dir)
	}
}

// TestConcurrentSwap locates in several goroutines while the City database
// is swapped many times, by Reload and by Watch. Run it with -race. Each
// reader checks that one Snapshot answers from one version: either both
// addresses in the GeoIP2 sample or both in the DB-IP sample.
func TestConcurrentSwap(t *testing.T) {
	dir := t.TempDir()
	city := copyTo(t, sampleCity, dir, "GeoIP2-City.mmdb")
	db, err := Config{City: city, ASN: copyTo(t, sampleASN, dir, "GeoLite2-ASN.mmdb"), Debounce: time.Millisecond}.Open()
	if err != nil {
		t.Fatal(err)
	}
	startWatch(t, db)
	versions := [][]byte{readFile(t, sampleCity), readFile(t, sampleDBIP)}
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("::ffff:203.0.113.130")
	answers := map[[2]string]bool{{"Amsterdam", "Sydney"}: true, {"Madrid", "Seoul"}: true}

	const (
		readers  = 4
		swaps    = 40
		maxReads = 1_000_000 // per reader; a bound, not a target
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			for i := 0; i < maxReads; i++ {
				select {
				case <-stop:
					return
				default:
				}
				s := db.Snapshot()
				got := [2]string{s.Locate(a).City, s.Locate(b).City}
				if !answers[got] {
					t.Errorf("snapshot %d: Locate(%s), Locate(%s) = %q: not from one database", s.Generation(), a, b, got)
					return
				}
			}
		})
	}
	for i := range swaps {
		next := versions[(i+1)%2]
		want := map[bool]string{true: "Amsterdam", false: "Madrid"}[(i+1)%2 == 0]
		replace(t, city, next)
		if i%2 == 0 {
			if err := db.Reload(); err != nil {
				t.Fatalf("swap %d: Reload() = %v", i, err)
			}
		}
		waitCity(t, db, "192.0.2.1", want) // by Reload, or by Watch
	}
	close(stop)
	wg.Wait()
	if g := db.Snapshot().Generation(); g < swaps {
		t.Errorf("generation %d after %d swaps", g, swaps)
	}
}

// TestSetFiles switches to other database files: they serve at once, a
// file that does not load changes nothing, and Watch follows the new files.
func TestSetFiles(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	cityA := copyTo(t, sampleCity, dirA, "GeoIP2-City.mmdb")
	cityB := copyTo(t, sampleDBIP, dirB, "dbip-city.mmdb")
	db, err := Config{City: cityA, Debounce: 20 * time.Millisecond}.Open()
	if err != nil {
		t.Fatal(err)
	}
	startWatch(t, db)
	s := db.Snapshot()
	if err := db.SetFiles(filepath.Join(dirB, "missing.mmdb"), ""); err == nil || db.Snapshot() != s {
		t.Fatalf("SetFiles(missing) = %v; want an error and the same snapshot", err)
	}
	if err := db.SetFiles(cityB, ""); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Replaced():
	default:
		t.Error("SetFiles did not replace the snapshot")
	}
	if got := db.Locate(netip.MustParseAddr("192.0.2.1")).City; got != "Madrid" || db.Snapshot().Info().City.Path != cityB {
		t.Errorf("after SetFiles: Locate = %q, file %s; want Madrid from %s", got, db.Snapshot().Info().City.Path, cityB)
	}
	// The new file is watched, the old one no longer.
	replace(t, cityB, readFile(t, sampleCity))
	waitCity(t, db, "192.0.2.1", "Amsterdam")
	replace(t, cityA, readFile(t, sampleDBIP))
	if err := db.Reload(); err != nil || db.Snapshot().Info().City.Path != cityB {
		t.Errorf("Reload after SetFiles = %v from %s, want the new file", err, db.Snapshot().Info().City.Path)
	}
}
