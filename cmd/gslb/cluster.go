package main

import (
	"fmt"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/cluster"
	"github.com/gslb/gslb/health/monitor"
)

// newCluster binds the gossip address of [cluster], when configured; run
// joins the peers. Without [cluster] the node is on its own.
func (s *server) newCluster() error {
	cc := s.cfg.Cluster
	if cc == nil {
		return nil
	}
	cl, err := cluster.New(cluster.Config{
		Node:   cc.Node,
		Bind:   cc.Bind,
		Peers:  cc.Peers,
		Key:    cc.Key,
		Logger: s.logger,
	})
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	s.cluster = cl
	s.log.Info("cluster configured", "node", cc.Node, "bind", cl.Addr().String(),
		"peers", len(cc.Peers), "health_quorum", cc.HealthQuorum.String(), "encrypted", len(cc.Key) > 0)
	return nil
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
