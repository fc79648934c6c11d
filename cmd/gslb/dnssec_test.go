package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDNSSECDS: gslb dnssec ds prints what dnssec-dsfromkey -2 prints for
// the zone's key-signing key, and fails for a zone whose generated key
// does not exist yet, or that is not signed or not served.
func TestDNSSECDS(t *testing.T) {
	const cfg = "../../testdata/dnssec/gslb.toml"
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"dnssec", "ds", "-config", cfg, "example.test"}, 0,
			"example.test.\t3600\tIN\tDS\t59391 13 2 927E3D8EA9F693ED1CD5215C7B25066D2736357FE59AB4B15655A602946B5C4D\n", ""},
		{[]string{"dnssec", "ds", "-config", cfg, "Other.Test."}, 0,
			"other.test.\t3600\tIN\tDS\t10506 15 2 27F89C5611D6DD0E2DC199C39ED62291E744FBABE5C8A880F89FA4A53A4A2F26\n", ""},
		{[]string{"dnssec", "ds", "-config", cfg, "-state", t.TempDir() + "/gslb.db", "gen.test"}, 1, "", "no generated key for gen.test."},
		{[]string{"dnssec", "ds", "-config", cfg, "nope.test"}, 1, "", "zone nope.test. is not served"},
		{[]string{"dnssec", "ds", "-config", "../../testdata/example/gslb.toml", "example.com"}, 1, "", "zone example.com. is not signed"},
		{[]string{"dnssec"}, 2, "", "usage: gslb dnssec ds"},
	}
	for _, tc := range tests {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code != tc.code || out.String() != tc.stdout || !strings.Contains(errb.String(), tc.stderr) {
			t.Errorf("gslb %v = %d\n%s%s\nwant %d\n%s%s", tc.args, code, out.String(), errb.String(), tc.code, tc.stdout, tc.stderr)
		}
	}
}
