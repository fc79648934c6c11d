package zones

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/dnscode"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// Config is the compiled server configuration (`gslb serve -config FILE`).
// Paths in it are absolute (relative ones in the file are relative to the
// file's directory).
type Config struct {
	File        string   // the configuration file
	Listen      []string // host:port addresses served on UDP and TCP; default ["127.0.0.1:53"]
	ZonesDir    string   // directory of *.toml zone files; default "zones"
	State       string   // bbolt file for health and admin state; default "gslb.db"
	NSID        string   // NSID answered when asked; "" for none
	GeoIPCity   string   // City (or compatible) mmdb file; "" for none
	GeoIPASN    string   // ASN mmdb file; "" for none
	MaxUDPSize  uint16   // largest UDP answer; default 1232
	LogLevel    string   // debug, info, warn or error; default "info"
	Datacenters map[string]pick.Datacenter
	Checks      map[string]health.Check

	TCPIdleTimeout    time.Duration // idle TCP connections are closed after this; default 10s
	TCPTimeout        time.Duration // deadline of each TCP read and write; default 2s
	TCPMaxConnections int           // TCP connections served at once; default 256

	ControlListen    string // control API address; default "127.0.0.1:8053"; "" disables it
	ControlTokenFile string // file holding the bearer token; required off loopback

	HealthMaxStartWait time.Duration // longest wait for the first probe round; default 10s
	HealthStaleness    time.Duration // persisted state older than this is ignored; default 10 × interval
	HealthMaxInFlight  int           // probes running at once; default 64
}

// Defaults of a check.
const (
	DefaultCheckInterval = 10 * time.Second
	DefaultCheckRise     = 2
	DefaultCheckFall     = 3
)

// LoadConfig reads and validates the server configuration. The error, if
// any, is an ErrorList with every problem found.
func LoadConfig(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return ParseConfig(path, src)
}

