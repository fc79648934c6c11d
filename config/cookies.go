package config

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// Cookies is the [cookies] table: DNS Cookies (RFC 7873), with server
// cookies in the RFC 9018 format that BIND and Knot share.
type Cookies struct {
	Enabled    bool       // answer cookies; default true
	SecretFile string     // file of the secrets (absolute); default "": a random secret drawn at start
	Secrets    [][16]byte // the file's secrets: the first makes cookies, a second (the previous one) is accepted too
}

func parseCookies(t *tomlcheck.Table, c *Config) {
	k := &c.Cookies
	k.Enabled = true
	if !t.Present() {
		return
	}
	if b, ok := t.Bool("enabled"); ok {
		k.Enabled = b
	}
	if s, ok := t.Str("secret_file"); ok {
		k.SecretFile = c.rel(s)
		secrets, err := readCookieSecrets(k.SecretFile)
		if err != nil {
			t.Errorf(t.KeyPath("secret_file"), "%v", err)
		}
		k.Secrets = secrets
	}
	t.Unknown(nil)
}

// readCookieSecrets reads a cookie secret file: one secret per line, 16
// octets as 32 hexadecimal digits, the current one first and optionally the
// previous one second (during a rotation). Empty lines and lines starting
// with # are skipped.
func readCookieSecrets(path string) ([][16]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cookie secrets: %w", err)
	}
	var secrets [][16]byte
	sc := bufio.NewScanner(bytes.NewReader(src))
	for line := 1; sc.Scan(); line++ {
		s := bytes.TrimSpace(sc.Bytes())
		if len(s) == 0 || s[0] == '#' {
			continue
		}
		var secret [16]byte
		if n, err := hex.Decode(secret[:], s); err != nil || n != 16 || len(s) != 32 {
			return nil, fmt.Errorf("%s:%d: want a secret of 32 hexadecimal digits", path, line)
		}
		if len(secrets) == 2 {
			return nil, fmt.Errorf("%s:%d: more than two secrets (the current one and the previous one)", path, line)
		}
		secrets = append(secrets, secret)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read cookie secrets: %w", err)
	}
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%s: no secret: want 32 hexadecimal digits", path)
	}
	return secrets, nil
}
