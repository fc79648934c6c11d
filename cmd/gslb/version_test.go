package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/gslb/gslb", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "4367e3c0d1f2a3b4c5d6e7f8091a2b3c4d5e6f70"},
			{Key: "vcs.time", Value: "2026-11-25T23:52:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := formatVersion("v0.9.0-12-g4367e3c-dirty", bi, "go1.26.8", "linux/amd64")
	golden := filepath.Join("testdata", "golden", "version.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("formatVersion =\n%s\nwant (%s)\n%s", got, golden, want)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```text\n"+got+"```") {
		t.Errorf("README.md does not show %s in a text block", golden)
	}
	if got := buildVersion("", bi); got != "(devel)" {
		t.Errorf("buildVersion without a stamp = %q, want the module version (devel)", got)
	}
	if got := formatVersion("", nil, "go1.26.8", "linux/amd64"); !strings.HasPrefix(got, "gslb unknown\nrevision: unknown\n") {
		t.Errorf("formatVersion without build information =\n%s", got)
	}
}

// TestVersionCommand runs `gslb version` in the test binary.
func TestVersionCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"version"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "gslb ") || !strings.Contains(out.String(), "\ngo:       go") {
		t.Errorf("gslb version = %d\n%s%s", code, out.String(), errOut.String())
	}
	if code := run([]string{"version", "extra"}, &out, &errOut); code != 2 {
		t.Errorf("gslb version extra = %d, want 2", code)
	}
}
