package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"
)

// The copy differs from the database only in its build time, by the
// seconds asked for, and opens.
func TestSetBuildEpoch(t *testing.T) {
	orig, err := os.ReadFile("../../testdata/geoip/GeoIP2-City-Test.mmdb")
	if err != nil {
		t.Fatal(err)
	}
	before, err := maxminddb.OpenBytes(orig)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Clone(orig)
	got, err := setBuildEpoch(data, 86400)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(before.Metadata.BuildEpoch) + 86400; got != want {
		t.Fatalf("new build_epoch %d, want %d", got, want)
	}
	after, err := maxminddb.OpenBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(after.Metadata.BuildEpoch) != got {
		t.Errorf("the copy opens with build_epoch %d, want %d", after.Metadata.BuildEpoch, got)
	}
	diff := 0
	for i := range orig {
		if orig[i] != data[i] {
			diff++
		}
	}
	if diff == 0 || diff > 8 {
		t.Errorf("%d bytes differ, want 1 to 8 (the build_epoch value)", diff)
	}
	if _, err := setBuildEpoch([]byte("not a database"), 1); err == nil {
		t.Error("no error for a file without metadata")
	}
}
