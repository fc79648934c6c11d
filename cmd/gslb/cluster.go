package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/cluster"
	"github.com/gslb/gslb/health/monitor"
	"github.com/gslb/gslb/zones"
)

// newCluster binds the gossip address of [cluster], when configured; run
// joins the peers. Without [cluster] the node is on its own.
func (s *server) newCluster() error {
	cc := s.cfg.Cluster
	if cc == nil {
		return nil
	}
	ccfg := cluster.Config{
		Node:   cc.Node,
		Bind:   cc.Bind,
		Peers:  cc.Peers,
		Key:    cc.Key,
		WAN:    cc.Network == "wan",
		Logger: s.logger,
	}
	if s.opts.Cluster != nil {
		s.opts.Cluster(&ccfg)
	}
	cl, err := cluster.New(ccfg)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	s.cluster = cl
	s.log.Info("cluster configured", "node", cc.Node, "bind", cl.Addr().String(),
		"peers", len(cc.Peers), "health_quorum", cc.HealthQuorum.String(), "network", cc.Network, "encrypted", len(cc.Key) > 0)
	return nil
}

// shareZones tells the cluster which zones this node serves: origin,
// serial and a hash of the zone file, which peers compare with theirs.
func (s *server) shareZones(set *zones.Set) {
	if s.cluster == nil {
		return
	}
	var zs []cluster.ZoneInfo
	for _, z := range set.Zones() {
		zs = append(zs, cluster.ZoneInfo{Origin: z.Origin, Serial: z.Serial, Hash: fileHash(z.File)})
	}
	s.cluster.SetZones(zs)
}

// fileHash returns the first 16 hex digits of the SHA-256 of a file, or
// "" when it cannot be read.
func fileHash(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// monitorCluster returns the cluster as the health monitor takes it: a
// nil interface without one.
func (s *server) monitorCluster() monitor.Cluster {
	if s.cluster == nil {
		return nil
	}
	return s.cluster
}

// quorum returns the health_quorum of [cluster] (majority without it).
func (s *server) quorum() health.Quorum {
	if s.cfg.Cluster == nil {
		return health.QuorumMajority
	}
	return s.cfg.Cluster.HealthQuorum
}

// clusterStatus is the cluster as the control API shows it: gossip's
// members and verdicts with the monitor's merge.
type clusterStatus struct{ s *server }

var _ control.Cluster = clusterStatus{}

// controlCluster returns the cluster for the control API: a nil
// interface without one.
func (s *server) controlCluster() control.Cluster {
	if s.cluster == nil {
		return nil
	}
	return clusterStatus{s}
}

// metricsCluster returns the cluster for the metrics: a nil interface
// without one.
func (s *server) metricsCluster() control.ClusterSource {
	if s.cluster == nil {
		return nil
	}
	return clusterStatus{s}
}

var _ control.ClusterSource = clusterStatus{}

// ClusterCounts returns the members by state and the targets whose local
// verdict the quorum overruled at the last merge.
func (c clusterStatus) ClusterCounts() control.ClusterCounts {
	cl := c.s.cluster
	cc := control.ClusterCounts{Members: map[string]int{}, Alone: len(cl.Live()) <= 1}
	for _, m := range cl.Members() {
		cc.Members[string(m.State)]++
	}
	for _, m := range c.s.mon.Merged() {
		if m.Overruled {
			cc.Disagreeing++
		}
	}
	return cc
}

// ClusterStatus returns the members and, for every target, each node's
// verdict and the effective status.
func (c clusterStatus) ClusterStatus() control.ClusterStatus {
	cl, mon := c.s.cluster, c.s.mon
	cs := control.ClusterStatus{Node: cl.Name(), Quorum: c.s.quorum(), Alone: len(cl.Live()) <= 1}
	for _, m := range cl.Members() {
		cs.Members = append(cs.Members, control.ClusterMember{
			Name: m.Name, Addr: m.Addr, State: string(m.State), Since: m.Since, LastContact: m.LastContact, Self: m.Self,
		})
	}
	for _, d := range cl.ZoneDifferences() {
		cs.Zones = append(cs.Zones, control.ClusterZoneDiff{
			Origin: d.Origin, Node: d.Node, Serial: d.Local.Serial, Hash: d.Local.Hash, PeerSerial: d.Peer.Serial, PeerHash: d.Peer.Hash,
		})
	}
	own, peers := cl.OwnVerdicts(), cl.PeerVerdicts()
	merged := mon.Merged()
	for _, t := range slices.SortedFunc(maps.Keys(merged), health.Target.Compare) {
		m := merged[t]
		ct := control.ClusterTarget{Target: t, Effective: m.Status, Up: m.Up, Down: m.Down}
		if v, ok := own[t]; ok {
			ct.Local = v.Status
			ct.Verdicts = append(ct.Verdicts, v)
		}
		ct.Verdicts = append(ct.Verdicts, peers[t]...)
		slices.SortFunc(ct.Verdicts, func(a, b health.Verdict) int { return strings.Compare(a.Node, b.Node) })
		cs.Targets = append(cs.Targets, ct)
	}
	return cs
}

// printCluster prints the cluster part of the status: the members, then
// every target's local and effective status with each node's verdict.
// Nothing without a cluster.
func printCluster(w io.Writer, cs *control.ClusterStatus) {
	if cs == nil {
		return
	}
	fmt.Fprintf(w, "\ncluster: node %s, health_quorum %s", cs.Node, cs.Quorum)
	if cs.Alone {
		fmt.Fprint(w, " (no live peer: this node's view decides alone)")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  MEMBER\tSTATE\tADDR\tSINCE\tLAST CONTACT")
	for _, m := range cs.Members {
		name, last := m.Name, "-"
		if m.Self {
			name += " (self)"
		}
		if !m.LastContact.IsZero() {
			last = m.LastContact.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", name, m.State, m.Addr, m.Since.Format(time.RFC3339), last)
	}
	tw.Flush()
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  TARGET\tLOCAL\tEFFECTIVE\tVOTES DOWN\tVERDICTS")
	for _, t := range cs.Targets {
		var vs []string
		for _, v := range t.Verdicts {
			vs = append(vs, v.Node+"="+v.Status.String())
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d of %d\t%s\n", t.Target, t.Local, t.Effective, t.Down, t.Up+t.Down, strings.Join(vs, " "))
	}
	tw.Flush()
	for _, z := range cs.Zones {
		fmt.Fprintf(w, "  zone %s differs on %s: serial %d hash %s here, serial %d hash %s there\n",
			z.Origin, z.Node, z.Serial, z.Hash, z.PeerSerial, z.PeerHash)
	}
}