// ParseConfig validates a server configuration read from path.
func ParseConfig(path string, src []byte) (*Config, error) {
	var errs tomlcheck.ErrorList
	root := tomlcheck.Parse(path, src, &errs)
	if root == nil {
		return nil, errs.Err()
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	c := &Config{
		File:               path,
		Listen:             []string{"127.0.0.1:53"},
		ZonesDir:           rel("zones"),
		State:              rel("gslb.db"),
		MaxUDPSize:         1232,
		LogLevel:           "info",
		Datacenters:        map[string]pick.Datacenter{},
		Checks:             map[string]health.Check{},
		TCPIdleTimeout:     10 * time.Second,
		TCPTimeout:         2 * time.Second,
		TCPMaxConnections:  256,
		ControlListen:      "127.0.0.1:8053",
		HealthMaxStartWait: 10 * time.Second,
		HealthMaxInFlight:  64,
	}
	if ls, ok := root.Strings("listen"); ok {
		c.Listen = nil
		for i, l := range ls {
			if _, _, err := net.SplitHostPort(l); err != nil {
				root.Errorf(append(root.KeyPath("listen"), tomlcheck.Index(i)), "invalid address %q: want host:port", l)
				continue
			}
			c.Listen = append(c.Listen, l)
		}
		if len(ls) == 0 {
			root.Errorf(root.KeyPath("listen"), "no address to listen on")
		}
	}
	if s, ok := root.Str("zones"); ok {
		c.ZonesDir = rel(s)
	}
	if s, ok := root.Str("state"); ok {
		c.State = rel(s)
	}
	if s, ok := root.Str("nsid"); ok {
		if len(s) > 255 {
			root.Errorf(root.KeyPath("nsid"), "longer than 255 bytes")
		}
		c.NSID = s
	}
	if n, ok := root.Int("max_udp_size", 512, 65535); ok {
		c.MaxUDPSize = uint16(n)
	}
	if s, ok := root.Str("log_level"); ok {
		switch s {
		case "debug", "info", "warn", "error":
			c.LogLevel = s
		default:
			root.Errorf(root.KeyPath("log_level"), "unknown level %q: want debug, info, warn or error", s)
		}
	}
	if d, ok := root.Duration("tcp_idle_timeout"); ok {
		c.TCPIdleTimeout = d
	}
	if d, ok := root.Duration("tcp_timeout"); ok {
		c.TCPTimeout = d
	}
	if n, ok := root.Int("tcp_max_connections", 1, 1<<20); ok {
		c.TCPMaxConnections = int(n)
	}
	if g, ok := root.Table("geoip"); ok {
		if s, ok := g.Str("city"); ok {
			c.GeoIPCity = rel(s)
		}
		if s, ok := g.Str("asn"); ok {
			c.GeoIPASN = rel(s)
		}
		if c.GeoIPASN != "" && c.GeoIPCity == "" {
			g.Errorf(g.Path(), "asn without city: the ASN database only adds to a City database")
		}
		g.Unknown(nil)
	}
	if ct, ok := root.Table("control"); ok {
		if s, ok := ct.Str("listen"); ok {
			if s != "" {
				if _, _, err := net.SplitHostPort(s); err != nil {
					ct.Errorf(ct.KeyPath("listen"), "invalid address %q: want host:port", s)
				}
			}
			c.ControlListen = s
		}
		if s, ok := ct.Str("token_file"); ok {
			c.ControlTokenFile = rel(s)
		}
		ct.Unknown(nil)
	}
	if c.ControlListen != "" && c.ControlTokenFile == "" && !loopbackAddr(c.ControlListen) {
		root.Errorf(root.KeyPath("control"), "control.listen %q is not a loopback address: set control.token_file", c.ControlListen)
	}
	if h, ok := root.Table("health"); ok {
		if d, ok := h.Duration("max_start_wait"); ok {
			c.HealthMaxStartWait = d
		}
		if d, ok := h.Duration("staleness"); ok {
			c.HealthStaleness = d
		}
		if n, ok := h.Int("max_in_flight", 1, 1<<16); ok {
			c.HealthMaxInFlight = int(n)
		}
		h.Unknown(nil)
	}
	names, dcs := root.Tables("datacenters")
	for i, t := range dcs {
		c.Datacenters[names[i]] = compileDatacenter(names[i], t)
	}
	names, checks := root.Tables("checks")
	for i, t := range checks {
		if ch, ok := compileCheck(names[i], t); ok {
			c.Checks[names[i]] = ch
		}
	}
	root.Unknown(nil)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

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

func compileDatacenter(name string, t *tomlcheck.Table) pick.Datacenter {
	dc := pick.Datacenter{Name: name}
	t.Required("lat")
	t.Required("lon")
	dc.Lat, _ = t.Float("lat", -90, 90)
	dc.Lon, _ = t.Float("lon", -180, 180)
	t.Unknown(nil)
	return dc
}

func compileCheck(name string, t *tomlcheck.Table) (health.Check, bool) {
	ch := health.Check{
		Name:     name,
		Interval: DefaultCheckInterval,
		Rise:     DefaultCheckRise,
		Fall:     DefaultCheckFall,
	}
	before := t.ErrorCount()
	t.Required("type")
	typ, _ := t.Str("type")
	ch.Type = health.CheckType(typ)
	switch ch.Type {
	case health.CheckHTTP:
		ch.Port = 80
	case health.CheckHTTPS:
		ch.Port = 443
	case health.CheckDNS:
		ch.Port = 53
	case health.CheckTCP, health.CheckNone:
	case "":
	default:
		t.Errorf(t.KeyPath("type"), "unknown check type %q: want http, https, tcp, dns or none", typ)
	}
	if n, ok := t.Int("port", 1, 65535); ok {
		ch.Port = uint16(n)
	} else if ch.Type == health.CheckTCP && !t.Has("port") {
		t.Errorf(t.Path(), "missing required key \"port\" for a tcp check")
	}
	if d, ok := t.Duration("interval"); ok {
		if d < 100*time.Millisecond {
			t.Errorf(t.KeyPath("interval"), "interval %v is shorter than 100ms", d)
		}
		ch.Interval = d
	}
	ch.Timeout = min(2*time.Second, ch.Interval/2)
	if d, ok := t.Duration("timeout"); ok {
		ch.Timeout = d
		if d <= 0 || d >= ch.Interval {
			t.Errorf(t.KeyPath("timeout"), "timeout %v must be positive and less than interval %v", d, ch.Interval)
		}
	}
	if n, ok := t.Int("rise", 1, 100); ok {
		ch.Rise = int(n)
	}
	if n, ok := t.Int("fall", 1, 100); ok {
		ch.Fall = int(n)
	}
	ch.Path = "/"
	if s, ok := t.Str("path"); ok {
		if !strings.HasPrefix(s, "/") {
			t.Errorf(t.KeyPath("path"), "path %q must start with /", s)
		}
		ch.Path = s
	}
	ch.Host, _ = t.Str("host")
	if v, ok := t.Get("expect_status"); ok {
		arr, isArr := v.([]any)
		if !isArr {
			t.Errorf(t.KeyPath("expect_status"), "must be an array of status codes")
		}
		for i, e := range arr {
			n, isInt := e.(int64)
			if !isInt || n < 100 || n > 599 {
				t.Errorf(append(t.KeyPath("expect_status"), tomlcheck.Index(i)), "status code must be an integer from 100 to 599")
				continue
			}
			ch.ExpectStatus = append(ch.ExpectStatus, int(n))
		}
	}
	ch.BodyContains, _ = t.Str("body_contains")
	ch.BodyLimit = 64 << 10
	if n, ok := t.Int("body_limit", 1, 16<<20); ok {
		ch.BodyLimit = n
	}
	if h, ok := t.Table("headers"); ok {
		ch.Headers = map[string]string{}
		for _, k := range h.Keys() {
			if v, ok := h.Str(k); ok {
				ch.Headers[k] = v
			}
		}
	}
	ch.SNI, _ = t.Str("sni")
	if s, ok := t.Str("ca_file"); ok {
		if s != "" && !filepath.IsAbs(s) {
			s = filepath.Join(filepath.Dir(t.File()), s)
		}
		ch.CAFile = s
	}
	ch.InsecureSkipVerify, _ = t.Bool("insecure_skip_verify")
	ch.QueryName = "."
	if s, ok := t.Str("query_name"); ok {
		if !strings.HasSuffix(s, ".") {
			s += "."
		}
		ch.QueryName = s
	}
	ch.QueryType = dnscode.TypeSOA
	if s, ok := t.Str("query_type"); ok {
		if n, ok := dnscode.ParseType(s); ok {
			ch.QueryType = n
		} else {
			t.Errorf(t.KeyPath("query_type"), "unknown RR type %q (use a mnemonic like A, AAAA, SOA, or TYPEnnn)", s)
		}
	}
	if v, ok := t.Get("expect_rcode"); ok {
		switch r := v.(type) {
		case string:
			if n, ok := dnscode.ParseRcode(r); ok {
				ch.ExpectRcode = n
			} else {
				t.Errorf(t.KeyPath("expect_rcode"), "unknown rcode %q", r)
			}
		case int64:
			if r < 0 || r > 15 {
				t.Errorf(t.KeyPath("expect_rcode"), "rcode %d out of range [0, 15]", r)
			}
			ch.ExpectRcode = int(r)
		default:
			t.Errorf(t.KeyPath("expect_rcode"), "must be an rcode name or number")
		}
	}
	t.Unknown(nil)
	return ch, t.ErrorCount() == before
}

// DatacenterNames returns the datacenter names, sorted.
func (c *Config) DatacenterNames() []string {
	out := make([]string, 0, len(c.Datacenters))
	for n := range c.Datacenters {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
