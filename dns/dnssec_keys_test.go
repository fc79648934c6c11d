package dns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/zones"
)

// TestKeyFileErrors: each bad key pair is reported at its place in the
// zone file, with what is wrong.
func TestKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	keys := "../testdata/dnssec/keys/"
	cp := func(from, to string) {
		b, err := os.ReadFile(keys + from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// a pair whose halves are two different keys
	cp("Kexample.test.+013+59391.key", "Kmixed.key")
	cp("Kexample.test.+013+24664.private", "Kmixed.private")
	// an RSA key: not an algorithm gslb signs with
	rsa := "example.test. IN DNSKEY 257 3 8 AwEAAcZJ6bgXxk7PZ5Ch7U8ZIUuRbUCqnQCq4cVNt+zzyn7TF5T+PNoRYy9CoBs7ZGmDeP0PxUt0M9aiWdqAdlKpDAz5ZDL7vVNCz8RgE2PbrnPtrWU8y/3q1GOgDTYGEZwSYT2gEgJ4R1rGMA6P7ybcAqV3r9SRs8gH2dmzE0MfSLMrn4Ul2lXvaUbKr8OuApOXrpK+Fjk4WlZnczT4/hO1T4J1oawnkSyOTn8VdgTxrPGcYTz6aOFX2kzSF85GFWI6tq+4xnC7v9Sk43/qfH4VIyA1JVjIFvDHWHEpJCi1pqIqFm3V5C8Y0ATwDNYSsq9SPY0eUDtOgX42oRK4KaZ7eJ2s="
	if err := os.WriteFile(filepath.Join(dir, "Krsa.key"), []byte(rsa+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `origin = "example.test."
records = ["@ NS ns1", "ns1 A 192.0.2.1"]
[dnssec]
keys = [
  "` + keys + `Kother.test.+015+10506",
  "` + dir + `/Kmissing",
  "` + dir + `/Kmixed",
  "` + dir + `/Krsa.key",
  "` + keys + `Kexample.test.+013+59391",
]
`
	_, err := zones.Compile("z.toml", []byte(src), nil, ParseRecord, zones.CompileOptions{Keys: KeyLoader(KeyOptions{})})
	want := []string{
		"z.toml:5:3: dnssec.keys[0]: key ../testdata/dnssec/keys/Kother.test.+015+10506.key is for zone other.test., not example.test.",
		"z.toml:6:3: dnssec.keys[1]: read public key: open " + dir + "/Kmissing.key: no such file or directory",
		"z.toml:7:3: dnssec.keys[2]: " + dir + "/Kmixed.key and " + dir + "/Kmixed.private are not a pair: a signature by the private key does not verify with the public key (dns: bad signature)",
		"z.toml:8:3: dnssec.keys[3]: key " + dir + "/Krsa.key: algorithm 8 (RSASHA256) is not supported: use ECDSAP256SHA256 (13) or ED25519 (15)",
	}
	var got []string
	for _, e := range tomlcheck.Errors(err) {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSignedZoneRecords: the DNSSEC records gslb makes cannot be written
// in a signed zone, and [dnssec] takes only keys.
func TestSignedZoneRecords(t *testing.T) {
	src := `origin = "example.test."
records = ["@ NS ns1", "ns1 A 192.0.2.1", "@ DNSKEY 257 3 13 tuaEmEoQUk8wUFCZVkp/VmKALNPPXTgf2spoNLJRxq3nWqLpaQUr7A5AQ0kT/slhC4d9ObX6R3UiN/u3TFgkIg=="]
[dnssec]
keys = []
algorithm = "rsa"
`
	_, err := zones.Compile("z.toml", []byte(src), nil, ParseRecord, zones.CompileOptions{})
	want := []string{
		"z.toml:2:43: DNSKEY record in a signed zone: gslb generates the zone's DNSSEC records itself ([dnssec])",
		"z.toml:4:8: dnssec.keys: must list at least one key pair (leave keys out for a generated key)",
		"z.toml:5:13: dnssec.algorithm: unknown key",
	}
	var got []string
	for _, e := range tomlcheck.Errors(err) {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
