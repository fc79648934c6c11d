package store

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
)

// TestOverrideLog: the cluster's override log is kept with its exact
// stamps, clears included, across a close and an offline read.
func TestOverrideLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	opts, _ := testOptions()
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	drain := health.OverrideEntry{Override: health.Override{Datacenter: "fra", Action: health.Drain, Created: at}, At: at, Node: "ns1"}
	cleared := health.OverrideEntry{Override: health.Override{Pool: "www", Datacenter: "ams", Action: health.ForceUp}, Cleared: true, At: at.Add(time.Nanosecond), Node: "ns2"}
	gone := health.OverrideEntry{Override: health.Override{Datacenter: "iad", Action: health.ForceDown}, At: at, Node: "ns3"}

	s := mustOpen(t, path, opts)
	if err := s.SaveOverrideLog([]health.OverrideEntry{drain, cleared, gone}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveOverrideLog(nil, []health.OverrideKey{gone.Key()}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, opts)
	got, err := s.LoadOverrideLog()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	want := []health.OverrideEntry{drain, cleared} // sorted by key: every pool first
	if len(got) != len(want) {
		t.Fatalf("LoadOverrideLog = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Newer(want[i]) || want[i].Newer(got[i]) || !got[i].At.Equal(want[i].At) {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	c, err := Read(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.OverrideLog) != 2 || !c.OverrideLog[1].Cleared || c.OverrideLog[1].Node != "ns2" {
		t.Errorf("Read's override log = %+v, want both entries", c.OverrideLog)
	}
}
