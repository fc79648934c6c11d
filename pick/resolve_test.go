package pick

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/health"
)

var (
	t0     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	before = t0.Add(-time.Minute)
	after  = t0.Add(time.Minute)
)

// outcome is a Decision in words, for comparisons and messages.
type outcome struct {
	Outcome  Outcome
	DC       string // "" when Member is -1
	Addrs    string // space separated
	CNAME    string
	Degraded bool
	AllDown  bool
}

func (o outcome) String() string {
	s := o.Outcome.String()
	if o.DC != "" {
		s += " " + o.DC
	}
	if o.Addrs != "" {
		s += " [" + o.Addrs + "]"
	}
	if o.CNAME != "" {
		s += " " + o.CNAME
	}
	if o.Degraded {
		s += " degraded"
	}
	if o.AllDown {
		s += " all-down"
	}
	return s
}

func summarize(p *Pool, res Decision) outcome {
	o := outcome{Outcome: res.Outcome, CNAME: res.CNAME, Degraded: res.Degraded(), AllDown: res.AllDown()}
	if res.Member >= 0 {
		o.DC = p.Members[res.Member].Datacenter.Name
	}
	var s []string
	for _, a := range res.Addrs {
		s = append(s, a.String())
	}
	o.Addrs = strings.Join(s, " ")
	return o
}

// status builds a snapshot of check "web" from "addr=up|down" pairs and
// overrides.
func status(pairs string, ov ...health.Override) *health.Snapshot {
	targets := map[health.Target]health.Status{}
	for _, f := range strings.Fields(pairs) {
		a, st, _ := strings.Cut(f, "=")
		s := health.Up
		if st == "down" {
			s = health.Down
		}
		targets[health.Target{Check: "web", Addr: netip.MustParseAddr(a)}] = s
	}
	return health.NewSnapshot(targets, ov)
}

func dcOverride(dc string, act health.Action, until time.Time) health.Override {
	return health.Override{Datacenter: dc, Action: act, Until: until, Reason: "maintenance"}
}

func addrOverride(a string, act health.Action, until time.Time) health.Override {
	return health.Override{Addr: netip.MustParseAddr(a), Action: act, Until: until}
}

