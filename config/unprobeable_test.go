package config_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// TestUnprobeableTargets: a pool whose check would probe a link-local or
// metadata address, or gslb's own control listener, is refused at load,
// positioned at the address.
func TestUnprobeableTargets(t *testing.T) {
	const head = "[control]\nlisten = %q\n[datacenters.ams]\nlat = 52\nlon = 4\n" +
		"[checks.web]\ntype = \"http\"\nport = 8053\n[checks.none]\ntype = \"none\"\n[pools.p]\ncheck = %q\n"
	pool := func(listen, check, addrs string) string {
		return strings.Replace(strings.Replace(head, "%q", `"`+listen+`"`, 1), "%q", `"`+check+`"`, 1) +
			"members = [{ datacenter = \"ams\", addresses = [" + addrs + "] }]\n"
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"metadata", pool("127.0.0.1:8053", "web", `"192.0.2.1", "169.254.169.254"`), []string{
			`c.toml:13:60: pools.p.members[0].addresses[1]: address 169.254.169.254 is a link-local address (instance metadata services live there): check "web" would probe it, and probes never go to link-local or metadata addresses`}},
		{"link-local v6", pool("127.0.0.1:8053", "web", `"fe80::1"`), []string{
			`c.toml:13:47: pools.p.members[0].addresses[0]: address fe80::1 is a link-local address: check "web" would probe it`}},
		{"ec2 v6 metadata", pool("127.0.0.1:8053", "web", `"fd00:ec2::254"`), []string{
			`c.toml:13:47: pools.p.members[0].addresses[0]: address fd00:ec2::254 is the IPv6 instance metadata address of EC2`}},
		{"control listener", pool("127.0.0.1:8053", "web", `"127.0.0.1"`), []string{
			`c.toml:13:47: pools.p.members[0].addresses[0]: address 127.0.0.1 port 8053 is gslb's own control listener (control.listen "127.0.0.1:8053"): check "web" would probe it`}},
		{"control on all addresses", pool("[::]:8053", "web", `"127.0.0.5"`), []string{
			`c.toml:1:1: control: control.listen "[::]:8053" is not a loopback address: set control.token_file`,
			`c.toml:13:47: pools.p.members[0].addresses[0]: address 127.0.0.5 port 8053 is gslb's own control listener`}},
		{"control on localhost", pool("localhost:8053", "web", `"::1"`), []string{
			`c.toml:13:47: pools.p.members[0].addresses[0]: address ::1 port 8053 is gslb's own control listener`}},
		{"control on another address", pool("127.0.0.1:8053", "web", `"127.0.0.2"`), nil},
		{"control on another port", pool("127.0.0.1:8054", "web", `"127.0.0.1"`), nil},
		{"control off", pool("", "web", `"127.0.0.1"`), nil},
		{"not probed", pool("127.0.0.1:8053", "none", `"169.254.169.254", "127.0.0.1"`), nil},
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

func TestListenerServes(t *testing.T) {
	local := func() []netip.Addr {
		return []netip.Addr{netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")}
	}
	for _, tc := range []struct {
		listen, ap string
		want       bool
	}{
		{"127.0.0.1:8053", "127.0.0.1:8053", true},
		{"127.0.0.1:8053", "[::ffff:127.0.0.1]:8053", true},
		{"127.0.0.1:8053", "127.0.0.1:80", false},
		{"127.0.0.1:8053", "127.0.0.2:8053", false},
		{"[::1]:8053", "[::1]:8053", true},
		{"localhost:8053", "127.0.0.9:8053", true},
		{"localhost:8053", "192.0.2.7:8053", false},
		{"0.0.0.0:8053", "192.0.2.7:8053", true},
		{"0.0.0.0:8053", "[2001:db8::7]:8053", false},
		{"0.0.0.0:8053", "192.0.2.8:8053", false},
		{"[::]:8053", "[2001:db8::7]:8053", true},
		{"[::]:8053", "192.0.2.7:8053", true},
		{":8053", "127.0.0.1:8053", true},
		{"gslb.example:8053", "192.0.2.7:8053", false},
		{"nonsense", "127.0.0.1:8053", false},
	} {
		if got := config.ListenerServes(tc.listen, netip.MustParseAddrPort(tc.ap), local); got != tc.want {
			t.Errorf("ListenerServes(%q, %s) = %v, want %v", tc.listen, tc.ap, got, tc.want)
		}
	}
}
