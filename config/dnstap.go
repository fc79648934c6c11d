package config

import (
	"net"
	"os"
	"strconv"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// DNSTap is the [dnstap] table: the query log, sent as dnstap messages over
// Frame Streams to a collector that listens on a unix socket or a TCP
// address. Without the table nothing is logged.
type DNSTap struct {
	Socket   string // unix socket of the collector (absolute); default "": Address instead
	Address  string // host:port of a TCP collector; default "": Socket instead
	Identity string // the identity field of every message; default: the host name
	Version  string // the version field; default "": "gslb " and gslb's version
	Buffer   int    // queries (each a query and a response message) queued for the collector; default DefaultDNSTapBuffer
}

// Enabled reports whether the query log is on: [dnstap] names a collector.
func (d DNSTap) Enabled() bool { return d.Socket != "" || d.Address != "" }

func parseDNSTap(t *tomlcheck.Table, c *Config) {
	if !t.Present() {
		return
	}
	d := &c.DNSTap
	d.Buffer = DefaultDNSTapBuffer
	if host, err := os.Hostname(); err == nil {
		d.Identity = host
	}
	socket, hasSocket := t.Str("socket")
	address, hasAddress := t.Str("address")
	switch {
	case hasSocket && hasAddress:
		t.Errorf(t.KeyPath("address"), "both socket and address: the collector is one or the other")
	case hasSocket && socket == "":
		t.Errorf(t.KeyPath("socket"), "empty socket path")
	case hasSocket:
		d.Socket = c.rel(socket)
	case hasAddress:
		if err := checkHostPort(address); err != "" {
			t.Errorf(t.KeyPath("address"), "invalid address %q: %s", address, err)
		} else {
			d.Address = address
		}
	case !t.Has("socket") && !t.Has("address"):
		t.Errorf(t.Path(), `missing the collector: set socket = "/path/to/socket" or address = "host:port"`)
	}
	if s, ok := t.Str("identity"); ok {
		d.Identity = s
	}
	if s, ok := t.Str("version"); ok {
		d.Version = s
	}
	if n, ok := t.Int("buffer", 1, 1<<20); ok {
		d.Buffer = int(n)
	}
	t.Unknown(nil)
}

// checkHostPort returns what is wrong with a TCP host:port address, or "".
func checkHostPort(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return "want host:port"
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return "want a port from 1 to 65535"
	}
	return ""
}
