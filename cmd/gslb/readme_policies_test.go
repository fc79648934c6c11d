package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmePolicyExamples runs `gslb check` on the examples of the README's
// "Traffic policies" section: its server configuration block and every zone
// file block, with the sample GeoIP databases under the names the
// configuration uses. Each zone is checked on its own, then all together.
func TestReadmePolicyExamples(t *testing.T) {
	md, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := string(md)
	start := strings.Index(section, "\n## Traffic policies\n")
	if start < 0 {
		t.Fatal("README.md has no Traffic policies section")
	}
	section = section[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var config string
	zones := map[string]string{}
	for _, block := range strings.Split(section, "```toml\n")[1:] {
		block = block[:strings.Index(block, "```")]
		first, _, _ := strings.Cut(block, "\n")
		switch {
		case strings.HasPrefix(first, "# gslb.toml"):
			config = block
		case strings.HasPrefix(first, "# zones/"):
			zones[strings.Fields(strings.TrimPrefix(first, "# "))[0]] = block
		default:
			t.Errorf("README.md Traffic policies: a toml block starts with %q; want \"# gslb.toml\" or \"# zones/FILE\" so that this test checks it", first)
		}
	}
	if config == "" || len(zones) < 8 {
		t.Fatalf("found the configuration: %v, and %d zone files; want both", config != "", len(zones))
	}
	setup := func(t *testing.T, files map[string]string) string {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "zones"), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, src := range map[string]string{"GeoIP2-City.mmdb": "GeoIP2-City-Test.mmdb", "GeoLite2-ASN.mmdb": "GeoLite2-ASN-Test.mmdb"} {
			b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "geoip", src))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		files["gslb.toml"] = config
		for name, src := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return filepath.Join(dir, "gslb.toml")
	}
	for name, src := range zones {
		t.Run(name, func(t *testing.T) {
			cfg := setup(t, map[string]string{name: src})
			var out bytes.Buffer
			if code := checkCmd([]string{"-config", cfg}, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "ok: 1 zones") {
				t.Errorf("gslb check of README's %s: exit %d\n%s", name, code, out.String())
			}
		})
	}
	all := map[string]string{}
	for name, src := range zones {
		all[name] = src
	}
	var out bytes.Buffer
	if code := checkCmd([]string{"-config", setup(t, all)}, &out, &out); code != 0 {
		t.Errorf("gslb check of every README policy example together: exit %d\n%s", code, out.String())
	}
}
