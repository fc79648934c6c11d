package health

import (
	"net/netip"
	"time"
)

// CheckType is the kind of probe a check runs.
type CheckType string

const (
	// CheckHTTP is an HTTP GET; the status code (and optionally the body) decides.
	CheckHTTP CheckType = "http"
	// CheckHTTPS is CheckHTTP over TLS, with SNI and certificate verification.
	CheckHTTPS CheckType = "https"
	// CheckTCP succeeds when a TCP connection can be opened.
	CheckTCP CheckType = "tcp"
	// CheckDNS sends a DNS query over UDP and compares the rcode.
	CheckDNS CheckType = "dns"
	// CheckNone never probes: targets are always up (overrides still apply).
	CheckNone CheckType = "none"
)

// Check is a compiled [checks.NAME] table of the server configuration. The
// zones package fills it (with defaults applied); the prober runs it.
type Check struct {
	Name     string
	Type     CheckType
	Port     uint16        // TCP/UDP port; defaults per type (80, 443, 53)
	Interval time.Duration // time between probes of one target
	Timeout  time.Duration // every probe ends within this; less than Interval
	Rise     int           // consecutive successes to go up
	Fall     int           // consecutive failures to go down
	// Source is the local address probes are sent from; the zero Addr
	// lets the system choose. A target of the other address family is
	// probed from the system's choice.
	Source netip.Addr

	// http and https
	Path         string            // request path, default "/"
	Host         string            // Host header; default the target address
	ExpectStatus []int             // accepted status codes; default 200-399
	BodyContains string            // optional substring the body must contain
	BodyLimit    int64             // bytes of body read at most; default 64 KiB
	Headers      map[string]string // extra request headers

	// https
	SNI                string // server name sent and verified; default Host
	CAFile             string // PEM file of trusted roots; default the system pool
	InsecureSkipVerify bool   // opt out of certificate verification

	// dns
	QueryName   string // absolute name queried; default "."
	QueryType   uint16 // numeric RR type; default 6 (SOA)
	ExpectRcode int    // expected rcode; default 0 (NOERROR)
}
