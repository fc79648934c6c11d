package config

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// Config is the compiled server configuration (`gslb serve -config FILE`).
// The fields of the top-level keys are here; each table has its own type
// and file. Paths in it are absolute (relative ones in the file are relative
// to the file's directory). The zero value is an empty configuration that
// zones can compile against: no datacenters, no checks.
type Config struct {
	File       string   // the configuration file
	Listen     []string // host:port addresses served on UDP and TCP; default [DefaultListen]
	ZonesDir   string   // directory of *.toml zone files; default DefaultZonesDir
	State      string   // bbolt file for health and admin state; default DefaultState
	NSID       string   // NSID answered when asked, and to CHAOS id.server. and hostname.bind.; default "": none
	Version    string   // answered to CHAOS version.bind. and version.server.; default "": REFUSED
	MaxUDPSize uint16   // largest UDP answer; default DefaultMaxUDPSize (1232)
	LogLevel   string   // debug, info, warn or error; default DefaultLogLevel ("info")

	TCPIdleTimeout    time.Duration // idle TCP connections are closed after this; default 10s
	TCPTimeout        time.Duration // deadline of each TCP read and write; default 2s
	TCPMaxConnections int           // TCP connections served at once; default 256

	TCPMaxConnectionsPerPrefix int           // TCP connections of one client prefix; default 64
	TCPIPv4Prefix              int           // client prefix length counted by TCPMaxConnectionsPerPrefix; default 24
	TCPIPv6Prefix              int           // the same for IPv6; default 56
	TCPFirstQueryTimeout       time.Duration // a new TCP connection's time to send its first query; default 2s
	UDPReceiveBuffer           int           // receive buffer of each UDP socket in bytes; default 2 MiB; -1: the system's

	MaxTypesPerName int // record types one name of a zone file may have; default 100
	MaxRRsetRecords int // records one RRset of a zone file may have; default 1000
	MaxZoneFileSize int // bytes a zone file may have; default 16 MiB
	MaxCNAMEChain   int // CNAMEs followed for one answer; default 8

	GeoIP       GeoIP                      // [geoip]
	Control     Control                    // [control]
	Health      Health                     // [health]
	DNSTap      DNSTap                     // [dnstap]; off when absent
	RRL         RRL                        // [rrl]; off unless responses_per_second is set
	Cookies     Cookies                    // [cookies]; on by default
	Cluster     *Cluster                   // [cluster]; nil without it
	Datacenters map[string]pick.Datacenter // [datacenters.NAME], by name
	Checks      map[string]health.Check    // [checks.NAME], by name
	Maps        map[string]*pick.Map       // [maps.NAME], by name
	Pools       map[string]*pick.Pool      // [pools.NAME]: pools every zone can use, by name

	badMaps map[string]bool // [maps.NAME] tables left out for their errors
}

// Load reads and validates the server configuration in the file at path.
// The error, if any, is a tomlcheck.ErrorList with every problem found, or
// the error reading the file.
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, src)
}

// Parse validates src, a server configuration read from path. The error,
// if any, is a tomlcheck.ErrorList with every problem found.
func Parse(path string, src []byte) (*Config, error) {
	var errs tomlcheck.ErrorList
	root := tomlcheck.Parse(path, src, &errs)
	if root == nil {
		return nil, errs.Err()
	}
	c := &Config{File: path}
	parseTopLevel(root, c)
	// Each table is read by its own function, in its own file, which sets
	// the table's defaults and reports its unknown keys.
	tables := []struct {
		key   string
		parse func(*tomlcheck.Table, *Config)
	}{
		{"geoip", parseGeoIP},
		{"control", parseControl},
		{"health", parseHealth},
		{"dnstap", parseDNSTap},
		{"rrl", parseRRL},
		{"cookies", parseCookies},
		{"cluster", parseCluster},
		{"datacenters", parseDatacenters},
		{"checks", parseChecks},
		{"maps", parseMaps},   // after datacenters and geoip
		{"pools", parsePools}, // after datacenters, checks and maps
	}
	for _, tb := range tables {
		tb.parse(root.Section(tb.key), c)
	}
	root.Unknown(nil)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// rel returns p relative to the directory of the configuration file, unless
// it is absolute or empty.
func (c *Config) rel(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(c.File), p)
}

