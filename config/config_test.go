package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // every error line, in order
	}{
		{"ok minimal", `listen = ["127.0.0.1:5353"]`, nil},
		{"syntax", "listen = [\n", []string{"c.toml:1:11: TOML syntax: unexpected EOF"}},
		{"unknown key", "listn = []", []string{"c.toml:1:9: listn: unknown key"}},
		{"bad listen", `listen = ["nope"]`, []string{`c.toml:1:11: listen[0]: invalid address "nope": want host:port`}},
		{"datacenter range", "[datacenters.x]\nlat = 91\nlon = 0", []string{"c.toml:2:7: datacenters.x.lat: 91 out of range [-90, 90]"}},
		{"datacenter missing lon", "[datacenters.x]\nlat = 1", []string{`c.toml:1:1: datacenters.x: missing required key "lon"`}},
		{"check timeout", "[checks.c]\ntype = \"tcp\"\nport = 1\ninterval = \"1s\"\ntimeout = \"1s\"",
			[]string{"c.toml:5:11: checks.c.timeout: timeout 1s must be positive and less than interval 1s"}},
		{"check bare duration string", "[checks.c]\ntype = \"none\"\ninterval = \"10\"",
			[]string{`c.toml:3:12: checks.c.interval: duration "10" has no unit: write "10s", or the integer 10 for seconds`}},
		{"check float duration", "[checks.c]\ntype = \"none\"\ninterval = 1.5",
			[]string{`c.toml:3:12: checks.c.interval: duration must be a string with a unit ("30s") or an integer of seconds, not a float`}},
		{"check type", "[checks.c]\ntype = \"icmp\"", []string{`c.toml:2:8: checks.c.type: unknown check type "icmp": want http, https, tcp, dns or none`}},
		{"tcp needs port", "[checks.c]\ntype = \"tcp\"", []string{`c.toml:1:1: checks.c: missing required key "port" for a tcp check`}},
		{"control off loopback", "[control]\nlisten = \"0.0.0.0:8053\"",
			[]string{`c.toml:1:1: control: control.listen "0.0.0.0:8053" is not a loopback address: set control.token_file`}},
		{"read token without token", "[control]\nread_token_file = \"ro\"",
			[]string{`c.toml:2:19: control.read_token_file: a read-only token needs control.token_file (without it the API is open)`}},
		{"control per client above total", "[control]\nmax_connections = 8\nmax_connections_per_client = 9",
			[]string{`c.toml:3:30: control.max_connections_per_client: 9 is more than max_connections (8)`}},
		{"control zero connections", "[control]\nmax_connections = 0",
			[]string{`c.toml:2:19: control.max_connections: 0 out of range [1, 65536]`}},
		{"asn without city", "[geoip]\nasn = \"a.mmdb\"",
			[]string{"c.toml:1:1: geoip: asn without city: the ASN database only adds to a City database"}},
		{"health unknown key", "[health]\nmax_inflight = 3", []string{"c.toml:2:16: health.max_inflight: unknown key"}},
		{"table not a table", "control = 1", []string{"c.toml:1:11: control: must be a table, not an integer"}},
		{"check query type", "[checks.c]\ntype = \"dns\"\nquery_type = \"BOGUS\"",
			[]string{`c.toml:3:14: checks.c.query_type: unknown RR type "BOGUS" (use a mnemonic like A, AAAA, SOA, or TYPEnnn)`}},
		{"tcp prefix range", "tcp_ipv4_prefix = 33", []string{"c.toml:1:19: tcp_ipv4_prefix: 33 out of range [1, 32]"}},
		{"tcp per prefix", "tcp_max_connections_per_prefix = 0", []string{"c.toml:1:34: tcp_max_connections_per_prefix: 0 out of range [1, 1048576]"}},
		{"first query timeout", `tcp_first_query_timeout = "2"`, []string{`c.toml:1:27: tcp_first_query_timeout: duration "2" has no unit`}},
		{"udp buffer", "udp_receive_buffer = -1", []string{"c.toml:1:22: udp_receive_buffer: -1 out of range [0, 1073741824]"}},
		{"types per name", "max_types_per_name = 0", []string{"c.toml:1:22: max_types_per_name: 0 out of range [1, 65535]"}},
		{"rrset records", `max_rrset_records = "many"`, []string{"c.toml:1:21: max_rrset_records: must be an integer, not a string"}},
		{"zone file size", "max_zone_file_size = 0", []string{"c.toml:1:22: max_zone_file_size: 0 out of range [1, 2147483647]"}},
		{"cname chain", "max_cname_chain = 65", []string{"c.toml:1:19: max_cname_chain: 65 out of range [1, 64]"}},
		{"version too long", `version = "` + strings.Repeat("v", 256) + `"`, []string{"c.toml:1:11: version: longer than 255 bytes"}},
		{"several sorted", "zones = 1\nnsid = 2\n", []string{
			"c.toml:1:9: zones: must be a string, not an integer",
			"c.toml:2:8: nsid: must be a string, not an integer",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("c.toml", []byte(tt.src))
			got := tomlcheck.Errors(err)
			if len(got) != len(tt.want) {
				t.Fatalf("Parse errors = %v, want %q", err, tt.want)
			}
			for i, e := range got {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("error %d = %q, want prefix %q", i, e.Error(), tt.want[i])
				}
			}
		})
	}
}

