package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

func TestMain(m *testing.M) {
	if os.Getenv(asGSLB) == "1" { // a test runs this binary as gslb (processes_test.go)
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	// The CLI prints times in the local zone. The golden files and README.md
	// show UTC, whatever the machine's zone: a time's width decides the
	// columns of `gslb status`, which normalize alone would not hide. Set
	// before any test runs, so no goroutine reads time.Local meanwhile.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// repoRoot is the repository's root, relative to this package.
const repoRoot = "../.."

// cliCase is a command whose standard output is held by the golden file
// testdata/golden/NAME.golden.
type cliCase struct {
	name   string
	dir    string   // working directory, relative to this package
	args   []string // as typed after gslb
	code   int      // exit status
	live   bool     // runs against the example server: -control ADDR is appended to args
	readme bool     // README.md shows this output after `$ bin/gslb ARGS`
}

var cliCases = []cliCase{
	{name: "check-example", dir: repoRoot, args: []string{"check", "-config", "testdata/example/gslb.toml"}},
	{name: "check-broken-zone", dir: "testdata/broken", args: []string{"check", "-config", "gslb.toml"}, code: 1, readme: true},
	{name: "check-warnings", dir: "testdata/warnings", args: []string{"check", "-config", "mycompany.toml"}, readme: true},
	{name: "check-broken-config", dir: "testdata/broken", args: []string{"check", "-config", "bad-config.toml"}, code: 1},
	{name: "explain-www-saopaulo-aaaa", dir: repoRoot, args: []string{"explain", "-config", "testdata/example/gslb.toml", "-no-health", "www.example.com", "2001:db8:9::/48", "AAAA"}},
	{name: "explain-static", dir: repoRoot, args: []string{"explain", "-config", "testdata/example/gslb.toml", "-no-health", "mail.example.com", "192.0.2.1"}},
	{name: "explain-www-singapore", dir: repoRoot, args: []string{"explain", "-config", "testdata/example/gslb.toml", "www.example.com", "203.0.113.1/24"}, live: true},
	{name: "explain-api-failover", dir: repoRoot, args: []string{"explain", "-config", "testdata/example/gslb.toml", "api.example.com", "192.0.2.1/24"}, live: true, readme: true},
	{name: "status", dir: repoRoot, args: []string{"status"}, live: true},
	{name: "check-dnssec-keys", dir: "testdata/dnssec-keys", args: []string{"check", "-config", "signed.toml"}, code: 1, readme: true},
	{name: "dnssec-ds", dir: repoRoot, args: []string{"dnssec", "ds", "-config", "testdata/dnssec/gslb.toml", "example.test"}, readme: true},
}

// readmeCommand is the command line README.md shows for c.
func (c cliCase) readmeCommand() string { return "bin/gslb " + strings.Join(c.args, " ") }

// Placeholders of normalize for what varies between runs.
var (
	rfc3339    = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
	loopPort   = regexp.MustCompile(`\b(127\.\d+\.\d+\.\d+|localhost):\d+\b`)
	zoneSerial = regexp.MustCompile(`\bserial \d+\b`)
)

// normalize replaces what varies between runs with placeholders, so that a
// fresh run, its golden file and README.md compare equal:
//
//	YYYY-MM-DDThh:mm:ssZ  an RFC 3339 time (override expiries, state
//	                      changes, loads), as wide as a UTC one so that
//	                      columns stay aligned
//	PORT                  the port of a loopback address (test servers
//	                      bind port 0)
//	SERIAL                a zone serial (derived from the zone file's
//	                      modification time)
//	TMPDIR                one of dirs (a test's temporary directories)
func normalize(s string, dirs ...string) string {
	for _, d := range dirs {
		s = strings.ReplaceAll(s, d, "TMPDIR")
	}
	s = rfc3339.ReplaceAllString(s, "YYYY-MM-DDThh:mm:ssZ")
	s = loopPort.ReplaceAllString(s, "${1}:PORT")
	return zoneSerial.ReplaceAllString(s, "serial SERIAL")
}

func goldenPath(base, name string) string {
	return filepath.Join(base, "testdata", "golden", name+".golden")
}

// TestGoldenCLI runs the commands of cliCases and compares their output
// with the golden files (go test ./cmd/gslb -run Golden -update rewrites
// them). The live cases run against testdata/example/gslb.toml served on
// free ports, with ams drained in pool api.
func TestGoldenCLI(t *testing.T) {
	base, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cliCases {
		if c.live {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(c.dir)
			checkGolden(t, base, c, c.args)
		})
	}
	t.Run("live", func(t *testing.T) {
		t.Chdir(repoRoot)
		h, tmp := startExample(t)
		var out, errOut bytes.Buffer
		drain := []string{"admin", "-control", h.run.Control, "drain", "ams", "-pool", "api", "-for", "1h", "-reason", "test"}
		if code := run(drain, &out, &errOut); code != 0 {
			t.Fatalf("gslb %s: exit %d\n%s%s", strings.Join(drain, " "), code, &out, &errOut)
		}
		for _, c := range cliCases {
			if !c.live {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				if c.dir != repoRoot {
					t.Fatalf("live case in %s: live cases run in the repository root", c.dir)
				}
				checkGolden(t, base, c, append(c.args[:len(c.args):len(c.args)], "-control", h.run.Control), tmp)
			})
		}
	})
}

