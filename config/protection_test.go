package config_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

func TestParseRRL(t *testing.T) {
	defaults := config.RRL{Window: 15 * time.Second, Slip: 2, IPv4Prefix: 24, IPv6Prefix: 56}
	tests := []struct {
		name string
		src  string
		want config.RRL
	}{
		{"absent", `listen = ["127.0.0.1:53"]`, defaults},
		{"empty", "[rrl]", defaults},
		{"all keys", "[rrl]\nresponses_per_second = 5\nwindow = \"30s\"\nslip = 0\nipv4_prefix = 32\nipv6_prefix = 64\nexempt = [\"192.0.2.0/24\", \"2001:db8::1\", \"198.51.100.7/16\"]\ndry_run = true",
			config.RRL{ResponsesPerSecond: 5, Window: 30 * time.Second, Slip: 0, IPv4Prefix: 32, IPv6Prefix: 64, DryRun: true,
				Exempt: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("2001:db8::1/128"), netip.MustParsePrefix("198.51.0.0/16")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("/etc/gslb/gslb.toml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.RRL, tt.want) {
				t.Errorf("RRL = %+v, want %+v", cfg.RRL, tt.want)
			}
			if cfg.RRL.Enabled() != (tt.want.ResponsesPerSecond > 0) {
				t.Errorf("Enabled() = %v", cfg.RRL.Enabled())
			}
		})
	}
}

func TestParseCookies(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("one", "e5e973e5a6b2a43f48e7dc849e37bfcf\n")
	write("two", "# rotated 2026-12-01\n445536bcd2513298075a5d379663c962\n\ndd3bdf9344b678b185a6f5cb60fca715\n")
	write("three", "445536bcd2513298075a5d379663c962\ndd3bdf9344b678b185a6f5cb60fca715\ne5e973e5a6b2a43f48e7dc849e37bfcf\n")
	write("short", "e5e973e5a6b2a43f48e7dc849e37bf\n")
	write("nothex", "e5e973e5a6b2a43f48e7dc849e37bfcg\n")
	write("empty", "\n# nothing\n")
	cfgFile := filepath.Join(dir, "gslb.toml")
	secret := func(s string) (b [16]byte) {
		for i := range b {
			var v byte
			for _, c := range s[2*i : 2*i+2] {
				v = v<<4 | byte(strings.IndexRune("0123456789abcdef", c))
			}
			b[i] = v
		}
		return b
	}
	tests := []struct {
		name string
		src  string
		want config.Cookies
	}{
		{"absent", `listen = ["127.0.0.1:53"]`, config.Cookies{Enabled: true}},
		{"off", "[cookies]\nenabled = false", config.Cookies{}},
		{"one secret", "[cookies]\nsecret_file = \"one\"",
			config.Cookies{Enabled: true, SecretFile: filepath.Join(dir, "one"), Secrets: [][16]byte{secret("e5e973e5a6b2a43f48e7dc849e37bfcf")}}},
		{"rotation", "[cookies]\nsecret_file = \"two\"",
			config.Cookies{Enabled: true, SecretFile: filepath.Join(dir, "two"), Secrets: [][16]byte{secret("445536bcd2513298075a5d379663c962"), secret("dd3bdf9344b678b185a6f5cb60fca715")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse(cfgFile, []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.Cookies, tt.want) {
				t.Errorf("Cookies = %+v, want %+v", cfg.Cookies, tt.want)
			}
		})
	}

	errs := []struct {
		name, src, want string
	}{
		{"missing", "[cookies]\nsecret_file = \"nope\"", "gslb.toml:2:15: cookies.secret_file: read cookie secrets: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"short", "[cookies]\nsecret_file = \"short\"", "gslb.toml:2:15: cookies.secret_file: " + filepath.Join(dir, "short") + ":1: want a secret of 32 hexadecimal digits"},
		{"not hex", "[cookies]\nsecret_file = \"nothex\"", "gslb.toml:2:15: cookies.secret_file: " + filepath.Join(dir, "nothex") + ":1: want a secret of 32 hexadecimal digits"},
		{"three", "[cookies]\nsecret_file = \"three\"", "gslb.toml:2:15: cookies.secret_file: " + filepath.Join(dir, "three") + ":3: more than two secrets"},
		{"empty", "[cookies]\nsecret_file = \"empty\"", "gslb.toml:2:15: cookies.secret_file: " + filepath.Join(dir, "empty") + ": no secret"},
		{"enabled type", "[cookies]\nenabled = \"yes\"", "gslb.toml:2:11: cookies.enabled: must be true or false"},
		{"unknown", "[cookies]\nsecret = \"x\"", "gslb.toml:2:10: cookies.secret: unknown key"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(cfgFile, []byte(tt.src))
			checkErrors(t, err, filepath.Join(dir, tt.want))
		})
	}
}

func TestParseRRLErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"negative rate", "[rrl]\nresponses_per_second = -1", "c.toml:2:24: rrl.responses_per_second: -1 out of range [0, 1000000]"},
		{"window bool", "[rrl]\nwindow = true", "c.toml:2:10: rrl.window: duration must be a string"},
		{"window short", "[rrl]\nwindow = \"100ms\"", "c.toml:2:10: rrl.window: 100ms out of range [1s, 1h]"},
		{"slip", "[rrl]\nslip = 11", "c.toml:2:8: rrl.slip: 11 out of range [0, 10]"},
		{"ipv4 prefix", "[rrl]\nipv4_prefix = 33", "c.toml:2:15: rrl.ipv4_prefix: 33 out of range [1, 32]"},
		{"ipv6 prefix", "[rrl]\nipv6_prefix = 0", "c.toml:2:15: rrl.ipv6_prefix: 0 out of range [1, 128]"},
		{"exempt", "[rrl]\nexempt = [\"192.0.2.0/24\", \"192.0.2.0/33\"]", `c.toml:2:27: rrl.exempt[1]: invalid prefix "192.0.2.0/33"`},
		{"dry run", "[rrl]\ndry_run = 1", "c.toml:2:11: rrl.dry_run: must be true or false"},
		{"unknown", "[rrl]\nrate = 5", "c.toml:2:8: rrl.rate: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("c.toml", []byte(tt.src))
			checkErrors(t, err, tt.want)
		})
	}
}

// checkErrors checks that err holds one error, starting with want.
func checkErrors(t *testing.T, err error, want string) {
	t.Helper()
	got := tomlcheck.Errors(err)
	if len(got) != 1 || !strings.HasPrefix(got[0].Error(), want) {
		t.Errorf("Parse errors = %v, want one starting %q", err, want)
	}
}

// TestReadmeProtectionExamples parses the [rrl] and [cookies] examples of
// the README's Protection section, so that they stay valid.
func TestReadmeProtectionExamples(t *testing.T) {
	src, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cookie.secret"), []byte("e5e973e5a6b2a43f48e7dc849e37bfcf\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, block := range strings.Split(string(src), "```toml\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if !strings.HasPrefix(block, "[rrl]\n") && !strings.HasPrefix(block, "[cookies]\n") {
			continue
		}
		found++
		cfg, err := config.Parse(filepath.Join(dir, "gslb.toml"), []byte(block))
		if err != nil {
			t.Errorf("README example does not parse: %v\n%s", err, block)
			continue
		}
		if strings.HasPrefix(block, "[rrl]") && cfg.RRL.ResponsesPerSecond != 10 {
			t.Errorf("README [rrl] example: %+v", cfg.RRL)
		}
		if strings.HasPrefix(block, "[cookies]") && (!cfg.Cookies.Enabled || len(cfg.Cookies.Secrets) != 1) {
			t.Errorf("README [cookies] example: %+v", cfg.Cookies)
		}
	}
	if found != 2 {
		t.Errorf("%d README examples of [rrl] and [cookies], want 2", found)
	}
}