func TestResolve(t *testing.T) {
	web := webPool

	withCNAME := func() *Pool {
		p := webPool()
		p.Members[2] = Member{Datacenter: sin, CNAME: "sin.cdn.example.net."}
		return p
	}
	withPolicy := func(a AllDown, target string) func() *Pool {
		return func() *Pool {
			p := webPool()
			p.WhenAllDown, p.AllDownCNAME = a, target
			return p
		}
	}
	allDown := status("192.0.2.10=down 192.0.2.11=down 198.51.100.10=down 203.0.113.10=down 203.0.113.11=down " +
		"2001:db8:10::10=down 2001:db8:20::10=down")
	four := func(maxAnswers int) func() *Pool {
		return func() *Pool {
			return &Pool{Name: "web", Check: "web", MaxAnswers: maxAnswers, UpFraction: 0.5, Members: []Member{
				{Datacenter: ams, V4: addrs("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4")},
			}}
		}
	}
	fraction := func(f float64) func() *Pool {
		return func() *Pool {
			p := webPool()
			p.UpFraction = f
			p.Members[0].V4 = addrs("192.0.2.10", "192.0.2.11", "192.0.2.12")
			return p
		}
	}
	noCheck := func() *Pool {
		p := webPool()
		p.Check = ""
		return p
	}

	tests := []struct {
		name string
		pool func() *Pool
		loc  geo.Location
		fam  Family
		snap *health.Snapshot
		now  time.Time
		rnd  uint32
		want outcome
	}{
		// Nearest and failover.
		{name: "nearest, nothing known", pool: web, loc: frankfurt,
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11"}},
		{name: "nearest, all up", pool: web, loc: singapore, snap: status("203.0.113.10=up 203.0.113.11=up"),
			want: outcome{Outcome: Addresses, DC: "sin", Addrs: "203.0.113.10 203.0.113.11"}},
		{name: "new york gets iad", pool: web, loc: newYork,
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10"}},
		{name: "unknown location gets the first member", pool: web, loc: geo.Location{},
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11"}},
		{name: "failover when the nearest is down", pool: web, loc: frankfurt,
			snap: status("192.0.2.10=down 192.0.2.11=down"),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
		{name: "failover skips two", pool: web, loc: singapore,
			snap: status("203.0.113.10=down 203.0.113.11=down 192.0.2.10=down 192.0.2.11=down"),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},

		// up_fraction.
		{name: "exactly 50% is up", pool: web, loc: frankfurt, snap: status("192.0.2.10=down"),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.11"}},
		{name: "1/3 below 50% is down", pool: fraction(0.5), loc: frankfurt, snap: status("192.0.2.10=down 192.0.2.11=down"),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
		{name: "1/3 meets 1/3", pool: fraction(1.0 / 3), loc: frankfurt, snap: status("192.0.2.10=down 192.0.2.11=down"),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.12"}},
		{name: "2/3 below 100% is down", pool: fraction(1), loc: frankfurt, snap: status("192.0.2.10=down"),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
		{name: "fraction 0 needs one", pool: fraction(0), loc: frankfurt, snap: status("192.0.2.10=down 192.0.2.11=down 192.0.2.12=down"),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
		{name: "only up addresses are answered", pool: fraction(0.5), loc: frankfurt, snap: status("192.0.2.11=down"),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.12"}},
		{name: "unknown counts as up", pool: fraction(1), loc: frankfurt, snap: status("192.0.2.10=up"),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11"}},

		// max_answers and rotation.
		{name: "rotation 0", pool: four(2), rnd: 0, want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.1 192.0.2.2"}},
		{name: "rotation 1", pool: four(2), rnd: 1, want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.2 192.0.2.3"}},
		{name: "rotation wraps", pool: four(2), rnd: 3, want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.4 192.0.2.1"}},
		{name: "rotation mod n", pool: four(2), rnd: 7, want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.4 192.0.2.1"}},
		{name: "rotation over up addresses only", pool: four(2), rnd: 1, snap: status("192.0.2.2=down"),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.3 192.0.2.4"}},
		{name: "rotation over up addresses wraps", pool: four(2), rnd: 2, snap: status("192.0.2.2=down"),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.4 192.0.2.1"}},
		{name: "max_answers 1", pool: four(1), rnd: 2, want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.3"}},
		{name: "max_answers above the count", pool: four(9), rnd: 1,
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.1"}},
		{name: "max_answers 0 is no limit", pool: four(0), rnd: 0,
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4"}},
		{name: "max rand", pool: four(2), rnd: ^uint32(0), // 2^32-1 mod 4 = 3
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.4 192.0.2.1"}},

		// IPv6 parity.
		{name: "AAAA from the nearest", pool: web, loc: frankfurt, fam: IPv6,
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "2001:db8:10::10"}},
		{name: "AAAA skips a member without IPv6, not degraded", pool: web, loc: singapore, fam: IPv6,
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "2001:db8:10::10"}},
		{name: "A still from that member", pool: web, loc: singapore, fam: IPv4,
			want: outcome{Outcome: Addresses, DC: "sin", Addrs: "203.0.113.10 203.0.113.11"}},
		{name: "AAAA failover", pool: web, loc: frankfurt, fam: IPv6, snap: status("2001:db8:10::10=down"),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "2001:db8:20::10", Degraded: true}},
		{name: "IPv4 down does not take IPv6 down", pool: web, loc: frankfurt, fam: IPv6,
			snap: status("192.0.2.10=down 192.0.2.11=down"),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "2001:db8:10::10"}},
		{name: "no member has IPv6", pool: func() *Pool {
			p := webPool()
			for i := range p.Members {
				p.Members[i].V6 = nil
			}
			return p
		}, loc: frankfurt, fam: IPv6, want: outcome{Outcome: NoData}},
		{name: "empty pool", pool: func() *Pool { return &Pool{Name: "web"} }, want: outcome{Outcome: NoData}},

		// CNAME members.
		{name: "CNAME member nearest", pool: withCNAME, loc: singapore,
			want: outcome{Outcome: CNAME, DC: "sin", CNAME: "sin.cdn.example.net."}},
		{name: "CNAME member serves AAAA", pool: withCNAME, loc: singapore, fam: IPv6,
			want: outcome{Outcome: CNAME, DC: "sin", CNAME: "sin.cdn.example.net."}},
		{name: "CNAME member is not probed", pool: withCNAME, loc: singapore, snap: allDown,
			want: outcome{Outcome: CNAME, DC: "sin", CNAME: "sin.cdn.example.net."}},
		{name: "CNAME member drained", pool: withCNAME, loc: singapore,
			snap: status("", dcOverride("sin", health.Drain, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11", Degraded: true}},
		{name: "CNAME member as failover", pool: withCNAME, loc: frankfurt,
			snap: status("192.0.2.10=down 192.0.2.11=down 198.51.100.10=down"),
			want: outcome{Outcome: CNAME, DC: "sin", CNAME: "sin.cdn.example.net.", Degraded: true}},

		// When all are down.
		{name: "fail-open", pool: withPolicy(FailOpen, ""), loc: newYork, snap: allDown,
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true, AllDown: true}},
		{name: "fail-open answers all addresses up to max", pool: withPolicy(FailOpen, ""), loc: frankfurt, snap: allDown, rnd: 1,
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.11 192.0.2.10", Degraded: true, AllDown: true}},
		{name: "nodata", pool: withPolicy(AllDownNoData, ""), loc: frankfurt, snap: allDown,
			want: outcome{Outcome: NoData, Degraded: true, AllDown: true}},
		{name: "servfail", pool: withPolicy(AllDownServFail, ""), loc: frankfurt, snap: allDown,
			want: outcome{Outcome: ServFail, Degraded: true, AllDown: true}},
		{name: "cname", pool: withPolicy(AllDownCNAME, "fallback.example.net."), loc: frankfurt, snap: allDown,
			want: outcome{Outcome: CNAME, CNAME: "fallback.example.net.", Degraded: true, AllDown: true}},
		{name: "cname without target", pool: withPolicy(AllDownCNAME, ""), loc: frankfurt, snap: allDown,
			want: outcome{Outcome: ServFail, Degraded: true, AllDown: true}},
		{name: "AAAA all down counts only IPv6 members", pool: withPolicy(AllDownNoData, ""), loc: singapore, fam: IPv6,
			snap: status("2001:db8:10::10=down 2001:db8:20::10=down"),
			want: outcome{Outcome: NoData, Degraded: true, AllDown: true}},

		// Drains and forced states.
		{name: "drained nearest fails over", pool: web, loc: frankfurt,
			snap: status("", dcOverride("ams", health.Drain, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
		{name: "drain before its end", pool: web, loc: frankfurt, now: before,
			snap: status("", dcOverride("ams", health.Drain, t0)),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
		{name: "drain lapsed", pool: web, loc: frankfurt, now: after,
			snap: status("", dcOverride("ams", health.Drain, t0)),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11"}},
		{name: "drain of another pool", pool: web, loc: frankfurt,
			snap: status("", health.Override{Pool: "api", Datacenter: "ams", Action: health.Drain}),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11"}},
		{name: "drain of this pool", pool: web, loc: frankfurt,
			snap: status("", health.Override{Pool: "web", Datacenter: "ams", Action: health.Drain}),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
		{name: "fail-open skips drained", pool: web, loc: frankfurt,
			snap: status("192.0.2.10=down 192.0.2.11=down 198.51.100.10=down 203.0.113.10=down 203.0.113.11=down",
				dcOverride("ams", health.Drain, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true, AllDown: true}},
		{name: "fail-open when every member is drained", pool: web, loc: frankfurt,
			snap: status("", dcOverride("ams", health.Drain, time.Time{}), dcOverride("iad", health.Drain, time.Time{}),
				dcOverride("sin", health.Drain, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11", Degraded: true, AllDown: true}},
		{name: "fail-open leaves out drained addresses", pool: web, loc: frankfurt,
			snap: status("192.0.2.10=down 198.51.100.10=down 203.0.113.10=down 203.0.113.11=down",
				addrOverride("192.0.2.11", health.Drain, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10", Degraded: true, AllDown: true}},
		{name: "forced down before its end", pool: web, loc: frankfurt, now: before,
			snap: status("", dcOverride("ams", health.ForceDown, t0)),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
		{name: "forced down lapsed", pool: web, loc: frankfurt, now: after,
			snap: status("", dcOverride("ams", health.ForceDown, t0)),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11"}},
		{name: "forced down is used by fail-open", pool: web, loc: frankfurt,
			snap: status("198.51.100.10=down 203.0.113.10=down 203.0.113.11=down", dcOverride("ams", health.ForceDown, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11", Degraded: true, AllDown: true}},
		{name: "forced up beats probes", pool: web, loc: frankfurt,
			snap: status("192.0.2.10=down 192.0.2.11=down", dcOverride("ams", health.ForceUp, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11"}},
		{name: "forced up lapsed", pool: web, loc: frankfurt, now: after,
			snap: status("192.0.2.10=down 192.0.2.11=down", dcOverride("ams", health.ForceUp, t0)),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
		{name: "address forced up", pool: web, loc: frankfurt,
			snap: status("192.0.2.10=down 192.0.2.11=down", addrOverride("192.0.2.11", health.ForceUp, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.11"}},
		{name: "address override beats datacenter override", pool: web, loc: frankfurt,
			snap: status("", dcOverride("ams", health.ForceDown, time.Time{}), addrOverride("192.0.2.10", health.ForceUp, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10"}},
		{name: "address forced down", pool: web, loc: frankfurt,
			snap: status("", addrOverride("192.0.2.10", health.ForceDown, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.11"}},

		// A pool without a check.
		{name: "no check ignores probes", pool: noCheck, loc: frankfurt, snap: allDown,
			want: outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11"}},
		{name: "no check still obeys overrides", pool: noCheck, loc: frankfurt,
			snap: status("", dcOverride("ams", health.ForceDown, time.Time{})),
			want: outcome{Outcome: Addresses, DC: "iad", Addrs: "198.51.100.10", Degraded: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.pool()
			now := tt.now
			if now.IsZero() {
				now = t0
			}
			q := Query{Family: tt.fam, Health: tt.snap, Now: now, Rand: tt.rnd}
			r := Rank(tt.loc, p)
			res := Resolve(p, r, q, make([]netip.Addr, 0, 8), nil)
			if got := summarize(p, res); got != tt.want {
				t.Errorf("Resolve(%s) = %v, want %v", tt.name, got, tt.want)
			}
			// A trace never changes the decision.
			var tr Trace
			if got := Resolve(p, r, q, nil, &tr); !equalResult(got, res) {
				t.Errorf("Resolve(%s) with trace = %v, without = %v", tt.name, summarize(p, got), summarize(p, res))
			}
			if !equalResult(tr.Result, res) {
				t.Errorf("Resolve(%s): Trace.Result = %v, want %v", tt.name, summarize(p, tr.Result), summarize(p, res))
			}
			if len(tr.Members) != len(p.Members) || tr.Decision == "" {
				t.Errorf("Resolve(%s): trace has %d members and decision %q, want %d and a decision",
					tt.name, len(tr.Members), tr.Decision, len(p.Members))
			}
		})
	}
}

func equalResult(a, b Decision) bool {
	return a.Outcome == b.Outcome && a.Member == b.Member && slices.Equal(a.Addrs, b.Addrs) &&
		a.CNAME == b.CNAME && a.Reason == b.Reason && a.Pool == b.Pool
}

func TestResolveZeroRanking(t *testing.T) {
	p := webPool()
	// The zero Ranking and a ranking of another pool mean configuration order.
	other := &Pool{Members: []Member{{Datacenter: sin}, {Datacenter: ams}}}
	for name, r := range map[string]Ranking{"zero": {}, "other pool": Rank(singapore, other)} {
		res := Resolve(p, r, Query{}, nil, nil)
		want := outcome{Outcome: Addresses, DC: "ams", Addrs: "192.0.2.10 192.0.2.11"}
		if got := summarize(p, res); got != want {
			t.Errorf("Resolve(%s ranking) = %v, want %v", name, got, want)
		}
	}
	if res := Resolve(nil, Ranking{}, Query{}, nil, nil); res.Outcome != NoData || res.Member != -1 {
		t.Errorf("Resolve(nil pool) = %+v, want NoData and member -1", res)
	}
}

func TestResolveUsesBuffer(t *testing.T) {
	p := webPool()
	buf := make([]netip.Addr, 1, 4)
	buf[0] = netip.MustParseAddr("10.9.9.9")
	res := Resolve(p, Rank(frankfurt, p), Query{}, buf, nil)
	if &res.Addrs[0] != &buf[:1][0] {
		t.Errorf("Resolve did not write into the caller's buffer")
	}
	if got := res.Addrs[0].String(); got != "192.0.2.10" {
		t.Errorf("Resolve(buffer).Addrs[0] = %s, want 192.0.2.10 (written from index 0)", got)
	}
}

func TestResolveDoesNotAllocate(t *testing.T) {
	p := webPool()
	snap := status("192.0.2.10=down 192.0.2.11=down 198.51.100.10=up",
		dcOverride("sin", health.Drain, after), addrOverride("192.0.2.10", health.ForceDown, time.Time{}))
	buf := make([]netip.Addr, 0, 4)
	for _, loc := range []geo.Location{frankfurt, newYork, singapore, {}} {
		r := Rank(loc, p)
		q := Query{Health: snap, Now: t0, Rand: 7}
		if n := testing.AllocsPerRun(100, func() { Resolve(p, r, q, buf, nil) }); n != 0 {
			t.Errorf("Resolve allocates %v times per call, want 0", n)
		}
	}
}

func TestTrace(t *testing.T) {
	p := webPool()
	snap := status("2001:db8:10::10=down 192.0.2.10=down",
		dcOverride("sin", health.Drain, t0.Add(time.Hour)),
		addrOverride("192.0.2.11", health.ForceUp, time.Time{}))
	tests := []struct {
		name string
		loc  geo.Location
		fam  Family
		snap *health.Snapshot
		want []string // substrings of Trace.String
	}{
		{"failover IPv6", frankfurt, IPv6, snap, []string{
			"pool web, IPv6, ranked by distance",
			"down: 0/1 addresses up (need 50%)",
			"no IPv6 addresses",
			"decision: failover to iad: 1 higher-ranked datacenter(s) down (ams); answer 2001:db8:20::10",
		}},
		{"drained", singapore, IPv4, snap, []string{
			"drained until 2026-03-01T13:00:00Z: maintenance",
			"forced up",
			"probe down",
			"decision: failover to ams",
		}},
		{"unknown location", geo.Location{}, IPv4, nil, []string{
			"configuration order",
			"decision: ams: first up datacenter; answer 192.0.2.10 192.0.2.11",
		}},
		{"all down", frankfurt, IPv6, status("2001:db8:10::10=down 2001:db8:20::10=down"), []string{
			"all 2 eligible datacenter(s) down for IPv6: fail-open to ams (as if up); answer 2001:db8:10::10",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr Trace
			Resolve(p, Rank(tt.loc, p), Query{Family: tt.fam, Health: tt.snap, Now: t0}, nil, &tr)
			s := tr.String()
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("Trace(%s) = \n%s\nwant it to contain %q", tt.name, s, w)
				}
			}
			if testing.Verbose() {
				fmt.Print(s)
			}
		})
	}
}
