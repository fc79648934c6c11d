package dns

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/pick"
)

// requests returns the non-zero request counts as "proto/family/type".
func requests(st Stats) map[string]uint64 {
	out := map[string]uint64{}
	for _, r := range st.Requests {
		if r.Count > 0 {
			out[fmt.Sprintf("%s/%d/%s", r.Proto, r.Family, r.Type)] = r.Count
		}
	}
	return out
}

// TestStatsCounts answers queries of every kind through the handler and
// checks every count: requests by transport, family and type, replies by
// rcode, durations (every query timed) and geo-routed answers.
func TestStatsCounts(t *testing.T) {
	h := newTestHandler(t, fakeRouter{})
	h.timeMask = 0
	out := make([]byte, maxTCPSize+1)
	v4, v6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	mapped := netip.MustParseAddr("::ffff:192.0.2.1")
	iad, cname := netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("192.0.2.97")
	ask := func(n int, name string, qtype uint16, src netip.Addr, tcp bool) {
		t.Helper()
		for range n {
			if h.respond(out, query(t, name, qtype, edns(1232, false)), src, tcp) == nil {
				t.Fatalf("no reply to %s %d", name, qtype)
			}
		}
	}
	ask(3, "geo.example.com.", mdns.TypeA, v4, false)      // web/ams/first
	ask(2, "geo.example.com.", mdns.TypeA, iad, true)      // web/iad/first
	ask(1, "geo.example.com.", mdns.TypeANY, mapped, true) // two decisions: web/ams/first
	ask(1, "geo.example.com.", mdns.TypeA, cname, false)   // no member: web//first
	ask(2, "www.example.com.", mdns.TypeMX, v6, false)
	ask(1, "nope.example.com.", mdns.TypeAAAA, v6, true)
	ask(1, "www.example.com.", 65280, v4, false) // a private type: other
	if h.respond(out, []byte{1, 2, 3}, v4, false) != nil {
		t.Fatal("reply to a short packet")
	}

	st := h.stats.snapshot()
	want := map[string]uint64{
		"udp/4/A": 4, "tcp/4/A": 2, "tcp/4/ANY": 1, "udp/6/MX": 2, "tcp/6/AAAA": 1, "udp/4/other": 1,
	}
	if got := requests(st); !mapsEqual(got, want) {
		t.Errorf("requests = %v, want %v", got, want)
	}
	if n := len(st.Requests); n != 2*2*numTypes {
		t.Errorf("%d request counters, want every combination (%d)", n, 2*2*numTypes)
	}
	rcodes := map[string]uint64{}
	for _, r := range st.Responses {
		rcodes[r.Rcode] = r.Count
	}
	wantRcodes := map[string]uint64{"NOERROR": 10, "NXDOMAIN": 1, "FORMERR": 0, "SERVFAIL": 0, "NOTIMP": 0, "REFUSED": 0}
	if !mapsEqual(rcodes, wantRcodes) {
		t.Errorf("responses = %v, want %v", rcodes, wantRcodes)
	}
	if st.Dropped != 1 {
		t.Errorf("dropped = %d, want 1", st.Dropped)
	}
	for _, d := range st.Durations {
		n := map[string]uint64{"udp": 7, "tcp": 4}[d.Proto]
		if d.Count != n || d.Buckets[len(d.Buckets)-1] > n || d.Sum <= 0 || !slices.IsSorted(d.Buckets) {
			t.Errorf("durations %s = %+v, want %d queries", d.Proto, d, n)
		}
	}
	wantAnswers := []AnswerCount{
		{Pool: "web", Datacenter: "", Reason: "first", Count: 1},
		{Pool: "web", Datacenter: "ams", Reason: "first", Count: 5},
		{Pool: "web", Datacenter: "iad", Reason: "first", Count: 2},
	}
	if !slices.Equal(st.Answers, wantAnswers) {
		t.Errorf("answers = %+v, want %+v", st.Answers, wantAnswers)
	}
}

