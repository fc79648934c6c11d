package dns

import (
	"log/slog"
	"runtime"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/zones"
)

// Defaults of Config: those of the server configuration (package config),
// written there once.
const (
	DefaultListen         = config.DefaultListen
	DefaultMaxUDPSize     = config.DefaultMaxUDPSize // RFC 9715 / DNS Flag Day 2020: no IP fragmentation
	DefaultTCPIdleTimeout = config.DefaultTCPIdleTimeout
	DefaultReadTimeout    = config.DefaultTCPTimeout
	DefaultWriteTimeout   = config.DefaultTCPTimeout
	DefaultMaxTCPConns    = config.DefaultTCPMaxConnections

	DefaultMaxTCPConnsPerPrefix = config.DefaultTCPMaxConnectionsPerPrefix
	DefaultTCPIPv4Prefix        = config.DefaultTCPIPv4Prefix
	DefaultTCPIPv6Prefix        = config.DefaultTCPIPv6Prefix
	DefaultTCPFirstQueryTimeout = config.DefaultTCPFirstQueryTimeout
	DefaultUDPReceiveBuffer     = config.DefaultUDPReceiveBuffer
)

// Config configures a Server. The zero value serves nothing useful but
// works: it listens on DefaultListen and answers REFUSED to every query.
type Config struct {
	// Listen are the host:port addresses to serve, each on UDP and TCP. A
	// port of 0 picks a free port, the same for UDP and TCP of one
	// address (tests). Default [DefaultListen].
	Listen []string

	// MaxUDPSize caps UDP answers to EDNS clients (the client's advertised
	// size is used when smaller) and is advertised in every OPT record.
	// Clients without EDNS get 512 octets. Values are clamped to
	// [512, 65535]. Default 1232.
	MaxUDPSize int

	// UDPSockets is the number of UDP sockets per listen address, bound
	// with SO_REUSEPORT so that the kernel spreads queries over them.
	// Default runtime.GOMAXPROCS(0) on Linux, 1 elsewhere (where
	// SO_REUSEPORT does not balance).
	UDPSockets int

	// UDPReceiveBuffer is the receive buffer of each UDP socket, in
	// bytes, so that bursts are queued rather than dropped by the kernel.
	// It is set with SO_RCVBUFFORCE when the process may (CAP_NET_ADMIN),
	// else with SO_RCVBUF, which the kernel caps at net.core.rmem_max: a
	// smaller effective size is logged. Negative: leave the system's
	// default. Default 2 MiB, as NSD.
	UDPReceiveBuffer int

	// TCPIdleTimeout is how long a TCP connection may wait for its next
	// query after an answer before it is closed. While more than half of
	// MaxTCPConns are open, the wait is cut to TCPFirstQueryTimeout.
	// Default 10s.
	TCPIdleTimeout time.Duration

	// TCPFirstQueryTimeout is how long a new TCP connection has to send
	// its first query whole, from its accept. Default 2s.
	TCPFirstQueryTimeout time.Duration

	// ReadTimeout bounds the reading of one TCP query once its first octet
	// arrived. Default 2s.
	ReadTimeout time.Duration

	// WriteTimeout bounds each write of an answer. A TCP client that does
	// not read its answers is disconnected after it. Default 2s.
	WriteTimeout time.Duration

	// MaxTCPConns caps the TCP connections open at once over all listen
	// addresses. A new connection beyond it takes the place of the open
	// connection idle longest (not answering a query), which is closed;
	// when every open one is answering, the new one is closed at once.
	// Default 256.
	MaxTCPConns int

	// MaxTCPConnsPerPrefix caps the TCP connections of one client prefix
	// (TCPIPv4Prefix, TCPIPv6Prefix): a new connection beyond it takes the
	// place of that prefix's connection idle longest, so that one host or
	// network cannot push the others out. Default 64.
	MaxTCPConnsPerPrefix int

	// TCPIPv4Prefix and TCPIPv6Prefix are the lengths of the client
	// prefixes MaxTCPConnsPerPrefix counts by. Default 24 and 56.
	TCPIPv4Prefix, TCPIPv6Prefix int

	// MaxTCPQueries closes a TCP connection after this many queries.
	// Default 0: no limit.
	MaxTCPQueries int

	// NSID is the name server identifier answered to queries carrying an
	// empty NSID option (RFC 5001), and to TXT queries of class CH for
	// id.server. and hostname.bind. Default "": none (those are REFUSED).
	NSID string

	// Version is answered to TXT queries of class CH for version.bind.
	// and version.server. Default "": none (those are REFUSED).
	Version string

	// Logger receives errors (socket failures, recovered panics), never
	// one line per answered query. Default slog.Default().
	Logger *slog.Logger

	// Zones supplies the zone set of each query. Default nil: every query
	// is answered REFUSED.
	Zones ZoneSource

	// Router completes answers for geo-routed names. Default nil: those
	// names are answered SERVFAIL.
	Router Router

	// Tap is the dnstap query log. Default: none.
	Tap TapConfig

	// RRL is response rate limiting. Default: off.
	RRL RRLConfig

	// Cookies configures DNS Cookies. Default: on, with a random secret.
	Cookies CookieConfig
}

// ZoneSource supplies the zones a query is answered from. Zones is called
// once per query and must be cheap and safe for concurrent use (an atomic
// load); a nil Set answers every query REFUSED. *zones.Store is one.
type ZoneSource interface {
	Zones() *zones.Set
}

// ZonesFunc adapts a function to ZoneSource.
type ZonesFunc func() *zones.Set

// Zones calls f.
func (f ZonesFunc) Zones() *zones.Set { return f() }

var _ ZoneSource = ZonesFunc(nil)
var _ ZoneSource = (*zones.Store)(nil)

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if len(c.Listen) == 0 {
		c.Listen = []string{DefaultListen}
	}
	if c.MaxUDPSize == 0 {
		c.MaxUDPSize = DefaultMaxUDPSize
	}
	c.MaxUDPSize = min(max(c.MaxUDPSize, minUDPSize), maxTCPSize)
	if c.UDPSockets <= 0 {
		c.UDPSockets = 1
		if reusePortBalances {
			c.UDPSockets = runtime.GOMAXPROCS(0)
		}
	}
	if c.TCPIdleTimeout <= 0 {
		c.TCPIdleTimeout = DefaultTCPIdleTimeout
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.MaxTCPConns <= 0 {
		c.MaxTCPConns = DefaultMaxTCPConns
	}
	if c.MaxTCPConnsPerPrefix <= 0 {
		c.MaxTCPConnsPerPrefix = DefaultMaxTCPConnsPerPrefix
	}
	if c.TCPIPv4Prefix <= 0 || c.TCPIPv4Prefix > 32 {
		c.TCPIPv4Prefix = DefaultTCPIPv4Prefix
	}
	if c.TCPIPv6Prefix <= 0 || c.TCPIPv6Prefix > 128 {
		c.TCPIPv6Prefix = DefaultTCPIPv6Prefix
	}
	if c.TCPFirstQueryTimeout <= 0 {
		c.TCPFirstQueryTimeout = DefaultTCPFirstQueryTimeout
	}
	if c.UDPReceiveBuffer == 0 {
		c.UDPReceiveBuffer = DefaultUDPReceiveBuffer
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("component", "dns")
	return c
}
