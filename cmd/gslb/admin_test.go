package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gslb/gslb/health"
)

// TestAdminArguments: command lines admin refuses before asking the server,
// and -h.
func TestAdminArguments(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string // printed on standard output (help)
		stderr string // printed on standard error
	}{
		{[]string{"admin", "drain", "fra", "iad", "-for", "2m"}, 2, "", "drain takes exactly one datacenter or address, got 2 (fra iad)"},
		{[]string{"admin", "drain", "-for", "2m"}, 2, "", "drain takes exactly one datacenter or address, got 0"},
		{[]string{"admin", "drain", "-h"}, 0, "usage:", ""},
		{[]string{"admin", "-help"}, 0, "usage:", ""},
		{[]string{"admin", "-h", "drain", "ams"}, 0, "usage:", ""},
		{[]string{"admin"}, 2, "", "no subcommand"},
		{[]string{"admin", "pause", "ams"}, 2, "", `unknown subcommand "pause"`},
		{[]string{"admin", "drain", "ams", "-bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{[]string{"admin", "overrides", "ams"}, 2, "", "overrides takes no arguments"},
		{[]string{"admin", "reload", "-pool", "web"}, 2, "", "reload does not take -pool"},
		{[]string{"admin", "clear", "ams", "-for", "1h"}, 2, "", "clear does not take -for"},
		{[]string{"admin", "drain", "ams", "-for", "1h", "-until", "2030-01-01T00:00:00Z"}, 2, "", "give -for or -until, not both"},
		{[]string{"admin", "drain", "ams", "-json"}, 2, "", "drain does not take -json"},
	}
	t.Chdir(t.TempDir()) // no gslb.toml
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("gslb %s: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				strings.Join(tt.args, " "), code, &stdout, &stderr, tt.code, tt.stdout, tt.stderr)
		}
		if tt.code == 2 && !strings.Contains(stderr.String(), "usage:") {
			t.Errorf("gslb %s: no usage on standard error", strings.Join(tt.args, " "))
		}
	}
	// Unreachable server: an error, not success.
	var stdout, stderr bytes.Buffer
	if code := run([]string{"admin", "-control", "127.0.0.1:1", "drain", "ams"}, &stdout, &stderr); code != 1 {
		t.Errorf("drain with no server: exit %d, want 1 (%s)", code, &stderr)
	}
}

// TestAdminAgainstServer: the server refuses names it does not have, the
// CLI prints its message and exits 1; flags go anywhere; status and admin
// find the control API through gslb.toml of the working directory.
func TestAdminAgainstServer(t *testing.T) {
	dir := t.TempDir()
	up := newBackend(t, "127.0.0.1", 0)
	writeSetup(t, dir, up.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	h := startServer(t, dir)

	// A working directory whose gslb.toml points at the running server.
	cwd := t.TempDir()
	cfg := fmt.Sprintf("[control]\nlisten = %q\n[datacenters.ams]\nlat = 1\nlon = 1\n", h.run.Control)
	if err := os.WriteFile(filepath.Join(cwd, "gslb.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(cwd)

	gslb := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	refused := []struct {
		args []string
		msg  string
	}{
		{[]string{"admin", "drain", "AMS"}, `400 Bad Request: datacenter "AMS" is not a member of any pool (did you mean ams?)`},
		{[]string{"admin", "drain", "nosuchdc", "-for", "2m"}, `datacenter "nosuchdc" is not a member of any pool`},
		{[]string{"admin", "drain", "ams", "-pool", "nosuchpool"}, `pool "nosuchpool" does not exist`},
		{[]string{"admin", "force-down", "192.0.2.99"}, "address 192.0.2.99 is not an address of any pool"},
		{[]string{"admin", "drain", "sin"}, `datacenter "sin" is not a member of any pool`}, // configured, but in no pool
		{[]string{"admin", "drain", "am\ts"}, "control character"},
	}
	for _, tt := range refused {
		code, _, stderr := gslb(tt.args...)
		if code != 1 || !strings.Contains(stderr, tt.msg) {
			t.Errorf("gslb %s: exit %d, stderr %q; want 1 and %q", strings.Join(tt.args, " "), code, stderr, tt.msg)
		}
	}

	// Flags after the target, the control address from ./gslb.toml.
	if code, out, stderr := gslb("admin", "drain", "ams", "-for", "2m", "-pool", "web", "-reason", "kernel"); code != 0 || !strings.Contains(out, "drain pool=web dc=ams until ") {
		t.Fatalf("drain ams -for 2m -pool web: exit %d, %q %q", code, out, stderr)
	}
	code, out, _ := gslb("admin", "-json", "overrides")
	var list []health.Override
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0].Datacenter != "ams" || list[0].Until.IsZero() {
		t.Errorf("admin -json overrides: exit %d, %s (%v); want the timed drain of ams", code, out, err)
	}
	if code, out, stderr := gslb("status"); code != 0 || !strings.Contains(out, "ready: true") {
		t.Errorf("status from ./gslb.toml: exit %d, %q %q", code, out, stderr)
	}
	if code, out, _ := gslb("admin", "clear", "-pool", "web", "ams"); code != 0 || out != "cleared ams\n" {
		t.Errorf("clear -pool web ams: exit %d, %q", code, out)
	}
	if code, out, _ := gslb("admin", "overrides", "-json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("admin overrides -json with none: exit %d, %q; want []", code, out)
	}
	if code, _, stderr := gslb("admin", "clear", "ams"); code != 1 || !strings.Contains(stderr, "404") {
		t.Errorf("clear of nothing: exit %d, %q; want 1 and a 404", code, stderr)
	}
	// An explicit -config that does not exist is an error, not a default.
	if code, _, stderr := gslb("status", "-config", "nope.toml"); code != 1 || !strings.Contains(stderr, "nope.toml") {
		t.Errorf("status -config nope.toml: exit %d, %q", code, stderr)
	}
}
