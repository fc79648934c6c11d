package config_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// writeKey writes content to a file in dir and returns its path.
func writeKey(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseCluster(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{7}, 32)
	writeKey(t, dir, "cluster.key", base64.StdEncoding.EncodeToString(key)+"\n")
	cfg, err := config.Parse(filepath.Join(dir, "gslb.toml"), []byte(`
[cluster]
node = "ns1"
bind = "192.0.2.53:7946"
peers = ["192.0.2.54:7946", "ns3.example.net:7946"]
key_file = "cluster.key"
health_quorum = "all"
network = "wan"
`))
	if err != nil {
		t.Fatal(err)
	}
	cl := cfg.Cluster
	if cl == nil {
		t.Fatal("Cluster = nil")
	}
	if cl.Node != "ns1" || cl.Bind != "192.0.2.53:7946" || !slices.Equal(cl.Peers, []string{"192.0.2.54:7946", "ns3.example.net:7946"}) ||
		cl.KeyFile != filepath.Join(dir, "cluster.key") || !bytes.Equal(cl.Key, key) || cl.HealthQuorum != health.QuorumAll || cl.Network != "wan" {
		t.Errorf("Cluster = %+v", cl)
	}
}

func TestParseClusterDefaults(t *testing.T) {
	cfg, err := config.Parse("gslb.toml", []byte("[cluster]\nbind = \"127.0.0.1:7946\""))
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	cl := cfg.Cluster
	if cl == nil || cl.Node != host || cl.Peers != nil || cl.KeyFile != "" || cl.Key != nil || cl.HealthQuorum != health.QuorumMajority || cl.Network != "lan" {
		t.Errorf("Cluster = %+v, want node %q and defaults", cl, host)
	}
	for _, src := range []string{"", "[cluster]"} {
		if cfg, err := config.Parse("gslb.toml", []byte(src)); err != nil || cfg.Cluster != nil {
			t.Errorf("Parse(%q): Cluster = %+v, %v, want nil", src, cfg.Cluster, err)
		}
	}
}

func TestParseClusterErrors(t *testing.T) {
	dir := t.TempDir()
	writeKey(t, dir, "short.key", base64.StdEncoding.EncodeToString(make([]byte, 8)))
	writeKey(t, dir, "text.key", "not base64!")
	writeKey(t, dir, "good.key", base64.StdEncoding.EncodeToString(make([]byte, 16)))
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"ok loopback without key", "[cluster]\nbind = \"127.0.0.1:7946\"", nil},
		{"ok v6 loopback", "[cluster]\nbind = \"[::1]:7946\"", nil},
		{"ok key off loopback", "[cluster]\nbind = \"0.0.0.0:7946\"\nkey_file = \"good.key\"", nil},
		{"key required off loopback", "[cluster]\nbind = \"0.0.0.0:7946\"",
			[]string{`c.toml:1:1: cluster: cluster.bind "0.0.0.0:7946" is not a loopback address: set cluster.key_file to encrypt gossip`}},
		{"bind required", "[cluster]\nnode = \"ns1\"", []string{`c.toml:1:1: cluster: missing required key "bind"`}},
		{"bind not an ip", "[cluster]\nbind = \"localhost:7946\"",
			[]string{`c.toml:2:8: cluster.bind: invalid address "localhost:7946": want ip:port with a port from 1 to 65535`}},
		{"bind port 0", "[cluster]\nbind = \"127.0.0.1:0\"",
			[]string{`c.toml:2:8: cluster.bind: invalid address "127.0.0.1:0"`}},
		{"bad peer", "[cluster]\nbind = \"127.0.0.1:7946\"\npeers = [\"127.0.0.2:7946\", \"ns2\"]",
			[]string{`c.toml:3:28: cluster.peers[1]: invalid address "ns2": want host:port`}},
		{"empty node", "[cluster]\nbind = \"127.0.0.1:7946\"\nnode = \"\"",
			[]string{"c.toml:3:8: cluster.node: node name must be 1 to 255 bytes"}},
		{"short key", "[cluster]\nbind = \"127.0.0.1:7946\"\nkey_file = \"short.key\"",
			[]string{"c.toml:3:12: cluster.key_file: key file " + filepath.Join(dir, "short.key") + " holds 8 bytes: want 16, 24 or 32"}},
		{"key not base64", "[cluster]\nbind = \"127.0.0.1:7946\"\nkey_file = \"text.key\"",
			[]string{"c.toml:3:12: cluster.key_file: key file " + filepath.Join(dir, "text.key") + " is not base64"}},
		{"missing key file", "[cluster]\nbind = \"127.0.0.1:7946\"\nkey_file = \"none.key\"",
			[]string{"c.toml:3:12: cluster.key_file: cannot read the key: open " + filepath.Join(dir, "none.key")}},
		{"network", "[cluster]\nbind = \"127.0.0.1:7946\"\nnetwork = \"internet\"",
			[]string{`c.toml:3:11: cluster.network: unknown network "internet": want lan or wan`}},
		{"quorum", "[cluster]\nbind = \"127.0.0.1:7946\"\nhealth_quorum = \"most\"",
			[]string{`c.toml:3:17: cluster.health_quorum: unknown quorum "most": want any, majority or all`}},
		{"unknown key", "[cluster]\nbind = \"127.0.0.1:7946\"\nseeds = []",
			[]string{"c.toml:3:9: cluster.seeds: unknown key"}},
		{"check source", "[checks.c]\ntype = \"tcp\"\nport = 1\nsource = \"127.0.0.300\"",
			[]string{`c.toml:4:10: checks.c.source: invalid IP address "127.0.0.300"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(filepath.Join(dir, "c.toml"), []byte(tt.src))
			got := tomlcheck.Errors(err)
			if len(got) != len(tt.want) {
				t.Fatalf("Parse errors = %v, want %q", err, tt.want)
			}
			for i, e := range got {
				msg := strings.TrimPrefix(e.Error(), dir+string(filepath.Separator))
				if !strings.HasPrefix(msg, tt.want[i]) {
					t.Errorf("error %d = %q, want prefix %q", i, msg, tt.want[i])
				}
			}
		})
	}
}

func TestParseCheckSource(t *testing.T) {
	cfg, err := config.Parse("gslb.toml", []byte("[checks.web]\ntype = \"http\"\nsource = \"192.0.2.53\"\n[checks.other]\ntype = \"http\""))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Checks["web"].Source.String(); got != "192.0.2.53" {
		t.Errorf("web Source = %s, want 192.0.2.53", got)
	}
	if cfg.Checks["other"].Source.IsValid() {
		t.Errorf("other Source = %s, want none", cfg.Checks["other"].Source)
	}
}
