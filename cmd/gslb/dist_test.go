package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// unitFile is dist/gslb.service.
var unitFile = filepath.Join(repoRoot, "dist", "gslb.service")

// readUnit returns the settings of a systemd unit file, by section and key,
// each key's values in order.
func readUnit(t *testing.T, path string) map[string]map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			out[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a setting: %q", path, n, line)
			}
			out[section][k] = append(out[section][k], v)
		}
	}
	return out
}

// TestSystemdUnit checks the hardened unit's settings, and that its
// command lines are ones gslb accepts.
func TestSystemdUnit(t *testing.T) {
	u := readUnit(t, unitFile)
	svc := u["Service"]
	want := map[string]string{
		"Type":                   "notify",
		"ExecStartPre":           "/usr/local/bin/gslb check -config /etc/gslb/gslb.toml",
		"ExecStart":              "/usr/local/bin/gslb serve -config /etc/gslb/gslb.toml -state /var/lib/gslb/gslb.db",
		"ExecReload":             "/bin/kill -HUP $MAINPID",
		"Restart":                "on-failure",
		"DynamicUser":            "yes",
		"StateDirectory":         "gslb",
		"ConfigurationDirectory": "gslb",
		"AmbientCapabilities":    "CAP_NET_BIND_SERVICE",
		"CapabilityBoundingSet":  "CAP_NET_BIND_SERVICE",
		"NoNewPrivileges":        "yes",
		"ProtectSystem":          "strict",
		"ProtectHome":            "yes",
		"PrivateTmp":             "yes",
	}
	for k, v := range want {
		if got := svc[k]; !slices.Equal(got, []string{v}) {
			t.Errorf("[Service] %s = %q, want %q", k, got, v)
		}
	}
	if len(svc["LimitNOFILE"]) != 1 {
		t.Error("[Service] LimitNOFILE is not set")
	}
	if got := u["Install"]["WantedBy"]; !slices.Equal(got, []string{"multi-user.target"}) {
		t.Errorf("[Install] WantedBy = %q", got)
	}
	// The check line accepts the example configuration.
	pre := strings.Fields(svc["ExecStartPre"][0])[1:]
	pre[len(pre)-1] = filepath.Join(repoRoot, "testdata", "example", "gslb.toml")
	var out strings.Builder
	if code := run(pre, &out, &out); code != 0 {
		t.Errorf("gslb %s = %d\n%s", strings.Join(pre, " "), code, out.String())
	}
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the unit, with
// the gslb binary replaced by one that exists here (make test installs
// systemd-analyze through .ci/deps.sh).
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatal("systemd-analyze is missing: run bash .ci/deps.sh (make test does), or apt-get install systemd")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "gslb.service")
	if err := os.WriteFile(unit, []byte(strings.ReplaceAll(string(src), "/usr/local/bin/gslb", exe)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	t.Logf("systemd-analyze verify: %s", out)
}

// TestDockerImageConfig checks the container image's configuration with
// the example zones, laid out as the Dockerfile copies them, and that
// every file the Dockerfile copies from the repository exists.
func TestDockerImageConfig(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot, "dist", "docker", "gslb.toml"))
	if err != nil {
		t.Fatal(err)
	}
	geoip, err := filepath.Abs(filepath.Join(repoRoot, "testdata", "geoip"))
	if err != nil {
		t.Fatal(err)
	}
	zones, err := filepath.Abs(filepath.Join(repoRoot, "testdata", "example", "zones"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "gslb.toml")
	os.WriteFile(cfg, []byte(strings.ReplaceAll(string(src), "/usr/share/GeoIP", geoip)), 0o644)
	if err := os.Symlink(zones, filepath.Join(dir, "zones")); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if code := run([]string{"check", "-config", cfg}, &out, &out); code != 0 {
		t.Errorf("gslb check of the image's configuration = %d\n%s", code, out.String())
	}

	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(dockerfile), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "COPY" || strings.HasPrefix(f[1], "--") || f[1] == "." {
			continue
		}
		for _, p := range f[1 : len(f)-1] {
			if _, err := os.Stat(filepath.Join(repoRoot, p)); err != nil {
				t.Errorf("Dockerfile copies %s: %v", p, err)
			}
		}
	}
}