func mapsEqual[K, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestDurationSampled checks that by default about one query in
// DurationSample is timed (a random sample: 100 expected, 50 to 150 is
// more than 5 standard deviations wide).
func TestDurationSampled(t *testing.T) {
	h := newTestHandler(t, fakeRouter{})
	out := make([]byte, maxTCPSize+1)
	msg := query(t, "www.example.com.", mdns.TypeA)
	for range 100 * DurationSample {
		h.respond(out, msg, netip.MustParseAddr("192.0.2.1"), false)
	}
	st := h.stats.snapshot()
	if n := st.Durations[protoUDP].Count; n < 50 || n > 150 {
		t.Errorf("%d of %d queries timed, want about 100", n, 100*DurationSample)
	}
}

// TestAnswerCountsAcrossReloads counts decisions of two versions of one
// pool (a reload) and checks that retiring the old version keeps its
// counts, shared with the new one under the same names.
func TestAnswerCountsAcrossReloads(t *testing.T) {
	mk := func() *pick.Pool {
		return &pick.Pool{Name: "web", Members: []pick.Member{{Datacenter: pick.Datacenter{Name: "ams"}}, {Datacenter: pick.Datacenter{Name: "iad"}}}}
	}
	old, cur := mk(), mk()
	var a answerCounts
	a.count(&pick.Decision{Pool: old, Member: 1, Reason: pick.ReasonFailover})
	a.count(&pick.Decision{Pool: old, Member: 0, Reason: pick.ReasonNone}) // not counted
	a.count(&pick.Decision{Pool: old, Member: -1, Reason: pick.ReasonAllDown})
	a.retire(func(p *pick.Pool) bool { return p == cur })
	a.count(&pick.Decision{Pool: cur, Member: 1, Reason: pick.ReasonFailover})
	a.count(&pick.Decision{Pool: old, Member: 1, Reason: pick.ReasonFailover}) // a query still on the old version
	want := []AnswerCount{
		{Pool: "web", Datacenter: "", Reason: "all-down", Count: 1},
		{Pool: "web", Datacenter: "iad", Reason: "failover", Count: 3},
	}
	if got := a.snapshot(); !slices.Equal(got, want) {
		t.Errorf("snapshot = %+v, want %+v", got, want)
	}
	a.retire(func(p *pick.Pool) bool { return p == cur })
	n := 0
	a.pools.Range(func(k, _ any) bool { n++; return true })
	for i := range a.cache {
		if pa := a.cache[i].Load(); pa != nil && pa.pool != cur {
			n += 10
		}
	}
	if n != 1 {
		t.Errorf("%d pools tracked after retiring the old one, want 1", n)
	}
}

// TestTypeIndex checks that every counted type has its own index and
// every other type counts as other.
func TestTypeIndex(t *testing.T) {
	seen := map[int]bool{}
	for _, typ := range countedTypes {
		i := typeIndex(typ)
		if seen[i] || i >= numTypes-1 || typeName(i) != mdns.TypeToString[typ] {
			t.Errorf("typeIndex(%d) = %d (%s)", typ, i, typeName(i))
		}
		seen[i] = true
	}
	for _, typ := range []uint16{0, mdns.TypeNULL, mdns.TypeLOC, 65280, 65535} {
		if i := typeIndex(typ); typeName(i) != "other" {
			t.Errorf("typeIndex(%d) = %s, want other", typ, typeName(i))
		}
	}
}

// BenchmarkAnswerCount counts one geo-routed decision, as every
// geo-routed query does.
func BenchmarkAnswerCount(b *testing.B) {
	var a answerCounts
	p := &pick.Pool{Name: "web", Members: []pick.Member{{Datacenter: pick.Datacenter{Name: "ams"}}}}
	d := &pick.Decision{Pool: p, Member: 0, Reason: pick.ReasonFirst}
	for b.Loop() {
		a.count(d)
	}
}