// parseTopLevel reads the keys before the first table.
func parseTopLevel(t *tomlcheck.Table, c *Config) {
	c.Listen = []string{DefaultListen}
	c.ZonesDir = c.rel(DefaultZonesDir)
	c.State = c.rel(DefaultState)
	c.MaxUDPSize = DefaultMaxUDPSize
	c.LogLevel = DefaultLogLevel
	c.TCPIdleTimeout = DefaultTCPIdleTimeout
	c.TCPTimeout = DefaultTCPTimeout
	c.TCPMaxConnections = DefaultTCPMaxConnections
	c.TCPMaxConnectionsPerPrefix = DefaultTCPMaxConnectionsPerPrefix
	c.TCPIPv4Prefix = DefaultTCPIPv4Prefix
	c.TCPIPv6Prefix = DefaultTCPIPv6Prefix
	c.TCPFirstQueryTimeout = DefaultTCPFirstQueryTimeout
	c.UDPReceiveBuffer = DefaultUDPReceiveBuffer
	c.MaxTypesPerName = DefaultMaxTypesPerName
	c.MaxRRsetRecords = DefaultMaxRRsetRecords
	c.MaxZoneFileSize = DefaultMaxZoneFileSize
	c.MaxCNAMEChain = DefaultMaxCNAMEChain

	if ls, ok := t.Strings("listen"); ok {
		c.Listen = nil
		for i, l := range ls {
			if _, _, err := net.SplitHostPort(l); err != nil {
				t.Errorf(append(t.KeyPath("listen"), tomlcheck.Index(i)), "invalid address %q: want host:port", l)
				continue
			}
			c.Listen = append(c.Listen, l)
		}
		if len(ls) == 0 {
			t.Errorf(t.KeyPath("listen"), "no address to listen on")
		}
	}
	if s, ok := t.Str("zones"); ok {
		c.ZonesDir = c.rel(s)
	}
	if s, ok := t.Str("state"); ok {
		c.State = c.rel(s)
	}
	if s, ok := t.Str("nsid"); ok {
		if len(s) > 255 {
			t.Errorf(t.KeyPath("nsid"), "longer than 255 bytes")
		}
		c.NSID = s
	}
	if s, ok := t.Str("version"); ok {
		if len(s) > 255 {
			t.Errorf(t.KeyPath("version"), "longer than 255 bytes")
		}
		c.Version = s
	}
	if n, ok := t.Int("max_udp_size", 512, 65535); ok {
		c.MaxUDPSize = uint16(n)
	}
	if s, ok := t.Str("log_level"); ok {
		switch s {
		case "debug", "info", "warn", "error":
			c.LogLevel = s
		default:
			t.Errorf(t.KeyPath("log_level"), "unknown level %q: want debug, info, warn or error", s)
		}
	}
	if d, ok := t.Duration("tcp_idle_timeout"); ok {
		c.TCPIdleTimeout = d
	}
	if d, ok := t.Duration("tcp_timeout"); ok {
		c.TCPTimeout = d
	}
	if n, ok := t.Int("tcp_max_connections", 1, 1<<20); ok {
		c.TCPMaxConnections = int(n)
	}
	if n, ok := t.Int("tcp_max_connections_per_prefix", 1, 1<<20); ok {
		c.TCPMaxConnectionsPerPrefix = int(n)
	}
	if n, ok := t.Int("tcp_ipv4_prefix", 1, 32); ok {
		c.TCPIPv4Prefix = int(n)
	}
	if n, ok := t.Int("tcp_ipv6_prefix", 1, 128); ok {
		c.TCPIPv6Prefix = int(n)
	}
	if d, ok := t.Duration("tcp_first_query_timeout"); ok {
		c.TCPFirstQueryTimeout = d
	}
	if n, ok := t.Int("udp_receive_buffer", 0, 1<<30); ok {
		c.UDPReceiveBuffer = int(n)
		if n == 0 {
			c.UDPReceiveBuffer = -1 // the system's default
		}
	}
	if n, ok := t.Int("max_types_per_name", 1, 65535); ok {
		c.MaxTypesPerName = int(n)
	}
	if n, ok := t.Int("max_rrset_records", 1, 65535); ok {
		c.MaxRRsetRecords = int(n)
	}
	if n, ok := t.Int("max_zone_file_size", 1, 1<<31-1); ok {
		c.MaxZoneFileSize = int(n)
	}
	if n, ok := t.Int("max_cname_chain", 1, 64); ok {
		c.MaxCNAMEChain = int(n)
	}
}
