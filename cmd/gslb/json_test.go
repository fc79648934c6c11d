package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/gslb/gslb/health/store"
)

// TestJSONOutput: check and explain print JSON documents with -json, with
// empty lists as [], never null.
func TestJSONOutput(t *testing.T) {
	t.Chdir(repoRoot)
	tests := []struct {
		args  []string
		code  int
		check func(doc map[string]any) string
	}{
		{[]string{"check", "-json", "-config", "testdata/example/gslb.toml"}, 0, func(d map[string]any) string {
			if d["ok"] != true || len(d["errors"].([]any)) != 0 || d["zones"] != 1.0 {
				return "want ok, no errors, one zone"
			}
			return ""
		}},
		{[]string{"check", "-config", "cmd/gslb/testdata/broken/gslb.toml", "-json"}, 1, func(d map[string]any) string {
			errs := d["errors"].([]any)
			if d["ok"] != false || len(errs) != 7 {
				return "want not ok and 7 errors"
			}
			e := errs[1].(map[string]any)
			if e["line"] != 5.0 || e["col"] != 3.0 || e["path"] != "records[1]" || !strings.HasPrefix(e["message"].(string), "bad A address") {
				return "want the second error at 5:3 records[1]"
			}
			return ""
		}},
		{[]string{"explain", "-json", "-config", "testdata/example/gslb.toml", "-no-health", "www.example.com", "203.0.113.1/24"}, 0, func(d map[string]any) string {
			a := d["answer"].(map[string]any)
			r := d["ranking"].([]any)
			if d["gslb"] != true || a["datacenter"] != "sin" || a["reason"] != "first" || a["ecs_scope"] != 26.0 || len(r) != 7 {
				return "want sin first with scope /26 and 7 ranked datacenters"
			}
			return ""
		}},
		{[]string{"explain", "-config", "testdata/example/gslb.toml", "-no-health", "mail.example.com", "192.0.2.1", "-json"}, 0, func(d map[string]any) string {
			if d["gslb"] != false || d["lookup"] != "success" {
				return "want a static name"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		var doc map[string]any
		err := json.Unmarshal(stdout.Bytes(), &doc)
		switch {
		case code != tt.code || err != nil:
			t.Errorf("gslb %s: exit %d, %v\n%s%s", strings.Join(tt.args, " "), code, err, &stdout, &stderr)
		case strings.Contains(stdout.String(), "null"):
			t.Errorf("gslb %s: a null in\n%s", strings.Join(tt.args, " "), &stdout)
		default:
			if msg := tt.check(doc); msg != "" {
				t.Errorf("gslb %s: %s\n%s", strings.Join(tt.args, " "), msg, &stdout)
			}
		}
	}
}

// TestStateJSONEmpty: an empty state file is printed with [] lists.
func TestStateJSONEmpty(t *testing.T) {
	path := t.TempDir() + "/gslb.db"
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"state", "-db", path, "-json"}, &stdout, &stderr); code != 0 || strings.Contains(stdout.String(), "null") {
		t.Errorf("state -json of an empty file: exit %d\n%s%s", code, &stdout, &stderr)
	}
}

// TestCheckWarnings: warnings alone exit 0; an empty zones directory and a
// configuration without [geoip] are warned about.
func TestCheckWarnings(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/gslb.toml"
	if err := os.WriteFile(cfg, []byte("[datacenters.ams]\nlat = 1\nlon = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(dir+"/zones", 0o755)
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "-config", cfg}, &stdout, &stderr)
	out := stdout.String()
	if code != 0 || !strings.Contains(out, cfg+":1:1: warning: no [geoip] city database") ||
		!strings.Contains(out, dir+"/zones: warning: the zones directory has no zone files") ||
		!strings.Contains(out, "ok: 0 zones, 0 GSLB names, 1 datacenters, 0 checks, 2 warnings") {
		t.Errorf("check of an empty setup: exit %d\n%s%s", code, out, &stderr)
	}
}
