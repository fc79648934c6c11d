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
	NSID       string   // NSID answered when asked; default "": none
	MaxUDPSize uint16   // largest UDP answer; default DefaultMaxUDPSize (1232)
	LogLevel   string   // debug, info, warn or error; default DefaultLogLevel ("info")

	TCPIdleTimeout    time.Duration // idle TCP connections are closed after this; default 10s
	TCPTimeout        time.Duration // deadline of each TCP read and write; default 2s
	TCPMaxConnections int           // TCP connections served at once; default 256

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
}
