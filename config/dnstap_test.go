package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

func TestParseDNSTap(t *testing.T) {
	host, _ := os.Hostname()
	tests := []struct {
		name string
		src  string
		want config.DNSTap
	}{
		{"absent", `listen = ["127.0.0.1:53"]`, config.DNSTap{}},
		{"socket", "[dnstap]\nsocket = \"/run/gslb/dnstap.sock\"\nidentity = \"ns1\"",
			config.DNSTap{Socket: "/run/gslb/dnstap.sock", Identity: "ns1", Buffer: config.DefaultDNSTapBuffer}},
		{"relative socket", "[dnstap]\nsocket = \"tap.sock\"",
			config.DNSTap{Socket: "/etc/gslb/tap.sock", Identity: host, Buffer: config.DefaultDNSTapBuffer}},
		{"address", "[dnstap]\naddress = \"[::1]:6000\"\nversion = \"v\"\nbuffer = 50",
			config.DNSTap{Address: "[::1]:6000", Identity: host, Version: "v", Buffer: 50}},
		{"empty identity", "[dnstap]\naddress = \"collector.example:6000\"\nidentity = \"\"",
			config.DNSTap{Address: "collector.example:6000", Buffer: config.DefaultDNSTapBuffer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("/etc/gslb/gslb.toml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.DNSTap != tt.want {
				t.Errorf("DNSTap = %+v, want %+v", cfg.DNSTap, tt.want)
			}
			if cfg.DNSTap.Enabled() != (tt.want.Socket != "" || tt.want.Address != "") {
				t.Errorf("Enabled() = %v", cfg.DNSTap.Enabled())
			}
		})
	}
}

func TestParseDNSTapErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"both", "[dnstap]\nsocket = \"/s\"\naddress = \"127.0.0.1:6000\"",
			[]string{"c.toml:3:11: dnstap.address: both socket and address: the collector is one or the other"}},
		{"neither", "listen = [\"127.0.0.1:53\"]\n[dnstap]\nidentity = \"ns1\"",
			[]string{`c.toml:2:1: dnstap: missing the collector: set socket = "/path/to/socket" or address = "host:port"`}},
		{"empty table", "[dnstap]",
			[]string{`c.toml:1:1: dnstap: missing the collector`}},
		{"no port", "[dnstap]\naddress = \"127.0.0.1\"",
			[]string{`c.toml:2:11: dnstap.address: invalid address "127.0.0.1": want host:port`}},
		{"no host", "[dnstap]\naddress = \":6000\"",
			[]string{`c.toml:2:11: dnstap.address: invalid address ":6000": want host:port`}},
		{"bad port", "[dnstap]\naddress = \"127.0.0.1:http\"",
			[]string{`c.toml:2:11: dnstap.address: invalid address "127.0.0.1:http": want a port from 1 to 65535`}},
		{"port zero", "[dnstap]\naddress = \"127.0.0.1:0\"",
			[]string{`c.toml:2:11: dnstap.address: invalid address "127.0.0.1:0": want a port from 1 to 65535`}},
		{"empty socket", "[dnstap]\nsocket = \"\"", []string{`c.toml:2:10: dnstap.socket: empty socket path`}},
		{"socket type", "[dnstap]\nsocket = 1", []string{`c.toml:2:10: dnstap.socket: must be a string, not an integer`}},
		{"buffer range", "[dnstap]\nsocket = \"/s\"\nbuffer = 0", []string{`c.toml:3:10: dnstap.buffer: 0 out of range [1, 1048576]`}},
		{"unknown key", "[dnstap]\nsocket = \"/s\"\nport = 6000", []string{`c.toml:3:8: dnstap.port: unknown key`}},
		{"not a table", "dnstap = \"/s\"", []string{`c.toml:1:10: dnstap: must be a table, not a string`}},
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
