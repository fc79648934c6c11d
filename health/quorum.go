package health

import (
	"fmt"
	"strconv"
	"time"
)

// This file holds the quorum merge: how the verdicts of several gslb nodes
// about one target become the status this node publishes. It is pure: the
// cluster package gathers the verdicts and the live members, the monitor
// passes in its own view and the time.

// Quorum is the rule that turns the verdicts of the live nodes about a
// target into its effective status (the [cluster] key health_quorum).
type Quorum uint8

const (
	// QuorumMajority (the zero value and the default) takes a target down
	// when more than half of the live nodes that have a verdict see it
	// down. A tie is up.
	QuorumMajority Quorum = iota
	// QuorumAny takes a target down when any live node sees it down.
	QuorumAny
	// QuorumAll takes a target down only when every live node that has a
	// verdict sees it down.
	QuorumAll
)

// String returns "majority", "any" or "all" ("invalid" for other values).
func (q Quorum) String() string {
	switch q {
	case QuorumMajority:
		return "majority"
	case QuorumAny:
		return "any"
	case QuorumAll:
		return "all"
	}
	return "invalid"
}

// MarshalText encodes the quorum as its String.
func (q Quorum) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalText decodes "majority", "any" or "all".
func (q *Quorum) UnmarshalText(b []byte) error {
	v, err := ParseQuorum(string(b))
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// ParseQuorum returns the Quorum named "majority", "any" or "all".
func ParseQuorum(name string) (Quorum, error) {
	switch name {
	case "majority":
		return QuorumMajority, nil
	case "any":
		return QuorumAny, nil
	case "all":
		return QuorumAll, nil
	}
	return QuorumMajority, fmt.Errorf("parse quorum %q: %w", name, ErrInvalidQuorum)
}

// Decide returns the status that up and down votes give under q: Unknown
// without a vote, otherwise Down or Up.
func (q Quorum) Decide(up, down int) Status {
	n := up + down
	if n == 0 {
		return Unknown
	}
	var isDown bool
	switch q {
	case QuorumAny:
		isDown = down > 0
	case QuorumAll:
		isDown = down == n
	default:
		isDown = 2*down > n
	}
	if isDown {
		return Down
	}
	return Up
}

// Verdict is what one node says about one target: its status (Up or Down;
// Unknown is no verdict), since when on that node's clock, a version that
// the node increases with every verdict it sends, and when this node last
// heard it, on this node's own clock (so that staleness does not depend on
// the peers' clocks).
type Verdict struct {
	Node    string    `json:"node"`
	Status  Status    `json:"status"`
	Since   time.Time `json:"since,omitzero"`
	Version uint64    `json:"version"`
	Heard   time.Time `json:"heard,omitzero"`
}

// QuorumInput is what the quorum merge decides from.
type QuorumInput struct {
	// Quorum is the rule; the zero value is QuorumMajority.
	Quorum Quorum
	// Self is this node's own view of every target it probes (from its
	// state machines). Its keys are the targets decided: peers' verdicts
	// about other targets are ignored. An Unknown status is no verdict.
	Self map[Target]Detail
	// Peers holds the other nodes' verdicts, at most one per node and
	// target. Verdicts of this node's own name are ignored.
	Peers map[Target][]Verdict
	// SelfName is this node's name in the cluster.
	SelfName string
	// Live is the set of peers that membership sees alive now (this node
	// may be in it or not). A verdict of a node not in it is ignored.
	Live map[string]bool
	// Staleness is how long ago a peer verdict may have been heard to
	// count; 0 means forever.
	Staleness time.Duration
	// Now is the time the merge is made at.
	Now time.Time
	// Previous is the last effective view, or nil. A target whose
	// effective status did not change keeps its Since and BackSince from
	// it; one that changed gets Now.
	Previous map[Target]Detail
}

// Merged is the effective view of one target and the votes behind it.
type Merged struct {
	Detail
	Up, Down  int  // votes counted, this node's included
	Overruled bool // the effective status differs from this node's own verdict
	Alone     bool // no live peer: this node's view decided alone
}

// MergeQuorum returns the effective view of every target of in.Self.
//
// The votes about a target are this node's own verdict (when it has one)
// and the verdict of every live peer heard within the staleness limit.
// The quorum decides from them; without any vote the target is Unknown.
// While no peer is live, this node's view decides alone, as it does for a
// target no live peer has a fresh verdict about.
//
// When the effective status is this node's own, the Detail is its own
// (since, reason, back since), unless Previous already had that status,
// whose Since and BackSince are kept. Otherwise the reason names the
// votes, and Since is Previous's when the status did not change, or Now.
// A move from Down to Up sets BackSince, as a probed transition does.
func MergeQuorum(in QuorumInput) map[Target]Merged {
	alone := true
	for n, ok := range in.Live {
		if ok && n != in.SelfName {
			alone = false
			break
		}
	}
	out := make(map[Target]Merged, len(in.Self))
	for t, self := range in.Self {
		m := Merged{Alone: alone}
		count(&m, self.Status)
		if !alone {
			for _, v := range in.Peers[t] {
				if v.Node == in.SelfName || !in.Live[v.Node] {
					continue
				}
				if in.Staleness > 0 && in.Now.Sub(v.Heard) > in.Staleness {
					continue
				}
				count(&m, v.Status)
			}
		}
		status := in.Quorum.Decide(m.Up, m.Down)
		m.Overruled = self.Status != Unknown && status != self.Status
		m.Detail = effectiveDetail(in, t, self, status, m)
		out[t] = m
	}
	return out
}

// count adds a verdict's vote to m; Unknown is no vote.
func count(m *Merged, s Status) {
	switch s {
	case Up:
		m.Up++
	case Down:
		m.Down++
	}
}

// effectiveDetail returns the Detail of a target whose effective status is
// status. See MergeQuorum.
func effectiveDetail(in QuorumInput, t Target, self Detail, status Status, m Merged) Detail {
	prev, hadPrev := in.Previous[t]
	d := Detail{Status: status, Since: in.Now}
	if status == self.Status {
		d = self
	} else if status != Unknown {
		d.Reason = "cluster quorum " + in.Quorum.String() + ": " + strconv.Itoa(m.Down) + " of " +
			strconv.Itoa(m.Up+m.Down) + " nodes see it down"
	}
	switch {
	case hadPrev && prev.Status == status:
		d.Since, d.BackSince = prev.Since, prev.BackSince
	case hadPrev && prev.Status == Down && status == Up:
		d.Since, d.BackSince = in.Now, in.Now
	}
	if d.Status != Up {
		d.BackSince = time.Time{}
	}
	return d
}
