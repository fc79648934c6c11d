package zones_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// orgZone is storeZone for another origin.
func orgZone(addr string) string {
	return strings.Replace(zoneWith(addr), "example.com.", "example.org.", 1)
}

// TestReloadFilesReadsOnlyThose: a reload of the files an event named
// reads those (and the ones that failed before) and no other: a file
// broken meanwhile but not named keeps serving, unread, until a full
// reload finds it; a named file that is gone stops serving; a file set
// aside for a duplicate origin is read again and served once the origin
// is free.
func TestReloadFilesReadsOnlyThose(t *testing.T) {
	st, dir, _ := newStore(t)
	com, org := filepath.Join(dir, "example.com.toml"), filepath.Join(dir, "example.org.toml")
	write(t, com, zoneWith("192.0.2.1"))
	write(t, org, orgZone("192.0.2.1"))
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// com edited, org broken but not named: only com is read.
	write(t, com, zoneWith("192.0.2.2"))
	write(t, org, "this is not TOML")
	if err := st.ReloadFiles(ctx, []string{com}); err != nil {
		t.Fatalf("ReloadFiles(com): %v", err)
	}
	if got := answer(st.Current(), "www.example.com."); !strings.HasSuffix(got, "192.0.2.2") {
		t.Errorf("www.example.com = %s, want the edit 192.0.2.2", got)
	}
	if got := answer(st.Current(), "www.example.org."); !strings.HasSuffix(got, "192.0.2.1") {
		t.Errorf("www.example.org = %s, want its version 192.0.2.1 still", got)
	}
	if errs := st.Errors(); len(errs) != 0 {
		t.Errorf("errors after reading com only: %+v, want none (org was not read)", errs)
	}

	// A full reload finds org's problem; it keeps serving.
	if err := st.Reload(); err == nil || !strings.Contains(err.Error(), "example.org.toml") {
		t.Fatalf("full reload: %v, want org's error", err)
	}
	// A reload of com alone reads the failing org again too: fixed, served.
	write(t, org, orgZone("192.0.2.3"))
	if err := st.ReloadFiles(ctx, []string{com}); err != nil {
		t.Fatalf("ReloadFiles(com) with org failing: %v", err)
	}
	if got := answer(st.Current(), "www.example.org."); !strings.HasSuffix(got, "192.0.2.3") {
		t.Errorf("www.example.org = %s, want the fixed 192.0.2.3", got)
	}

	// A duplicate origin is set aside, then served once the origin is free.
	dup := filepath.Join(dir, "dup.toml")
	write(t, dup, zoneWith("192.0.2.9"))
	if err := st.ReloadFiles(ctx, []string{dup}); err == nil || !strings.Contains(err.Error(), "already served from") {
		t.Fatalf("ReloadFiles(dup): %v, want the duplicate origin refused", err)
	}
	os.Remove(com)
	if err := st.ReloadFiles(ctx, []string{com}); err != nil {
		t.Fatalf("ReloadFiles(removed com): %v", err)
	}
	if got := answer(st.Current(), "www.example.com."); !strings.HasSuffix(got, "192.0.2.9") {
		t.Errorf("www.example.com = %s, want dup's 192.0.2.9 once com is gone", got)
	}

	// Names outside the directory or not zone files are ignored.
	if err := st.ReloadFiles(ctx, []string{filepath.Join(dir, ".hidden.toml"), filepath.Join(dir, "notes.txt"), "/etc/passwd"}); err != nil {
		t.Fatalf("ReloadFiles(others): %v", err)
	}
	if got := len(st.Current().Zones()); got != 2 {
		t.Errorf("%d zones, want 2", got)
	}
}
