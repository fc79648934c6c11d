package cluster

import (
	"cmp"
	"maps"
	"slices"
)

// ZoneInfo identifies the version of a zone a node serves: its origin,
// SOA serial and a hash of its content. Nodes compare them: the same zone
// served differently (files copied without their mtime, a node not
// reloaded) is a common mistake.
type ZoneInfo struct {
	Origin string `json:"origin"`
	Serial uint32 `json:"serial"`
	Hash   string `json:"hash"`
}

// ZoneDiff is a zone that a live peer serves in another version than
// this node.
type ZoneDiff struct {
	Origin string   `json:"origin"`
	Node   string   `json:"node"`
	Local  ZoneInfo `json:"local"`
	Peer   ZoneInfo `json:"peer"`
}

// SetZones sets the zones this node serves (after every load) and
// broadcasts them. Differences from the peers' are logged at warning
// level once each.
func (c *Cluster) SetZones(zs []ZoneInfo) {
	zs = slices.Clone(zs)
	slices.SortFunc(zs, func(a, b ZoneInfo) int { return cmp.Compare(a.Origin, b.Origin) })
	c.mu.Lock()
	c.zones = zs
	diffs := c.newZoneDiffsLocked()
	c.mu.Unlock()
	c.warnZones(diffs)
	c.queueZones()
}

// queueZones queues a broadcast of this node's zones, unless they are too
// many for a packet: then they travel with push/pull state syncs only.
func (c *Cluster) queueZones() {
	c.mu.Lock()
	msg := encode(message{Node: c.cfg.Node, Zones: c.zones, HasZones: true})
	c.mu.Unlock()
	if len(msg) <= maxBroadcast {
		c.queue.QueueBroadcast(&broadcast{name: "zones", msg: msg})
	}
}

// ZoneDifferences returns the zones that live peers serve in another
// version than this node, sorted by origin and node. A zone that only
// one side serves is not a difference.
func (c *Cluster) ZoneDifferences() []ZoneDiff {
	live := c.live()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []ZoneDiff
	for _, d := range c.zoneDiffsLocked() {
		if live[d.Node] {
			out = append(out, d)
		}
	}
	return out
}

// zoneDiffsLocked compares this node's zones with every peer's. Callers
// hold mu.
func (c *Cluster) zoneDiffsLocked() []ZoneDiff {
	mine := make(map[string]ZoneInfo, len(c.zones))
	for _, z := range c.zones {
		mine[z.Origin] = z
	}
	var out []ZoneDiff
	for _, node := range slices.Sorted(maps.Keys(c.peerZones)) {
		for _, z := range c.peerZones[node] {
			if l, ok := mine[z.Origin]; ok && (l.Serial != z.Serial || l.Hash != z.Hash) {
				out = append(out, ZoneDiff{Origin: z.Origin, Node: node, Local: l, Peer: z})
			}
		}
	}
	slices.SortFunc(out, func(a, b ZoneDiff) int {
		return cmp.Or(cmp.Compare(a.Origin, b.Origin), cmp.Compare(a.Node, b.Node))
	})
	return out
}

// newZoneDiffsLocked returns the differences not warned about yet and
// marks them warned. Callers hold mu.
func (c *Cluster) newZoneDiffsLocked() []ZoneDiff {
	var out []ZoneDiff
	for _, d := range c.zoneDiffsLocked() {
		if !c.zoneWarned[d] {
			c.zoneWarned[d] = true
			out = append(out, d)
		}
	}
	return out
}

// warnZones logs differences of zones.
func (c *Cluster) warnZones(diffs []ZoneDiff) {
	for _, d := range diffs {
		c.log.Warn("a peer serves another version of a zone: copy zone files with their mtime (rsync -t, git, config management) and reload",
			"zone", d.Origin, "peer", d.Node, "serial", d.Local.Serial, "peer_serial", d.Peer.Serial,
			"hash", d.Local.Hash, "peer_hash", d.Peer.Hash)
	}
}
