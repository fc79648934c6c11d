package health

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestQuorumDecide(t *testing.T) {
	tests := []struct {
		q        Quorum
		up, down int
		want     Status
	}{
		{QuorumMajority, 0, 0, Unknown},
		{QuorumMajority, 1, 0, Up},
		{QuorumMajority, 0, 1, Down},
		{QuorumMajority, 2, 1, Up},
		{QuorumMajority, 1, 2, Down},
		{QuorumMajority, 1, 1, Up}, // a tie is up
		{QuorumMajority, 2, 2, Up},
		{QuorumMajority, 2, 3, Down},
		{QuorumAny, 0, 0, Unknown},
		{QuorumAny, 5, 1, Down},
		{QuorumAny, 5, 0, Up},
		{QuorumAll, 0, 0, Unknown},
		{QuorumAll, 1, 2, Up},
		{QuorumAll, 0, 3, Down},
	}
	for _, tt := range tests {
		if got := tt.q.Decide(tt.up, tt.down); got != tt.want {
			t.Errorf("%s.Decide(%d up, %d down) = %s, want %s", tt.q, tt.up, tt.down, got, tt.want)
		}
	}
}

func TestParseQuorum(t *testing.T) {
	for _, q := range []Quorum{QuorumMajority, QuorumAny, QuorumAll} {
		var got Quorum
		if err := got.UnmarshalText([]byte(q.String())); err != nil || got != q {
			t.Errorf("UnmarshalText(%q) = %v, %v, want %v", q, got, err, q)
		}
	}
	if _, err := ParseQuorum("most"); !errors.Is(err, ErrInvalidQuorum) {
		t.Errorf("ParseQuorum(most) error = %v, want ErrInvalidQuorum", err)
	}
}

func TestMergeQuorum(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	earlier := now.Add(-time.Hour)
	tg := Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.10")}
	up := Detail{Status: Up, Since: earlier, Reason: "2 consecutive successes"}
	down := Detail{Status: Down, Since: earlier, Reason: "3 consecutive failures: refused"}
	v := func(node string, s Status) Verdict {
		return Verdict{Node: node, Status: s, Since: earlier, Version: 1, Heard: now.Add(-time.Second)}
	}
	live := func(names ...string) map[string]bool {
		m := map[string]bool{"ns1": true}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	tests := []struct {
		name          string
		quorum        Quorum
		self          Detail
		peers         []Verdict
		live          map[string]bool
		want          Status
		up, down      int
		overruled     bool
		alone         bool
		reasonContain string
	}{
		{name: "one node up", self: up, live: live(), want: Up, up: 1, alone: true},
		{name: "one node down", self: down, live: live(), want: Down, down: 1, alone: true},
		{name: "one node, no live set", self: down, live: nil, want: Down, down: 1, alone: true},
		{name: "one node undecided", self: Detail{}, live: live(), want: Unknown, alone: true},
		{
			name: "no live peer: own view even with peer verdicts", self: down,
			peers: []Verdict{v("ns2", Up), v("ns3", Up)}, live: live(),
			want: Down, down: 1, alone: true,
		},
		{
			name: "one of three down stays up", self: down,
			peers: []Verdict{v("ns2", Up), v("ns3", Up)}, live: live("ns2", "ns3"),
			want: Up, up: 2, down: 1, overruled: true, reasonContain: "1 of 3 nodes see it down",
		},
		{
			name: "two of three down is down, also where it is up", self: up,
			peers: []Verdict{v("ns2", Down), v("ns3", Down)}, live: live("ns2", "ns3"),
			want: Down, up: 1, down: 2, overruled: true, reasonContain: "majority: 2 of 3",
		},
		{
			name: "tie of two is up", self: down,
			peers: []Verdict{v("ns2", Up)}, live: live("ns2"),
			want: Up, up: 1, down: 1, overruled: true,
		},
		{
			name: "tie of four is up", self: down,
			peers: []Verdict{v("ns2", Down), v("ns3", Up), v("ns4", Up)}, live: live("ns2", "ns3", "ns4"),
			want: Up, up: 2, down: 2, overruled: true,
		},
		{
			name: "dead peer ignored", self: up,
			peers: []Verdict{v("ns2", Down), v("ns3", Down)}, live: live("ns2"),
			want: Up, up: 1, down: 1,
		},
		{
			name: "peer marked not live ignored", self: up,
			peers: []Verdict{v("ns2", Down), v("ns3", Down)}, live: map[string]bool{"ns2": true, "ns3": false},
			want: Up, up: 1, down: 1,
		},
		{
			name: "stale verdict ignored", self: up,
			peers: []Verdict{v("ns2", Down), {Node: "ns3", Status: Down, Heard: now.Add(-time.Minute)}},
			live:  live("ns2", "ns3"), want: Up, up: 1, down: 1,
		},
		{
			name: "own name among peers ignored", self: up,
			peers: []Verdict{v("ns1", Down), v("ns2", Down)}, live: live("ns2"),
			want: Up, up: 1, down: 1,
		},
		{
			name: "undecided here, peers decide", self: Detail{},
			peers: []Verdict{v("ns2", Down), v("ns3", Down)}, live: live("ns2", "ns3"),
			want: Down, down: 2,
		},
		{
			name: "unknown peer verdict is no vote", self: down,
			peers: []Verdict{v("ns2", Unknown)}, live: live("ns2"),
			want: Down, down: 1,
		},
		{
			name: "any: one down is down", quorum: QuorumAny, self: up,
			peers: []Verdict{v("ns2", Up), v("ns3", Down)}, live: live("ns2", "ns3"),
			want: Down, up: 2, down: 1, overruled: true, reasonContain: "cluster quorum any",
		},
		{
			name: "all: two of three down is up", quorum: QuorumAll, self: down,
			peers: []Verdict{v("ns2", Up), v("ns3", Down)}, live: live("ns2", "ns3"),
			want: Up, up: 1, down: 2, overruled: true,
		},
		{
			name: "all: every node down", quorum: QuorumAll, self: down,
			peers: []Verdict{v("ns2", Down), v("ns3", Down)}, live: live("ns2", "ns3"),
			want: Down, down: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := QuorumInput{
				Quorum: tt.quorum, SelfName: "ns1",
				Self:  map[Target]Detail{tg: tt.self},
				Peers: map[Target][]Verdict{tg: tt.peers},
				Live:  tt.live, Staleness: 30 * time.Second, Now: now,
			}
			got := MergeQuorum(in)
			m, ok := got[tg]
			if !ok || len(got) != 1 {
				t.Fatalf("MergeQuorum = %v, want one target", got)
			}
			if m.Status != tt.want || m.Up != tt.up || m.Down != tt.down || m.Overruled != tt.overruled || m.Alone != tt.alone {
				t.Errorf("MergeQuorum = %s (up %d, down %d, overruled %v, alone %v), want %s (up %d, down %d, overruled %v, alone %v)",
					m.Status, m.Up, m.Down, m.Overruled, m.Alone, tt.want, tt.up, tt.down, tt.overruled, tt.alone)
			}
			if !strings.Contains(m.Reason, tt.reasonContain) {
				t.Errorf("reason %q does not contain %q", m.Reason, tt.reasonContain)
			}
			if m.Status == tt.self.Status && (m.Reason != tt.self.Reason || !m.Since.Equal(tt.self.Since)) {
				t.Errorf("agreeing view %+v does not keep this node's detail %+v", m.Detail, tt.self)
			}
		})
	}
}

