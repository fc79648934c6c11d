package control

import (
	"time"

	"github.com/gslb/gslb/health"
)

// Cluster is what the API shows of the cluster this node is in.
type Cluster interface {
	// ClusterStatus returns the members and every node's verdicts now.
	ClusterStatus() ClusterStatus
}

// ClusterStatus is the "cluster" part of the Status document: this
// node's name and quorum rule, the members as this node sees them, and
// for every target each node's verdict and the effective status.
type ClusterStatus struct {
	Node    string          `json:"node"`
	Quorum  health.Quorum   `json:"quorum"`
	Alone   bool            `json:"alone"`   // no live peer: this node's view decides
	Members []ClusterMember `json:"members"` // sorted by name
	Targets []ClusterTarget `json:"targets"` // sorted by target
	// Zones lists the zones a live peer serves in another version than
	// this node (serial or content), sorted by origin and node.
	Zones []ClusterZoneDiff `json:"zone_differences,omitempty"`
}

// ClusterZoneDiff is a zone a peer serves in another version.
type ClusterZoneDiff struct {
	Origin     string `json:"origin"`
	Node       string `json:"node"`
	Serial     uint32 `json:"serial"`
	Hash       string `json:"hash"`
	PeerSerial uint32 `json:"peer_serial"`
	PeerHash   string `json:"peer_hash"`
}

// ClusterMember is one node of the cluster: alive, suspect, dead or
// left, since when, and when this node last heard its gossip.
type ClusterMember struct {
	Name        string    `json:"name"`
	Addr        string    `json:"addr"`
	State       string    `json:"state"`
	Since       time.Time `json:"since"`
	LastContact time.Time `json:"last_contact,omitzero"`
	Self        bool      `json:"self,omitempty"`
}

// ClusterTarget is one target's effective status with the votes behind
// it and every node's verdict (this node's included; those of dead
// members or older than the staleness limit do not count).
type ClusterTarget struct {
	Target    health.Target    `json:"target"`
	Effective health.Status    `json:"effective"`
	Local     health.Status    `json:"local"`
	Up        int              `json:"up_votes"`
	Down      int              `json:"down_votes"`
	Verdicts  []health.Verdict `json:"verdicts"` // sorted by node
}