func TestParseDefaults(t *testing.T) {
	cfg, err := config.Parse("/etc/gslb/gslb.toml", []byte(`
[checks.web]
type = "http"
interval = "5s"
[checks.dns]
type = "dns"
interval = 30
query_type = "aaaa"
expect_rcode = "NXDOMAIN"
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ZonesDir != "/etc/gslb/zones" || cfg.State != "/etc/gslb/gslb.db" || cfg.MaxUDPSize != 1232 {
		t.Errorf("defaults = %q %q %d", cfg.ZonesDir, cfg.State, cfg.MaxUDPSize)
	}
	web := cfg.Checks["web"]
	if web.Port != 80 || web.Timeout != 2*time.Second || web.Rise != 2 || web.Fall != 3 || web.Path != "/" {
		t.Errorf("web check = %+v", web)
	}
	d := cfg.Checks["dns"]
	if d.Port != 53 || d.Interval != 30*time.Second || d.QueryType != 28 || d.ExpectRcode != 3 {
		t.Errorf("dns check = %+v", d)
	}
}

func TestParseTables(t *testing.T) {
	cfg, err := config.Parse("/etc/gslb/gslb.toml", []byte(`
listen = ["[::1]:53", "127.0.0.1:53"]
zones = "/srv/zones"
tcp_timeout = "3s"
[geoip]
city = "City.mmdb"
asn = "ASN.mmdb"
[control]
listen = "192.0.2.1:8053"
token_file = "token"
read_token_file = "ro-token"
max_connections = 64
max_connections_per_client = 4
[health]
max_start_wait = "30s"
staleness = "1h"
max_in_flight = 8
[datacenters.ams]
lat = 52.37
lon = 4.90
[checks.tls]
type = "https"
ca_file = "ca.pem"
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Listen, " "); got != "[::1]:53 127.0.0.1:53" {
		t.Errorf("Listen = %q", got)
	}
	if cfg.ZonesDir != "/srv/zones" || cfg.TCPTimeout != 3*time.Second || cfg.TCPIdleTimeout != config.DefaultTCPIdleTimeout {
		t.Errorf("ZonesDir, TCPTimeout, TCPIdleTimeout = %q, %v, %v", cfg.ZonesDir, cfg.TCPTimeout, cfg.TCPIdleTimeout)
	}
	if want := (config.GeoIP{City: "/etc/gslb/City.mmdb", ASN: "/etc/gslb/ASN.mmdb", MaxAge: config.DefaultGeoIPMaxAge}); cfg.GeoIP != want {
		t.Errorf("GeoIP = %+v, want %+v", cfg.GeoIP, want)
	}
	if want := (config.Control{Listen: "192.0.2.1:8053", TokenFile: "/etc/gslb/token", ReadTokenFile: "/etc/gslb/ro-token",
		MaxConnections: 64, MaxConnectionsPerClient: 4}); cfg.Control != want {
		t.Errorf("Control = %+v, want %+v", cfg.Control, want)
	}
	if want := (config.Health{MaxStartWait: 30 * time.Second, Staleness: time.Hour, MaxInFlight: 8}); cfg.Health != want {
		t.Errorf("Health = %+v, want %+v", cfg.Health, want)
	}
	if got := cfg.DatacenterNames(); len(got) != 1 || cfg.Datacenters["ams"].Lat != 52.37 {
		t.Errorf("Datacenters = %v", cfg.Datacenters)
	}
	if tls := cfg.Checks["tls"]; tls.Port != config.DefaultHTTPSPort || tls.CAFile != "/etc/gslb/ca.pem" {
		t.Errorf("tls check = %+v", tls)
	}
}

func TestParseEmpty(t *testing.T) {
	cfg, err := config.Parse("gslb.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Listen) != 1 || cfg.Listen[0] != config.DefaultListen || cfg.MaxUDPSize != config.DefaultMaxUDPSize ||
		cfg.LogLevel != config.DefaultLogLevel || cfg.TCPMaxConnections != config.DefaultTCPMaxConnections {
		t.Errorf("top-level defaults = %+v", cfg)
	}
	if want := (config.Control{Listen: config.DefaultControlListen, MaxConnections: config.DefaultControlMaxConnections,
		MaxConnectionsPerClient: config.DefaultControlMaxConnectionsPerClient}); cfg.Control != want {
		t.Errorf("Control = %+v, want %+v", cfg.Control, want)
	}
	if want := (config.Health{MaxStartWait: config.DefaultHealthMaxStartWait, MaxInFlight: config.DefaultHealthMaxInFlight}); cfg.Health != want {
		t.Errorf("Health = %+v, want %+v", cfg.Health, want)
	}
	if cfg.Datacenters == nil || cfg.Checks == nil {
		t.Errorf("Datacenters, Checks = %v, %v: want empty maps", cfg.Datacenters, cfg.Checks)
	}
}

// TestProtectionKeys checks the defaults of the TCP, UDP and zone data
// limits, and that each key sets its field.
func TestProtectionKeys(t *testing.T) {
	def, err := config.Parse("c.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := config.Parse("c.toml", []byte(`
version = "gslb 1.0"
tcp_max_connections_per_prefix = 8
tcp_ipv4_prefix = 32
tcp_ipv6_prefix = 64
tcp_first_query_timeout = "500ms"
udp_receive_buffer = 0
max_types_per_name = 10
max_rrset_records = 20
max_zone_file_size = 30
max_cname_chain = 4
`))
	if err != nil {
		t.Fatal(err)
	}
	type fields struct {
		Version                       string
		PerPrefix, Prefix4, Prefix6   int
		FirstQuery                    time.Duration
		UDPBuffer                     int
		Types, RRset, FileSize, Chain int
	}
	get := func(c *config.Config) fields {
		return fields{c.Version, c.TCPMaxConnectionsPerPrefix, c.TCPIPv4Prefix, c.TCPIPv6Prefix, c.TCPFirstQueryTimeout,
			c.UDPReceiveBuffer, c.MaxTypesPerName, c.MaxRRsetRecords, c.MaxZoneFileSize, c.MaxCNAMEChain}
	}
	if got, want := get(def), (fields{"", 64, 24, 56, 2 * time.Second, 4 << 20, 100, 1000, 16 << 20, 8}); got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
	if got, want := get(set), (fields{"gslb 1.0", 8, 32, 64, 500 * time.Millisecond, -1, 10, 20, 30, 4}); got != want {
		t.Errorf("set = %+v, want %+v", got, want)
	}
}
