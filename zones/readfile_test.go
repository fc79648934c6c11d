package zones

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gslb/gslb/config"
)

// TestReadZoneFileExact: a zone file is read whole into a buffer of its
// size (the store keeps it), and a file past the limit is read one octet
// past it, for sizeError.
func TestReadZoneFileExact(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{}
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 100_000} {
		path := filepath.Join(dir, "z.toml")
		want := bytes.Repeat([]byte("x"), n)
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readZoneFile(path, cfg)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d octets: read %d, %v", n, len(got), err)
		}
		if cap(got) > n+1 {
			t.Errorf("%d octets: buffer of %d", n, cap(got))
		}
	}
	cfg.MaxZoneFileSize = 100
	path := filepath.Join(dir, "big.toml")
	os.WriteFile(path, bytes.Repeat([]byte("y"), 1000), 0o644)
	got, err := readZoneFile(path, cfg)
	if err != nil || len(got) != 101 {
		t.Errorf("past the limit: read %d, %v; want 101 octets", len(got), err)
	}
}
