package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPackageBoundaries holds the dependency rules of the design: the wire
// format stays in dns, the selection step stays pure, and nothing points
// upwards. Packages under internal/ are leaves that every package may use.
func TestPackageBoundaries(t *testing.T) {
	const mod = "github.com/gslb/gslb/"
	const miekg = "github.com/miekg/dns"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}: {{join .Deps \" \"}}", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, list, _ := strings.Cut(line, ": ")
		deps[pkg] = strings.Fields(list)
	}
	ours := func(pkg string) (out []string) {
		for _, d := range deps[mod+pkg] {
			if strings.HasPrefix(d, mod) {
				out = append(out, strings.TrimPrefix(d, mod))
			}
		}
		return out
	}
	has := func(pkg, dep string) bool {
		for _, d := range deps[mod+pkg] {
			if d == dep {
				return true
			}
		}
		return false
	}
	for pkg := range deps {
		p := strings.TrimPrefix(pkg, mod)
		// health/cluster reaches miekg/dns only through memberlist, which
		// looks peer names up with it; it never touches the wire format.
		if !strings.HasPrefix(pkg, mod) || p == "dns" || p == "cmd/gslb" || p == "health/cluster" {
			continue
		}
		if has(p, miekg) {
			t.Errorf("%s depends on %s: only dns may", p, miekg)
		}
	}
	allowed := map[string][]string{
		"geo":            {},
		"health":         {},
		"pick":           {"geo", "health"},
		"health/probe":   {"health"},
		"health/store":   {"health"},
		"health/monitor": {"health", "health/probe"},
		"health/cluster": {"health"},
		"geo/mmdb":       {"geo"},
		"config":         {"geo", "health", "pick"},
		"zones":          {"config", "geo", "health", "pick"},
		"route":          {"config", "geo", "health", "zones", "pick"},
		"dns":            {"config", "geo", "health", "zones", "pick"},
		"control":        {"config", "geo", "health", "zones", "pick"},
		// internal packages are leaves that any package may import
		"internal/tomlcheck":   {},
		"internal/dnscode":     {},
		"internal/browsertest": {},
	}
	for pkg, ok := range allowed {
		if _, listed := deps[mod+pkg]; !listed {
			t.Errorf("package %s not found", pkg)
			continue
		}
		for _, d := range ours(pkg) {
			if strings.HasPrefix(d, "internal/") && !strings.HasPrefix(pkg, "internal/") {
				continue
			}
			found := false
			for _, a := range ok {
				found = found || d == a
			}
			if !found {
				t.Errorf("%s imports %s; allowed: %v", pkg, d, ok)
			}
		}
	}
}
