package config

import (
	"time"

	"github.com/gslb/gslb/internal/dnscode"
)

// Defaults of the top-level keys. The dns package's Server uses the same
// values when its own Config leaves a field zero.
const (
	// DefaultListen is the address served on UDP and TCP without a listen key.
	DefaultListen = "127.0.0.1:53"
	// DefaultZonesDir is the zones directory, relative to the configuration file.
	DefaultZonesDir = "zones"
	// DefaultState is the bbolt state file, relative to the configuration file.
	DefaultState = "gslb.db"
	// DefaultMaxUDPSize is the largest UDP answer: the DNS Flag Day 2020
	// size that avoids IP fragmentation (RFC 9715).
	DefaultMaxUDPSize = 1232
	// DefaultLogLevel is the level of the server's log.
	DefaultLogLevel = "info"
	// DefaultTCPIdleTimeout is how long a TCP connection may wait for its
	// next query.
	DefaultTCPIdleTimeout = 10 * time.Second
	// DefaultTCPTimeout bounds each TCP read of a query and each write of
	// an answer.
	DefaultTCPTimeout = 2 * time.Second
	// DefaultTCPMaxConnections is the number of TCP connections served at once.
	DefaultTCPMaxConnections = 256
	// DefaultTCPMaxConnectionsPerPrefix is the number of TCP connections
	// one client prefix may hold.
	DefaultTCPMaxConnectionsPerPrefix = 64
	// DefaultTCPIPv4Prefix and DefaultTCPIPv6Prefix are the client
	// prefixes TCP connections are counted by.
	DefaultTCPIPv4Prefix = 24
	DefaultTCPIPv6Prefix = 56
	// DefaultTCPFirstQueryTimeout is how long a new TCP connection has to
	// send its first query.
	DefaultTCPFirstQueryTimeout = 2 * time.Second
	// DefaultUDPReceiveBuffer is the receive buffer of each UDP socket:
	// about 3,000 queries, 150 ms at 20,000 queries/s, so that a moment
	// without a free CPU (a big zone compiling, a garbage collection)
	// delays queries instead of dropping them. NSD sets 2 MiB.
	DefaultUDPReceiveBuffer = 4 << 20
)

// Defaults of the limits on zone data, against hostile or mistaken zone
// files.
const (
	// DefaultMaxTypesPerName is the number of record types one name may
	// have: BIND's default since CVE-2024-1737.
	DefaultMaxTypesPerName = 100
	// DefaultMaxRRsetRecords is the number of records one RRset may have:
	// BIND's default since CVE-2024-1737.
	DefaultMaxRRsetRecords = 1000
	// DefaultMaxZoneFileSize is the size of the largest zone file loaded.
	DefaultMaxZoneFileSize = 16 << 20
	// DefaultMaxCNAMEChain is the number of CNAMEs followed for one
	// answer, and the longest chain a zone file may hold.
	DefaultMaxCNAMEChain = 8
)

// Defaults of [geoip].
const (
	// DefaultGeoIPMaxAge is the database age past which gslb warns: MaxMind
	// publishes GeoLite2 twice a week, so a month means updates stopped.
	DefaultGeoIPMaxAge = 30 * 24 * time.Hour
)

// Defaults of [control].
const (
	// DefaultControlListen is the address of the control API.
	DefaultControlListen = "127.0.0.1:8053"
	// DefaultControlMaxConnections is the number of control API
	// connections served at once.
	DefaultControlMaxConnections = 128
	// DefaultControlMaxConnectionsPerClient is the number of control API
	// connections one client address may hold open.
	DefaultControlMaxConnectionsPerClient = 16
)

// Defaults of [health].
const (
	// DefaultHealthMaxStartWait is the longest wait for the first probe round.
	DefaultHealthMaxStartWait = 10 * time.Second
	// DefaultHealthMaxInFlight is the number of probes running at once.
	DefaultHealthMaxInFlight = 64
)

// Defaults of [dnstap].
const (
	// DefaultDNSTapBuffer is the number of queries queued for the dnstap
	// collector (each is sent as a query and a response message); beyond
	// it new ones are dropped and counted.
	DefaultDNSTapBuffer = 10000
)

// Defaults of [rrl].
const (
	// DefaultRRLWindow is how long an account that was limited is kept
	// in the table in preference to others.
	DefaultRRLWindow = 15 * time.Second
	// DefaultRRLSlip sends every second limited response truncated.
	DefaultRRLSlip = 2
	// DefaultRRLIPv4Prefix is the IPv4 client prefix counted together.
	DefaultRRLIPv4Prefix = 24
	// DefaultRRLIPv6Prefix is the IPv6 client prefix counted together.
	DefaultRRLIPv6Prefix = 56
)

// Defaults of a [checks.NAME] table.
const (
	// DefaultCheckInterval is the time between two probes of one target.
	DefaultCheckInterval = 10 * time.Second
	// DefaultCheckTimeout bounds a probe; when half the interval is
	// shorter, that is the default instead.
	DefaultCheckTimeout = 2 * time.Second
	// DefaultCheckRise is the number of consecutive successes to go up.
	DefaultCheckRise = 2
	// DefaultCheckFall is the number of consecutive failures to go down.
	DefaultCheckFall = 3
	// DefaultHTTPPort is the port of an http check.
	DefaultHTTPPort = 80
	// DefaultHTTPSPort is the port of an https check.
	DefaultHTTPSPort = 443
	// DefaultDNSPort is the port of a dns check.
	DefaultDNSPort = 53
	// DefaultCheckPath is the request path of http and https checks.
	DefaultCheckPath = "/"
	// DefaultCheckBodyLimit is the most bytes of a body an http or https
	// check reads.
	DefaultCheckBodyLimit = 64 << 10
	// DefaultCheckQueryName is the name a dns check queries.
	DefaultCheckQueryName = "."
	// DefaultCheckQueryType is the type a dns check queries.
	DefaultCheckQueryType = dnscode.TypeSOA
)
