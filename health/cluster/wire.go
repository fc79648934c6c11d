package cluster

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/gslb/gslb/health"
)

// wireVersion is the first byte of every message and state this package
// sends; a message of another version is dropped.
const wireVersion = 1

// maxBroadcast is the largest message queued for gossip: memberlist sends
// broadcasts in UDP packets of about 1400 bytes. Larger messages (an
// override with a long reason, a full set of verdicts) travel with
// push/pull state syncs instead, or are split (verdicts).
const maxBroadcast = 1000

// message is what a node sends: some of its own verdicts and some
// overrides in a broadcast, or all of its verdicts and the whole override
// log in its push/pull state.
type message struct {
	Node      string                 `json:"node"`
	Verdicts  []wireVerdict          `json:"verdicts,omitempty"`
	Overrides []health.OverrideEntry `json:"overrides,omitempty"`
	Leaving   bool                   `json:"leaving,omitempty"` // the node is leaving in order
	Zones     []ZoneInfo             `json:"zones,omitempty"`
	HasZones  bool                   `json:"has_zones,omitempty"` // Zones is the node's full list (maybe empty)
}

// wireVerdict is one verdict of the sending node. Status Unknown
// withdraws the node's verdict about the target.
type wireVerdict struct {
	Target  health.Target `json:"target"`
	Status  health.Status `json:"status"`
	Since   time.Time     `json:"since,omitzero"`
	Version uint64        `json:"version"`
}

// errWire is returned for a message this package cannot read.
var errWire = errors.New("unreadable gossip message")

// encode returns the wire form of m.
func encode(m message) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic("cluster: encode message: " + err.Error()) // only plain types: cannot fail
	}
	return append([]byte{wireVersion}, b...)
}

// decode reads a message in wire form.
func decode(b []byte) (message, error) {
	var m message
	if len(b) == 0 || b[0] != wireVersion {
		return m, errWire
	}
	if err := json.Unmarshal(b[1:], &m); err != nil || m.Node == "" {
		return m, errWire
	}
	return m, nil
}

// broadcast is one message in the transmit queue. Its name makes a newer
// message about the same thing replace an older one not yet sent.
type broadcast struct {
	name string
	msg  []byte
}

func (b *broadcast) Name() string    { return b.name }
func (b *broadcast) Message() []byte { return b.msg }
func (b *broadcast) Finished()       {}

var _ memberlist.NamedBroadcast = (*broadcast)(nil)

// Invalidates reports whether b replaces o: a broadcast of the same name.
func (b *broadcast) Invalidates(o memberlist.Broadcast) bool {
	nb, ok := o.(memberlist.NamedBroadcast)
	return ok && nb.Name() == b.name
}
