package config

import (
	"net"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// Control is the [control] table: the HTTP control API.
type Control struct {
	Listen    string // control API address; default DefaultControlListen; "" disables it
	TokenFile string // file holding the bearer token; default "": none, allowed only on loopback
}

func parseControl(t *tomlcheck.Table, c *Config) {
	c.Control.Listen = DefaultControlListen
	if s, ok := t.Str("listen"); ok {
		if s != "" {
			if _, _, err := net.SplitHostPort(s); err != nil {
				t.Errorf(t.KeyPath("listen"), "invalid address %q: want host:port", s)
			}
		}
		c.Control.Listen = s
	}
	if s, ok := t.Str("token_file"); ok {
		c.Control.TokenFile = c.rel(s)
	}
	t.Unknown(nil)
	if c.Control.Listen != "" && c.Control.TokenFile == "" && !loopbackAddr(c.Control.Listen) {
		t.Errorf(t.Path(), "control.listen %q is not a loopback address: set control.token_file", c.Control.Listen)
	}
}

// loopbackAddr reports whether hostport is on a loopback address (or
// localhost).
func loopbackAddr(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
