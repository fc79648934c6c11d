package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/config"
)

// TestServeGeneratesKey: gslb serve generates gen.test.'s key in
// dnssec-keys/ beside the state file (mode 0600), answers its DNSKEY with
// DO, and keeps the same key after a reload and a restart; gslb dnssec ds
// then prints its DS.
func TestServeGeneratesKey(t *testing.T) {
	cfg, err := config.Load(filepath.Join(repoRoot, "testdata/dnssec/gslb.toml"))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "gslb.db")
	cfg.State = state
	cfg.Listen = []string{"127.0.0.1:0"}
	cfg.Control.Listen = ""
	tags := func(h *harness) []uint16 {
		m := new(mdns.Msg)
		m.SetQuestion("gen.test.", mdns.TypeDNSKEY)
		m.SetEdns0(1232, true)
		r, _, err := (&mdns.Client{Timeout: 2 * time.Second}).Exchange(m, h.run.DNS[0])
		if err != nil {
			t.Fatal(err)
		}
		var out []uint16
		signed := false
		for _, rr := range r.Answer {
			switch x := rr.(type) {
			case *mdns.DNSKEY:
				out = append(out, x.KeyTag())
			case *mdns.RRSIG:
				signed = true
			}
		}
		if !signed {
			t.Errorf("DNSKEY answer without RRSIG: %v", r)
		}
		return out
	}
	h := startWith(t, cfg, serveOptions{State: state})
	first := tags(h)
	if len(first) != 1 {
		t.Fatalf("gen.test. DNSKEYs %v, want one generated key", first)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(state), "dnssec-keys", "Kgen.test.+013+*"))
	if len(files) != 2 {
		t.Fatalf("key files beside the state file: %v, want .key and .private", files)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", f, fi.Mode().Perm(), err)
		}
	}
	if err := h.run.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := tags(h); len(got) != 1 || got[0] != first[0] {
		t.Errorf("after a reload: key tags %v, want %v", got, first)
	}
	h.stop()
	h = startWith(t, cfg, serveOptions{State: state})
	if got := tags(h); len(got) != 1 || got[0] != first[0] {
		t.Errorf("after a restart: key tags %v, want %v", got, first)
	}
	h.stop()
	var out, errb syncBuffer
	out.mu, errb.mu = make(chan struct{}, 1), make(chan struct{}, 1)
	if code := run([]string{"dnssec", "ds", "-config", cfg.File, "-state", state, "gen.test"}, &out, &errb); code != 0 {
		t.Errorf("gslb dnssec ds gen.test = %d: %s", code, errb.String())
	}
}
