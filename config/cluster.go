package config

import (
	"bytes"
	"encoding/base64"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// Cluster is the [cluster] table: the other gslb nodes this one shares
// health verdicts and overrides with, over gossip. Config.Cluster is nil
// without the table (or with an empty one): the node is on its own.
type Cluster struct {
	Node  string   // this node's name, unique in the cluster; default the host name
	Bind  string   // gossip address, ip:port, on TCP and UDP; required
	Peers []string // host:port of members to join at start; default none
	// KeyFile holds the base64 key encrypting gossip; default "": gossip
	// in clear text, allowed only when Bind is a loopback address.
	KeyFile string
	// Key is the decoded content of KeyFile (16, 24 or 32 bytes: AES-128,
	// -192 or -256), read when the configuration is loaded.
	Key []byte
	// HealthQuorum decides a target's status from the live nodes'
	// verdicts; default health.QuorumMajority.
	HealthQuorum health.Quorum
	// Network is the gossip timing profile: "lan" (default; failures
	// found in seconds) or "wan" (nodes far apart: slower probes with
	// longer timeouts, as memberlist's WAN defaults).
	Network string
}

func parseCluster(t *tomlcheck.Table, c *Config) {
	if len(t.Keys()) == 0 {
		return // no [cluster]: a node on its own
	}
	cl := &Cluster{}
	c.Cluster = cl
	if s, ok := t.Str("node"); ok {
		if s == "" || len(s) > 255 {
			t.Errorf(t.KeyPath("node"), "node name must be 1 to 255 bytes")
		}
		cl.Node = s
	} else if h, err := os.Hostname(); err == nil && h != "" {
		cl.Node = h
	} else {
		t.Errorf(t.Path(), "cannot default node to the host name (%v): set node", err)
	}
	t.Required("bind")
	if s, ok := t.Str("bind"); ok {
		if !validBind(s) {
			t.Errorf(t.KeyPath("bind"), "invalid address %q: want ip:port with a port from 1 to 65535", s)
		}
		cl.Bind = s
	}
	if ps, ok := t.Strings("peers"); ok {
		for i, p := range ps {
			if !validHostPort(p) {
				t.Errorf(append(t.KeyPath("peers"), tomlcheck.Index(i)), "invalid address %q: want host:port", p)
				continue
			}
			cl.Peers = append(cl.Peers, p)
		}
	}
	if s, ok := t.Str("key_file"); ok {
		cl.KeyFile = c.rel(s)
		if key, msg := readClusterKey(cl.KeyFile); msg != "" {
			t.Errorf(t.KeyPath("key_file"), "%s", msg)
		} else {
			cl.Key = key
		}
	}
	if s, ok := t.Str("health_quorum"); ok {
		q, err := health.ParseQuorum(s)
		if err != nil {
			t.Errorf(t.KeyPath("health_quorum"), "unknown quorum %q: want any, majority or all", s)
		}
		cl.HealthQuorum = q
	}
	cl.Network = "lan"
	if s, ok := t.Str("network"); ok {
		if s != "lan" && s != "wan" {
			t.Errorf(t.KeyPath("network"), "unknown network %q: want lan or wan", s)
		}
		cl.Network = s
	}
	t.Unknown(nil)
	if cl.KeyFile == "" && cl.Bind != "" && validBind(cl.Bind) && !loopbackAddr(cl.Bind) {
		t.Errorf(t.Path(), "cluster.bind %q is not a loopback address: set cluster.key_file to encrypt gossip", cl.Bind)
	}
}

// sameCluster reports whether two [cluster] tables are the same (nil for
// none). The cluster is set up at start: a change needs a restart.
func sameCluster(a, b *Cluster) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Node == b.Node && a.Bind == b.Bind && slices.Equal(a.Peers, b.Peers) && a.KeyFile == b.KeyFile &&
		bytes.Equal(a.Key, b.Key) && a.HealthQuorum == b.HealthQuorum && a.Network == b.Network
}

// validBind reports whether s is ip:port with a port from 1 to 65535.
func validBind(s string) bool {
	ap, err := netip.ParseAddrPort(s)
	return err == nil && ap.Port() != 0 && ap.Addr().Zone() == ""
}

// validHostPort reports whether s is host:port with a non-empty host and a
// port from 1 to 65535.
func validHostPort(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return false
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return err == nil && n != 0
}

// readClusterKey reads a key file: base64 (standard, padded) of 16, 24 or
// 32 bytes, surrounding white space ignored. It returns the key, or a
// message saying what is wrong.
func readClusterKey(path string) ([]byte, string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "cannot read the key: " + err.Error()
	}
	key, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil {
		return nil, "key file " + path + " is not base64: " + err.Error()
	}
	switch len(key) {
	case 16, 24, 32:
		return key, ""
	}
	return nil, "key file " + path + " holds " + strconv.Itoa(len(key)) + " bytes: want 16, 24 or 32"
}
