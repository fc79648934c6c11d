package config_test

import (
	"slices"
	"testing"

	"github.com/gslb/gslb/config"
)

func TestReloaded(t *testing.T) {
	const base = `listen = ["127.0.0.1:5353"]
log_level = "info"
[control]
listen = "127.0.0.1:8053"
[datacenters.ams]
lat = 52.37
lon = 4.90
`
	running := mustParse(t, base)
	tests := []struct {
		name    string
		src     string
		changed []string
	}{
		{"same", base, nil},
		{"datacenter and log level", `listen = ["127.0.0.1:5353"]
log_level = "debug"
[control]
listen = "127.0.0.1:8053"
[datacenters.ams]
lat = 52.37
lon = 4.90
[datacenters.fra]
lat = 50.11
lon = 8.68
`, nil},
		{"listen, nsid, control and health", `listen = ["127.0.0.1:53"]
nsid = "ns1"
[control]
listen = "127.0.0.1:9053"
[health]
max_in_flight = 8
staleness = "1m"
max_start_wait = "3s"
[datacenters.ams]
lat = 52.37
lon = 4.90
`, []string{"control.listen", "listen"}},
		{"udp receive buffer, TCP and zone limits", "udp_receive_buffer = 8388608\ntcp_max_connections_per_prefix = 8\nmax_rrset_records = 10\nversion = \"v\"\n" + base,
			[]string{"udp_receive_buffer"}},
		{"dnstap", base + `[dnstap]
socket = "/run/gslb/dnstap.sock"
`, nil},
		{"cluster", base + `[cluster]
bind = "127.0.0.1:7946"
`, []string{"cluster"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := mustParse(t, tt.src)
			got, changed := config.Reloaded(running, next)
			if !slices.Equal(changed, tt.changed) {
				t.Errorf("Reloaded changed = %q, want %q", changed, tt.changed)
			}
			if !slices.Equal(got.Listen, running.Listen) || got.Control != running.Control || got.Cluster != running.Cluster {
				t.Errorf("Reloaded kept %+v, want the running start-only settings", got)
			}
			if got.DNSTap != next.DNSTap {
				t.Errorf("Reloaded kept dnstap %+v, want next's %+v (it reloads)", got.DNSTap, next.DNSTap)
			}
			if got.Health != next.Health {
				t.Errorf("Reloaded health = %+v, want next's %+v ([health] reloads)", got.Health, next.Health)
			}
			if got.UDPReceiveBuffer != running.UDPReceiveBuffer {
				t.Errorf("Reloaded udp_receive_buffer %d, want the running %d (read at start)", got.UDPReceiveBuffer, running.UDPReceiveBuffer)
			}
			if got.TCPMaxConnectionsPerPrefix != next.TCPMaxConnectionsPerPrefix || got.MaxRRsetRecords != next.MaxRRsetRecords || got.Version != next.Version {
				t.Errorf("Reloaded kept the TCP, zone limits or version of running, want next's (they reload)")
			}
			if len(got.Datacenters) != len(next.Datacenters) || got.LogLevel != next.LogLevel || got.NSID != next.NSID {
				t.Errorf("Reloaded = %d datacenters, log level %s, nsid %q; want next's %d, %s, %q (they reload)",
					len(got.Datacenters), got.LogLevel, got.NSID, len(next.Datacenters), next.LogLevel, next.NSID)
			}
		})
	}
}

func mustParse(t *testing.T, src string) *config.Config {
	t.Helper()
	c, err := config.Parse("/etc/gslb/gslb.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
