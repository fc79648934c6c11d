package main

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

// TestReloadProtection: [rrl] and [cookies] apply on reload; a broken
// cookie secret file refuses the reload, positioned, and the running
// settings stay.
func TestReloadProtection(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "gslb.toml")
	base := reloadSetup(t, "127.0.0.1:0", "", "", fmt.Sprintf(edgePool, ""))
	writeFile(t, cfgPath, base)
	writeFile(t, filepath.Join(dir, "zones", "example.com.toml"), reloadZone)
	writeFile(t, filepath.Join(dir, "cookie.secret"), "e5e973e5a6b2a43f48e7dc849e37bfcf\n")
	h := startServer(t, dir)

	// ask sends n queries for ns1.example.com. with the client cookie
	// (none when empty) and returns how many were truncated and the last
	// reply's cookie.
	ask := func(n int, cookie string) (truncated int, got string) {
		t.Helper()
		for range n {
			m := new(mdns.Msg)
			m.SetQuestion("ns1.example.com.", mdns.TypeA)
			m.SetEdns0(1232, false)
			if cookie != "" {
				m.IsEdns0().Option = append(m.IsEdns0().Option, &mdns.EDNS0_COOKIE{Code: mdns.EDNS0COOKIE, Cookie: cookie})
			}
			r, err := mdns.Exchange(m, h.run.DNS[0])
			if err != nil {
				t.Fatal(err)
			}
			if r.Truncated {
				truncated++
			}
			got = ""
			for _, o := range r.IsEdns0().Option {
				if c, ok := o.(*mdns.EDNS0_COOKIE); ok {
					got = c.Cookie
				}
			}
		}
		return truncated, got
	}
	if tc, c := ask(20, "0123456789abcdef"); tc != 0 || len(c) != 48 {
		t.Fatalf("before: %d of 20 truncated, cookie %q; want none truncated and a server cookie", tc, c)
	}

	writeFile(t, cfgPath, base+"[rrl]\nresponses_per_second = 2\nslip = 1\n[cookies]\nenabled = false\n")
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if tc, c := ask(20, "0123456789abcdef"); tc < 15 || c != "" {
		t.Errorf("after a reload with [rrl] and cookies off: %d of 20 truncated, cookie %q; want most truncated, none", tc, c)
	}

	writeFile(t, cfgPath, base+"[rrl]\nresponses_per_second = 2\nslip = 1\n[cookies]\nsecret_file = \"cookie.secret\"\n")
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	_, c := ask(1, "2464c4abcf10c957")
	if len(c) != 48 {
		t.Fatalf("after a reload with the secret file: cookie %q", c)
	}
	// With a valid server cookie the client is not limited.
	if tc, _ := ask(20, c); tc != 0 {
		t.Errorf("with a valid server cookie: %d of 20 truncated, want none", tc)
	}

	writeFile(t, filepath.Join(dir, "cookie.secret"), "not a secret\n")
	err := h.run.Reload()
	if err == nil || !strings.Contains(err.Error(), "gslb.toml:") || !strings.Contains(err.Error(), "cookies.secret_file: "+filepath.Join(dir, "cookie.secret")+":1: want a secret of 32 hexadecimal digits") {
		t.Fatalf("reload with a broken secret file: %v", err)
	}
	// The running secret stays: the cookie is still valid.
	if _, again := ask(1, c); again != c {
		t.Errorf("after a refused reload: cookie %q, want %q echoed", again, c)
	}
	if _, err := hex.DecodeString(c); err != nil {
		t.Error(err)
	}
}