func TestMergeQuorumIgnoresUnknownTargets(t *testing.T) {
	a := Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.10")}
	b := Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.11")}
	got := MergeQuorum(QuorumInput{
		SelfName: "ns1", Self: map[Target]Detail{a: {Status: Up}},
		Peers: map[Target][]Verdict{b: {{Node: "ns2", Status: Down}}},
		Live:  map[string]bool{"ns2": true},
	})
	if _, ok := got[b]; ok || len(got) != 1 {
		t.Errorf("MergeQuorum = %v, want only %v", got, a)
	}
}

func TestMergeQuorumSince(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tg := Target{Check: "web", Addr: netip.MustParseAddr("192.0.2.10")}
	selfUp := Detail{Status: Up, Since: t0.Add(-time.Hour), BackSince: t0.Add(-time.Hour)}
	live := map[string]bool{"ns2": true, "ns3": true}
	merge := func(now time.Time, peers Status, prev map[Target]Detail) Detail {
		in := QuorumInput{
			SelfName: "ns1", Self: map[Target]Detail{tg: selfUp}, Live: live, Now: now, Previous: prev,
			Peers: map[Target][]Verdict{tg: {{Node: "ns2", Status: peers, Heard: now}, {Node: "ns3", Status: peers, Heard: now}}},
		}
		return MergeQuorum(in)[tg].Detail
	}
	// No previous view, agreeing: this node's own detail.
	d := merge(t0, Up, nil)
	if !d.Since.Equal(selfUp.Since) || !d.BackSince.Equal(selfUp.BackSince) {
		t.Errorf("first agreeing merge = %+v, want own detail %+v", d, selfUp)
	}
	// Peers take it down at t1: down since t1, no BackSince.
	t1 := t0.Add(time.Minute)
	d = merge(t1, Down, map[Target]Detail{tg: d})
	if d.Status != Down || !d.Since.Equal(t1) || !d.BackSince.IsZero() {
		t.Errorf("overruled down = %+v, want down since %v", d, t1)
	}
	// Still down at t2: since is kept.
	t2 := t1.Add(time.Minute)
	d = merge(t2, Down, map[Target]Detail{tg: d})
	if d.Status != Down || !d.Since.Equal(t1) {
		t.Errorf("still down = %+v, want since %v", d, t1)
	}
	// Peers see it up again at t3: up since t3, back since t3 (a ramp starts).
	t3 := t2.Add(time.Minute)
	d = merge(t3, Up, map[Target]Detail{tg: d})
	if d.Status != Up || !d.Since.Equal(t3) || !d.BackSince.Equal(t3) {
		t.Errorf("back up = %+v, want up and back since %v", d, t3)
	}
	// Later, unchanged: both kept.
	d = merge(t3.Add(time.Hour), Up, map[Target]Detail{tg: d})
	if !d.Since.Equal(t3) || !d.BackSince.Equal(t3) {
		t.Errorf("still up = %+v, want since and back since %v", d, t3)
	}
}
