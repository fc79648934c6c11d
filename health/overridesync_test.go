package health

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

// randomLog returns a log of up to 6 entries over a few keys, nodes and
// instants, so that keys and stamps collide often.
func randomLog(r *rand.Rand) OverrideLog {
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var l OverrideLog
	for range r.IntN(7) {
		o := Override{Action: Action(1 + r.IntN(3)), Reason: []string{"", "maint", "test"}[r.IntN(3)]}
		switch r.IntN(3) {
		case 0:
			o.Datacenter = []string{"ams", "fra"}[r.IntN(2)]
		case 1:
			o.Pool, o.Datacenter = "web", "ams"
		default:
			o.Addr = netip.AddrFrom4([4]byte{192, 0, 2, byte(r.IntN(2))})
		}
		if r.IntN(2) == 0 {
			o.Until = base.Add(time.Duration(r.IntN(3)) * time.Hour)
		}
		e := OverrideEntry{
			Override: o, Cleared: r.IntN(3) == 0,
			At:   base.Add(time.Duration(r.IntN(3)) * time.Minute),
			Node: []string{"ns1", "ns2", "ns3"}[r.IntN(3)],
		}
		l.Apply(e)
	}
	return l
}

// merged returns a fresh log of a merged with each of the others in turn.
func merged(a OverrideLog, others ...OverrideLog) OverrideLog {
	c := a.Clone()
	for _, o := range others {
		c.Merge(o)
	}
	if c == nil {
		c = OverrideLog{}
	}
	return c
}

func TestOverrideLogMergeProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		a, b, c := randomLog(r), randomLog(r), randomLog(r)
		if ab, ba := merged(a, b), merged(b, a); !reflect.DeepEqual(ab, ba) {
			t.Fatalf("#%d: not commutative:\na∪b = %v\nb∪a = %v", i, ab, ba)
		}
		if left, right := merged(merged(a, b), c), merged(a, merged(b, c)); !reflect.DeepEqual(left, right) {
			t.Fatalf("#%d: not associative:\n(a∪b)∪c = %v\na∪(b∪c) = %v", i, left, right)
		}
		if aa := merged(a, a); !reflect.DeepEqual(aa, merged(a)) {
			t.Fatalf("#%d: not idempotent: a∪a = %v, a = %v", i, aa, a)
		}
		if ab := merged(a, b); len(ab.Merge(b)) != 0 {
			t.Fatalf("#%d: merging b again changed a∪b", i)
		}
	}
}

func TestOverrideLogLastWriterWins(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	drain := Override{Datacenter: "fra", Action: Drain}
	set := OverrideEntry{Override: drain, At: t0, Node: "ns1"}
	clear := OverrideEntry{Override: drain, Cleared: true, At: t0.Add(time.Second), Node: "ns2"}
	reset := OverrideEntry{Override: Override{Datacenter: "fra", Action: ForceDown}, At: t0.Add(time.Second), Node: "ns3"}

	var l OverrideLog
	if !l.Apply(set) || len(l.Active(t0)) != 1 {
		t.Fatalf("Apply(set): active = %v", l.Active(t0))
	}
	if !l.Apply(clear) || len(l.Active(t0)) != 0 {
		t.Fatalf("Apply(clear): active = %v, want none", l.Active(t0))
	}
	if l.Apply(set) {
		t.Error("an older set won over a newer clear")
	}
	// Same instant: the greater node name wins.
	if !l.Apply(reset) {
		t.Fatal("ns3's write of the same instant lost to ns2's")
	}
	if got := l.Active(t0); len(got) != 1 || got[0].Action != ForceDown {
		t.Errorf("active = %v, want the force-down", got)
	}
	if l.Apply(clear) {
		t.Error("ns2's clear won over ns3's set of the same instant")
	}
}

func TestOverrideLogPrune(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	until := t0.Add(time.Hour)
	l := OverrideLog{}
	l.Apply(OverrideEntry{Override: Override{Datacenter: "ams", Action: Drain, Until: until}, Cleared: true, At: t0, Node: "ns1"})
	l.Apply(OverrideEntry{Override: Override{Datacenter: "fra", Action: Drain}, Cleared: true, At: t0, Node: "ns1"})
	l.Apply(OverrideEntry{Override: Override{Datacenter: "sin", Action: Drain}, At: t0, Node: "ns1"})
	l.Apply(OverrideEntry{Override: Override{Datacenter: "iad", Action: Drain, Until: until}, At: t0, Node: "ns1"})

	if gone := l.Prune(until.Add(-time.Second), DefaultTombstoneRetention); len(gone) != 0 {
		t.Errorf("Prune before any expiry removed %v", gone)
	}
	gone := l.Prune(until, DefaultTombstoneRetention)
	if len(gone) != 2 || gone[0].Override.Datacenter != "ams" || gone[1].Override.Datacenter != "iad" {
		t.Errorf("Prune at Until removed %v, want ams's tombstone and iad's lapsed drain", gone)
	}
	gone = l.Prune(t0.Add(DefaultTombstoneRetention), DefaultTombstoneRetention)
	if len(gone) != 1 || gone[0].Override.Datacenter != "fra" {
		t.Errorf("Prune after retention removed %v, want fra's tombstone", gone)
	}
	if len(l) != 1 || len(l.Active(t0.Add(365*24*time.Hour))) != 1 {
		t.Errorf("left %v, want sin's drain without end", l)
	}
}