// checkGolden runs gslb with args and compares its standard output with
// the golden file of c, or rewrites it with -update.
func checkGolden(t *testing.T, base string, c cliCase, args []string, tmpDirs ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	if code != c.code {
		t.Errorf("gslb %s: exit %d, want %d\nstderr:\n%s", strings.Join(args, " "), code, c.code, &stderr)
	}
	got := normalize(stdout.String(), tmpDirs...)
	path := goldenPath(base, c.name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/gslb -run Golden -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("gslb %s: output differs from %s (-update rewrites it)\n%s", strings.Join(args, " "), path, firstDifference("run", got, "golden", string(want)))
	}
}

// startExample serves testdata/example/gslb.toml as `make run` does, but on
// free loopback ports, with its state file in a temporary directory and
// its check aimed at a listener of the test on 127.0.0.1 (127.0.0.2 and
// 127.0.0.3 refuse the connection, as in the example). It returns once
// every target is decided, with the temporary directory. The working
// directory is the repository root.
func startExample(t *testing.T) (*harness, string) {
	t.Helper()
	cfg, err := config.Load("testdata/example/gslb.toml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = []string{"127.0.0.1:0"}
	cfg.Control.Listen = "127.0.0.1:0"
	tmp := t.TempDir()
	cfg.State = filepath.Join(tmp, "gslb.db")
	up := newBackend(t, "127.0.0.1", 0)
	self := cfg.Checks["self"]
	self.Port = uint16(up.port())
	self.Interval, self.Timeout = 500*time.Millisecond, 400*time.Millisecond // decided sooner than with 2s
	cfg.Checks["self"] = self
	h := startConfig(t, cfg)

	c := &control.Client{Addr: h.run.Control}
	deadline := time.Now().Add(15 * time.Second)
	for {
		doc, err := c.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		undecided := 0
		for _, ts := range doc.Targets {
			if ts.State.Status == health.Unknown {
				undecided++
			}
		}
		if len(doc.Targets) > 0 && undecided == 0 {
			return h, tmp
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d targets still undecided\n%s", undecided, len(doc.Targets), h.logs.String())
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not readiness
	}
}

// firstDifference describes the first line where a and b differ, then
// shows b in full.
func firstDifference(aName, a, bName, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	line := func(l []string, i int) string {
		if i >= len(l) {
			return "(no such line)"
		}
		return "`" + l[i] + "`"
	}
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	return fmt.Sprintf("first difference at line %d:\n  %s: %s\n  %s: %s\n%s in full:\n%s", i+1, aName, line(al, i), bName, line(bl, i), bName, b)
}
