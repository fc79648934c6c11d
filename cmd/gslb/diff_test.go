package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gslb/gslb/geo/mmdb"
)

func TestDiffCmd(t *testing.T) {
	example := filepath.Join(repoRoot, "testdata", "example", "gslb.toml")
	src, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	// The new configuration moves ams to Paris; zones and databases by
	// absolute path.
	dir := t.TempDir()
	abs := func(p string) string {
		a, err := filepath.Abs(filepath.Join(repoRoot, "testdata", "example", p))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	moved := strings.NewReplacer(
		"lat = 52.37\nlon = 4.90", "lat = 48.86\nlon = 2.35",
		`zones = "zones"`, `zones = "`+abs("zones")+`"`,
		`"../geoip/`, `"`+abs("../geoip")+`/`,
	).Replace(string(src))
	newFile := filepath.Join(dir, "new.toml")
	if err := os.WriteFile(newFile, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}

	var out, errs bytes.Buffer
	if code := run([]string{"diff", "-config", example, "-new", newFile, "-json", "-pool", "web"}, &out, &errs); code != 0 {
		t.Fatalf("diff exit %d: %s", code, errs.String())
	}
	var doc diffDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("diff -json: %v\n%s", err, out.String())
	}
	if len(doc.Pools) != 2 || doc.Pools[0].Pool != "web" || doc.Pools[0].Family != "ipv4" || doc.Pools[1].Family != "ipv6" {
		t.Fatalf("diff -json pools = %+v", doc.Pools)
	}
	for _, p := range doc.Pools {
		if p.Moved <= 0 || len(p.Changes) == 0 {
			t.Errorf("%s %s: moved %v changes %v, want some of ams's clients to move", p.Pool, p.Family, p.Moved, p.Changes)
		}
	}
	// The same configuration moves nothing, and changes is [] not null.
	out.Reset()
	if code := run([]string{"diff", "-config", example, "-new", example, "-json"}, &out, &errs); code != 0 {
		t.Fatalf("diff same: exit %d: %s", code, errs.String())
	}
	if strings.Contains(out.String(), "null") || strings.Contains(out.String(), `"moved": 0.`) {
		t.Errorf("diff of the same configuration:\n%s", out.String())
	}
	// A new City database under the same configuration.
	out.Reset()
	if code := run([]string{"diff", "-config", example, "-new-geoip", filepath.Join(repoRoot, "testdata", "geoip", "DBIP-City-Lite-Test.mmdb")}, &out, &errs); code != 0 {
		t.Fatalf("diff -new-geoip: exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "pool web (example.com.), ipv4:") {
		t.Errorf("diff -new-geoip output:\n%s", out.String())
	}
	for _, bad := range [][]string{
		{"diff", "-config", example},                                     // neither -new nor -new-geoip
		{"diff", "-config", example, "-new", example, "-new-geoip", "x"}, // both
		{"diff", "-config", example, "-new", example, "extra"},
	} {
		if code := run(bad, &out, &errs); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
	if code := run([]string{"diff", "-config", example, "-new", example, "-pool", "nosuch"}, &out, &errs); code != 1 {
		t.Errorf("unknown pool: exit %d, want 1", code)
	}
}

func TestStaleGeoIP(t *testing.T) {
	built := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in := mmdb.Info{City: mmdb.FileInfo{Path: "city.mmdb", BuildTime: built}, ASN: mmdb.FileInfo{Path: "asn.mmdb", BuildTime: built.Add(20 * 24 * time.Hour)}}
	tests := []struct {
		now  time.Time
		want []string
	}{
		{built.Add(29 * 24 * time.Hour), nil},
		{built.Add(31 * 24 * time.Hour), []string{"city.mmdb"}},
		{built.Add(51 * 24 * time.Hour), []string{"city.mmdb", "asn.mmdb"}},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range staleGeoIP(in, 30*24*time.Hour, tt.now) {
			got = append(got, f.Path)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("staleGeoIP at %v = %v, want %v", tt.now, got, tt.want)
		}
	}
	if got := staleGeoIP(mmdb.Info{}, time.Hour, time.Now()); got != nil {
		t.Errorf("no databases: %v", got)
	}
}
