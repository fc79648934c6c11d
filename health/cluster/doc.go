// Package cluster makes several gslb nodes share what they know about
// health and overrides, over gossip. Membership, failure detection,
// encryption and the transport are hashicorp/memberlist's (SWIM, as in
// Consul and Nomad); this package decides what is gossiped and what the
// node makes of it.
//
// # What is shared
//
// Each node's own verdicts: per target, its status (up or down), since
// when and a version that only grows (also across restarts: it starts
// from the clock). A change is broadcast at once; all verdicts are
// broadcast again every Config.Refresh, so that a peer can tell a silent
// node's verdicts from fresh ones (Config.Staleness). A peer verdict
// counts only while its node is alive or suspect in memberlist and was
// heard within the staleness limit; PeerVerdicts, Live and Merge give the
// quorum merge (health.MergeQuorum) what it needs.
//
// The overrides, as a health.OverrideLog: sets and clears stamped by
// (time, node), the last writer winning. A change is broadcast at once and
// re-broadcast by every node that learns it, and the whole log travels
// with memberlist's push/pull state sync, so a node that was down when a
// drain was set or cleared learns it when it joins again.
//
// # Start and joins
//
// New binds the gossip address (port 0 picks a free one, for tests) and
// starts answering peers. Run joins Config.Peers and, while no peer is
// alive, tries again every Config.JoinRetry, so a node starts and serves
// with no peer reachable. Every Config.JoinRetry it also joins again the
// members that failed within Reconnect: memberlist does not, and without
// it two sides of a healed partition would stay apart. Node names are
// unique: a node whose join meets a live member of its name at another
// address fails with ErrNameConflict.
//
// A Partition (Config.Partition) cuts a node off from every peer and
// heals the cut, without touching the network: the tests drill
// partitions with it.
//
// # Encryption
//
// With Config.Key (16, 24 or 32 bytes), every packet and stream is
// encrypted with AES-GCM by memberlist and a peer with another key is
// not heard. Without a key gossip is in clear text: the configuration
// allows that only on loopback addresses. Packets carry the label
// "gslb", so the gossip of another memberlist application on the same
// port is rejected too.
package cluster
