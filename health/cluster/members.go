package cluster

import (
	"slices"
	"strings"
	"time"
)

// State is a member's state as this node sees it.
type State string

// Member states.
const (
	StateAlive State = "alive" // a member, heard recently
	// StateSuspect is a member that memberlist still counts (its verdicts
	// count) but whose gossip this node has not heard for three
	// Config.Refresh intervals: about to be declared dead, or cut off
	// from this node only. (memberlist does not expose its own suspicion.)
	StateSuspect State = "suspect"
	StateDead    State = "dead" // declared failed; its verdicts no longer count
	StateLeft    State = "left" // left the cluster in order
)

// Member is what this node knows of one node of the cluster, itself
// included.
type Member struct {
	Name        string    `json:"name"`
	Addr        string    `json:"addr"`
	State       State     `json:"state"`
	Since       time.Time `json:"since"`                 // when this node saw it enter State
	LastContact time.Time `json:"last_contact,omitzero"` // when this node last heard gossip from it
	Self        bool      `json:"self,omitempty"`
}

// member is the record behind a Member.
type member struct {
	name, addr  string
	state       State
	since       time.Time
	lastContact time.Time
	self        bool
	leaving     bool // said goodbye: its leave is not a failure
}

// setLocked moves m to state at now. Callers hold mu.
func (m *member) setLocked(state State, now time.Time) bool {
	if m.state == state {
		return false
	}
	m.state, m.since = state, now
	return true
}

// Members returns every node this node has seen since it started, sorted
// by name, with its state: alive or suspect (from memberlist), dead or
// left.
func (c *Cluster) Members() []Member {
	nodes := c.ml.Members()
	now := c.cfg.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range nodes {
		m := c.memberLocked(n.Name, hostPort(n), now)
		if m.self {
			continue
		}
		state := StateAlive
		if silent := 3 * c.cfg.Refresh; now.Sub(m.lastContact) > silent && now.Sub(m.since) > silent {
			state = StateSuspect
		}
		m.setLocked(state, now)
	}
	out := make([]Member, 0, len(c.members))
	for _, m := range c.members {
		out = append(out, Member{Name: m.name, Addr: m.addr, State: m.state, Since: m.since, LastContact: m.lastContact, Self: m.self})
	}
	slices.SortFunc(out, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// memberLocked returns the record of a node, created when new. Callers
// hold mu.
func (c *Cluster) memberLocked(name, addr string, now time.Time) *member {
	m, ok := c.members[name]
	if !ok {
		m = &member{name: name, since: now} // no state yet: the caller sets it
		c.members[name] = m
	}
	if addr != "" && !m.self {
		m.addr = addr
	}
	return m
}
