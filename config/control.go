package config

import (
	"net"
	"net/netip"
	"strconv"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// Control is the [control] table: the HTTP control API.
type Control struct {
	Listen    string // control API address; default DefaultControlListen; "" disables it
	TokenFile string // file holding the bearer token; default "": none, allowed only on loopback
	// ReadTokenFile holds a read-only bearer token: GET and HEAD requests
	// (status, overrides, metrics, the status page, healthz, readyz) only.
	// Default "": none. It needs TokenFile.
	ReadTokenFile string
	// MaxConnections caps the API's open connections; more wait in the
	// kernel's accept queue. Default DefaultControlMaxConnections.
	MaxConnections int
	// MaxConnectionsPerClient caps the open connections of one client
	// address; more are answered 503 and closed. Default
	// DefaultControlMaxConnectionsPerClient.
	MaxConnectionsPerClient int
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
	if s, ok := t.Str("read_token_file"); ok {
		c.Control.ReadTokenFile = c.rel(s)
		if c.Control.TokenFile == "" {
			t.Errorf(t.KeyPath("read_token_file"), "a read-only token needs control.token_file (without it the API is open)")
		}
	}
	c.Control.MaxConnections = DefaultControlMaxConnections
	if n, ok := t.Int("max_connections", 1, 1<<16); ok {
		c.Control.MaxConnections = int(n)
	}
	c.Control.MaxConnectionsPerClient = DefaultControlMaxConnectionsPerClient
	if n, ok := t.Int("max_connections_per_client", 1, 1<<16); ok {
		c.Control.MaxConnectionsPerClient = int(n)
	}
	if c.Control.MaxConnectionsPerClient > c.Control.MaxConnections {
		t.Errorf(t.KeyPath("max_connections_per_client"), "%d is more than max_connections (%d)", c.Control.MaxConnectionsPerClient, c.Control.MaxConnections)
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

// ListenerServes reports whether a listener bound to listen (host:port, as
// in [control] listen or a bound address) receives connections to ap: the
// same port, and the same address, or any loopback or local address of
// this host when listen's host is unspecified ("", 0.0.0.0: IPv4 only;
// ::) or localhost (loopback only). local returns this host's addresses;
// it is called only when needed (nil: none known).
func ListenerServes(listen string, ap netip.AddrPort, local func() []netip.Addr) bool {
	host, portStr, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || uint16(port) != ap.Port() {
		return false
	}
	a := ap.Addr().Unmap().WithZone("")
	if host == "localhost" {
		return a.IsLoopback()
	}
	var bound netip.Addr
	if host != "" {
		if bound, err = netip.ParseAddr(host); err != nil {
			return false // a host name: resolved when it is bound
		}
		bound = bound.Unmap().WithZone("")
	}
	if bound.IsValid() && !bound.IsUnspecified() {
		return a == bound
	}
	if bound.Is4() && !a.Is4() {
		return false // 0.0.0.0 takes IPv4 only
	}
	if a.IsLoopback() || a.IsUnspecified() {
		return true
	}
	if local != nil {
		for _, l := range local() {
			if l.Unmap().WithZone("") == a {
				return true
			}
		}
	}
	return false
}

// LocalAddrs returns the addresses of this host's interfaces (none when
// they cannot be listed).
func LocalAddrs() []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, p.Addr())
		}
	}
	return out
}
