package config

import "slices"

// Reloaded returns the configuration a running server applies when it
// reloads next in place of running: next, with the settings that a server
// reads only at start taken from running, and the keys of those settings
// that next changes, sorted. A server applies those only when it restarts.
//
// Applied on reload: log_level, nsid, version, max_udp_size, the tcp_
// keys, the zone data limits (max_types_per_name, max_rrset_records,
// max_zone_file_size, max_cname_chain), [geoip] (other files, max_age),
// control.token_file and control.read_token_file (read again at every
// reload), [dnstap], zones (the directory), [health], [rrl], [cookies]
// (the secret file is read again at every reload), [datacenters],
// [checks], [maps] and [pools]. Read only at start: listen, state,
// udp_receive_buffer, control.listen, control.max_connections,
// control.max_connections_per_client, [cluster], and whether there is a
// [geoip] city at all.
func Reloaded(running, next *Config) (*Config, []string) {
	out := *next
	var changed []string
	keep := func(key string, same bool, restore func()) {
		if !same {
			changed = append(changed, key)
		}
		restore()
	}
	keep("listen", slices.Equal(running.Listen, next.Listen), func() { out.Listen = running.Listen })
	keep("state", running.State == next.State, func() { out.State = running.State })
	keep("udp_receive_buffer", running.UDPReceiveBuffer == next.UDPReceiveBuffer, func() { out.UDPReceiveBuffer = running.UDPReceiveBuffer })
	// Other database files reload; starting or stopping GeoIP needs a restart.
	if (running.GeoIP.City == "") != (next.GeoIP.City == "") {
		keep("geoip", false, func() { out.GeoIP = running.GeoIP })
	}
	keep("control.listen", running.Control.Listen == next.Control.Listen, func() { out.Control.Listen = running.Control.Listen })
	keep("control.max_connections", running.Control.MaxConnections == next.Control.MaxConnections, func() { out.Control.MaxConnections = running.Control.MaxConnections })
	keep("control.max_connections_per_client", running.Control.MaxConnectionsPerClient == next.Control.MaxConnectionsPerClient, func() {
		out.Control.MaxConnectionsPerClient = running.Control.MaxConnectionsPerClient
	})
	keep("cluster", sameCluster(running.Cluster, next.Cluster), func() { out.Cluster = running.Cluster })
	slices.Sort(changed)
	return &out, changed
}
