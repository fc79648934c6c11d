package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// FuzzParse holds that Parse never panics and that every problem it
// reports has a message and a position in the file.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("..", "testdata", "example", "gslb.toml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte("[checks.c]\ntype = \"dns\"\nquery_type = \"TYPE65\"\nexpect_rcode = \"nxdomain\"\n[checks.c.headers]\nx = 1"))
	f.Add([]byte("listen = [\"a\", 1]\n[control]\nlisten = \"0.0.0.0:1\"\n[datacenters]\nx = 1"))
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, err := config.Parse("f.toml", src)
		if err != nil {
			for _, e := range tomlcheck.Errors(err) {
				if e.Msg == "" || e.Pos.File != "f.toml" {
					t.Fatalf("problem without message or file: %#v", e)
				}
			}
			return
		}
		if len(cfg.Listen) == 0 || cfg.Datacenters == nil || cfg.Checks == nil {
			t.Fatalf("Parse(%q) = %+v without error: want defaults filled in", src, cfg)
		}
	})
}
