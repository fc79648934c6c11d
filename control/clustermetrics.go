package control

import "github.com/prometheus/client_golang/prometheus"

// ClusterSource is what the metrics read of the cluster this node is in.
type ClusterSource interface {
	// ClusterCounts returns the members by state and the targets whose
	// local verdict the quorum overruled, now.
	ClusterCounts() ClusterCounts
}

// ClusterCounts are the cluster's figures that the metrics export.
type ClusterCounts struct {
	// Members counts the nodes this node has seen since it started, itself
	// included, by state ("alive", "suspect", "dead", "left").
	Members map[string]int
	// Disagreeing is the number of targets whose effective status (the
	// quorum's) differs from this node's own verdict.
	Disagreeing int
	// Alone is true while no peer is live: this node's view decides.
	Alone bool
}

// memberStates are the states gslb_cluster_members always reports, 0
// included, so that an alert on dead members has a series to read.
var memberStates = []string{"alive", "suspect", "dead", "left"}

// The cluster's metrics, sent only when the node is in a cluster.
var (
	descClusterMembers = prometheus.NewDesc("gslb_cluster_members",
		"Cluster nodes this node has seen since it started, itself included, by state (alive, suspect, dead, left).",
		[]string{"state"}, nil)
	descClusterDisagreeing = prometheus.NewDesc("gslb_cluster_disagreeing_targets",
		"Health targets whose effective status, decided by the cluster's quorum, differs from this node's own probes.", nil, nil)
	descClusterAlone = prometheus.NewDesc("gslb_cluster_alone",
		"1 while no cluster peer is live: this node's own probes decide.", nil, nil)
)

// collectCluster sends the cluster's metrics, when in a cluster.
func (m *Metrics) collectCluster(ch chan<- prometheus.Metric) {
	if m.cfg.Cluster == nil {
		return
	}
	c := m.cfg.Cluster.ClusterCounts()
	for _, s := range memberStates {
		ch <- gauge(descClusterMembers, float64(c.Members[s]), s)
	}
	ch <- gauge(descClusterDisagreeing, float64(c.Disagreeing))
	ch <- gauge(descClusterAlone, boolValue(c.Alone))
}
