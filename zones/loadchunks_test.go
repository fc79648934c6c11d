package zones_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bulkyZone is a zone of origin z<i>.example. with a www address and
// enough TXT records to make the file about 20 KB.
func bulkyZone(i int, addr string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "origin = \"z%d.example.\"\nrecords = [\"@ NS ns1\", \"ns1 A 192.0.2.53\", \"www A %s\"", i, addr)
	for j := range 200 {
		fmt.Fprintf(&b, ", \"t%d TXT \\\"%s\\\"\"", j, strings.Repeat("x", 60))
	}
	b.WriteString("]\n")
	return b.String()
}

// TestReloadAcrossChunks: a reload reads more than one chunk of files
// (loadChunk, 1 MiB: decoded, then compiled), and every file gets the
// same treatment wherever it falls: new files serve, a broken file is
// reported with its position and its previous version keeps serving,
// unchanged files keep their version.
func TestReloadAcrossChunks(t *testing.T) {
	st, dir, _ := newStore(t)
	const n = 120 // about 2.4 MB of files
	path := func(i int) string { return filepath.Join(dir, fmt.Sprintf("z%d.example.toml", i)) }
	for i := range n {
		write(t, path(i), bulkyZone(i, "192.0.2.1"))
	}
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	before := st.Current()
	for i := range n {
		if got := answer(before, fmt.Sprintf("www.z%d.example.", i)); !strings.HasSuffix(got, "192.0.2.1") {
			t.Fatalf("zone %d: www = %q, want 192.0.2.1", i, got)
		}
	}

	// Every other file edited, one of them broken.
	const broken = 78 // edited, in the second chunk
	for i := 0; i < n; i += 2 {
		write(t, path(i), bulkyZone(i, "192.0.2.2"))
	}
	write(t, path(broken), strings.Replace(bulkyZone(broken, "192.0.2.2"), "www A", "www AAAA", 1))
	err := st.Reload()
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("z%d.example.toml:2:", broken)) {
		t.Fatalf("reload: %v, want the broken file's position", err)
	}
	after := st.Current()
	for i := range n {
		want := "192.0.2.1"
		if i%2 == 0 && i != broken {
			want = "192.0.2.2"
		}
		if got := answer(after, fmt.Sprintf("www.z%d.example.", i)); !strings.HasSuffix(got, want) {
			t.Errorf("zone %d: www = %q, want %s", i, got, want)
		}
		if i%2 == 1 && after.Zone(fmt.Sprintf("z%d.example.", i)) != before.Zone(fmt.Sprintf("z%d.example.", i)) {
			t.Errorf("zone %d: unchanged file compiled again", i)
		}
	}
}

// TestReloadStoppedKeepsServing: a reload whose context is done before it
// reads anything returns the context's error at once (it does not spin
// over chunks it never reads) and every zone keeps its version.
func TestReloadStoppedKeepsServing(t *testing.T) {
	st, dir, _ := newStore(t)
	for i := range 3 {
		write(t, filepath.Join(dir, fmt.Sprintf("z%d.example.toml", i)), bulkyZone(i, "192.0.2.1"))
	}
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		write(t, filepath.Join(dir, fmt.Sprintf("z%d.example.toml", i)), bulkyZone(i, "192.0.2.2"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- st.ReloadContext(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ReloadContext = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReloadContext with a done context did not return")
	}
	if got := answer(st.Current(), "www.z1.example."); !strings.HasSuffix(got, "192.0.2.1") {
		t.Errorf("www.z1 = %q, want the version serving, 192.0.2.1", got)
	}
}
