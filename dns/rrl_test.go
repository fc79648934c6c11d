package dns

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// rrlHandler returns a test handler with RRL c whose clock reads *now.
func rrlHandler(t testing.TB, now *time.Time, c RRLConfig) *handler {
	h := newTestHandler(t, fakeRouter{})
	h.now = func() time.Time { return *now }
	h.setProtection(c, CookieConfig{Secrets: []CookieSecret{testSecret}})
	return h
}

// fate is what became of one query under RRL.
type fate int

const (
	answered fate = iota
	slipped
	dropped
)

func fateOf(t testing.TB, reply []byte) fate {
	t.Helper()
	if reply == nil {
		return dropped
	}
	m := new(mdns.Msg)
	if err := m.Unpack(reply); err != nil {
		t.Fatalf("reply does not unpack: %v", err)
	}
	if m.Truncated || m.Rcode == mdns.RcodeBadCookie {
		if len(m.Answer)+len(m.Ns) > 0 || len(m.Extra) > 1 {
			t.Fatalf("slip with records:\n%v", m)
		}
		return slipped
	}
	return answered
}

// flood sends qps queries per second of msg from src for d, advancing
// *now, and counts their fates per second.
func flood(t testing.TB, h *handler, now *time.Time, msg []byte, src string, tcp bool, qps int, d time.Duration) (perSecond [][3]int) {
	t.Helper()
	out := make([]byte, maxTCPSize+1)
	addr := netip.MustParseAddr(src)
	step := time.Second / time.Duration(qps)
	start := *now
	for ; now.Sub(start) < d; *now = now.Add(step) {
		sec := int(now.Sub(start) / time.Second)
		for len(perSecond) <= sec {
			perSecond = append(perSecond, [3]int{})
		}
		perSecond[sec][fateOf(t, h.respond(out, msg, addr, tcp))]++
	}
	return perSecond
}

func total(per [][3]int) (n [3]int) {
	for _, s := range per {
		for i := range s {
			n[i] += s[i]
		}
	}
	return n
}

// TestRRLRate: a flood of one answer to one prefix gets the configured
// number of answers per second (within 10%, after the first second's
// burst), and every slip-th limited response truncated.
func TestRRLRate(t *testing.T) {
	msg := query(t, "www.example.com.", mdns.TypeA, edns(1232, false))
	for _, tc := range []struct {
		rate, slip, qps int
	}{
		{rate: 10, slip: 2, qps: 1000},
		{rate: 100, slip: 3, qps: 2000},
		{rate: 50, slip: 1, qps: 500},
		{rate: 20, slip: 0, qps: 400},
	} {
		t.Run(fmt.Sprintf("rate=%d,slip=%d", tc.rate, tc.slip), func(t *testing.T) {
			now := testNow
			h := rrlHandler(t, &now, RRLConfig{ResponsesPerSecond: tc.rate, Slip: tc.slip})
			per := flood(t, h, &now, msg, "192.0.2.1", false, tc.qps, 10*time.Second)
			for sec, n := range per[1:] {
				if lo, hi := 0.9*float64(tc.rate), 1.1*float64(tc.rate); float64(n[answered]) < lo || float64(n[answered]) > hi {
					t.Errorf("second %d: %d answered, want %d ± 10%%", sec+1, n[answered], tc.rate)
				}
			}
			if n := per[0][answered]; n < tc.rate || n > 2*tc.rate+1 {
				t.Errorf("first second: %d answered, want a burst of about %d", n, tc.rate)
			}
			n := total(per)
			limited := n[slipped] + n[dropped]
			want := 0
			if tc.slip > 0 {
				want = limited / tc.slip
			}
			if n[slipped] < want-1 || n[slipped] > want+1 {
				t.Errorf("%d slipped of %d limited, want %d (slip %d)", n[slipped], limited, want, tc.slip)
			}
			st := h.stats.snapshot()
			if st.RRLSlipped != uint64(n[slipped]) || st.RRLDropped != uint64(n[dropped]) {
				t.Errorf("Stats: %d slipped %d dropped, want %d and %d", st.RRLSlipped, st.RRLDropped, n[slipped], n[dropped])
			}
		})
	}
}

// TestRRLUnaffected: while one prefix is limited, its neighbour prefix,
// other names, exempt prefixes, TCP and queries with a valid server cookie
// get every answer; a client cookie alone does not help, and its slips are
// BADCOOKIE with a server cookie.
func TestRRLUnaffected(t *testing.T) {
	now := testNow
	h := rrlHandler(t, &now, RRLConfig{ResponsesPerSecond: 5, Slip: 2, IPv4Prefix: 24, IPv6Prefix: 56,
		Exempt: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8:e::/48")}})
	www := query(t, "www.example.com.", mdns.TypeA, edns(1232, false))
	if n := total(flood(t, h, &now, www, "192.0.2.1", false, 200, 2*time.Second)); n[answered] > 20 {
		t.Fatalf("the flood got %d answers: not limited", n[answered])
	}
	out := make([]byte, maxTCPSize+1)
	// A client cookie alone does not help: limited, half the replies are
	// slips, BADCOOKIE with a server cookie.
	client := mustHex("0123456789abcdef")
	clientOnly := query(t, "www.example.com.", mdns.TypeA, withOption(&mdns.EDNS0_LOCAL{Code: mdns.EDNS0COOKIE, Data: client}))
	var badcookie, answers int
	for range 10 {
		reply := h.respond(out, clientOnly, netip.MustParseAddr("192.0.2.1"), false)
		if reply == nil {
			continue
		}
		m := new(mdns.Msg)
		if err := m.Unpack(reply); err != nil {
			t.Fatal(err)
		}
		if m.Rcode == mdns.RcodeSuccess && !m.Truncated {
			answers++ // the account earned one since the flood's last query
			continue
		}
		if m.Rcode != mdns.RcodeBadCookie || m.Truncated || !strings.Contains(m.IsEdns0().String(), "COOKIE: 0123456789abcdef01000000") {
			t.Fatalf("client cookie alone, limited: reply\n%v\nwant BADCOOKIE with a server cookie", m)
		}
		badcookie++
	}
	if answers > 1 || badcookie < 4 || badcookie > 5 {
		t.Errorf("client cookie alone, limited: %d answers and %d BADCOOKIE slips of 10, want at most 1 and 5", answers, badcookie)
	}

	cases := []struct {
		name    string
		msg     []byte
		src     string
		tcp     bool
		limited bool
	}{
		{"same prefix", www, "192.0.2.200", false, true},
		{"neighbour prefix", www, "192.0.3.1", false, false},
		{"other name", query(t, "mail.example.com.", mdns.TypeA, edns(1232, false)), "192.0.2.1", false, false},
		{"other type", query(t, "www.example.com.", mdns.TypeAAAA, edns(1232, false)), "192.0.2.1", false, false},
		{"tcp", www, "192.0.2.1", true, false},
		{"exempt", www, "203.0.113.9", false, false},
		{"exempt v6", www, "2001:db8:e:1::9", false, false},
		{"exempt v4-mapped", www, "::ffff:203.0.113.9", false, false},
	}
	for _, c := range cases {
		n := 5 // within a fresh account's burst
		if c.tcp || strings.HasPrefix(c.name, "exempt") {
			n = 100 // never limited
		}
		var fates [3]int
		for range n {
			fates[fateOf(t, h.respond(out, c.msg, netip.MustParseAddr(c.src), c.tcp))]++
		}
		if got := fates[answered] < n; got != c.limited {
			t.Errorf("%s: %d of %d answered, limited %t, want %t", c.name, fates[answered], n, got, c.limited)
		}
	}

	// A valid server cookie passes.
	var sc [serverCookieLen]byte
	makeServerCookie(&sc, &testSecret, client, netip.MustParseAddr("192.0.2.1"), uint32(now.Unix()))
	withServer := query(t, "www.example.com.", mdns.TypeA, withOption(&mdns.EDNS0_LOCAL{Code: mdns.EDNS0COOKIE, Data: append(client, sc[:]...)}))
	if n := total(flood(t, h, &now, withServer, "192.0.2.1", false, 200, time.Second)); n[answered] != 200 {
		t.Errorf("valid server cookie: %v answered/slipped/dropped, want every one answered", n)
	}
}

// TestRRLKinds: NXDOMAIN counts per zone, referrals per delegation, errors
// as one class, whatever the name.
func TestRRLKinds(t *testing.T) {
	now := testNow
	h := rrlHandler(t, &now, RRLConfig{ResponsesPerSecond: 5, Slip: 0})
	out := make([]byte, maxTCPSize+1)
	src := netip.MustParseAddr("192.0.2.1")
	answeredOf := func(names []string, qtype uint16) int {
		n := 0
		for _, name := range names {
			if fateOf(t, h.respond(out, query(t, name, qtype, edns(1232, false)), src, false)) == answered {
				n++
			}
		}
		return n
	}
	many := func(format string) []string {
		var names []string
		for i := range 30 {
			names = append(names, fmt.Sprintf(format, i))
		}
		return names
	}
	if n := answeredOf(many("nx%d.example.com."), mdns.TypeA); n != 5 {
		t.Errorf("30 NXDOMAINs of one zone: %d answered, want 5", n)
	}
	if n := answeredOf(many("host%d.sub.example.com."), mdns.TypeA); n != 5 {
		t.Errorf("30 referrals to one delegation: %d answered, want 5", n)
	}
	if n := answeredOf(many("name%d.not-served.example."), mdns.TypeA); n != 5 {
		t.Errorf("30 REFUSED: %d answered, want 5", n)
	}
	if n := answeredOf([]string{"nx.example.org.", "www.example.com."}, mdns.TypeA); n != 2 {
		t.Errorf("another zone's NXDOMAIN and an answer after the others were limited: %d answered, want 2", n)
	}
}

// TestRRLDryRun: a dry run answers everything and counts what it would
// have limited.
func TestRRLDryRun(t *testing.T) {
	now := testNow
	h := rrlHandler(t, &now, RRLConfig{ResponsesPerSecond: 10, Slip: 2, DryRun: true})
	msg := query(t, "www.example.com.", mdns.TypeA, edns(1232, false))
	n := total(flood(t, h, &now, msg, "192.0.2.1", false, 100, 5*time.Second))
	if n[answered] != 500 {
		t.Errorf("dry run: %v answered/slipped/dropped, want all 500 answered", n)
	}
	st := h.stats.snapshot()
	if st.RRLDryRun < 430 || st.RRLDryRun > 450 || st.RRLSlipped != 0 || st.RRLDropped != 0 {
		t.Errorf("dry run counted %d (slipped %d, dropped %d), want about 440", st.RRLDryRun, st.RRLSlipped, st.RRLDropped)
	}
}

// TestRRLLog: limiting is logged at once, then at most every 30 seconds,
// naming the most limited prefix.
func TestRRLLog(t *testing.T) {
	now := testNow
	var buf bytes.Buffer
	h := newTestHandler(t, fakeRouter{})
	h.log = slog.New(slog.NewTextHandler(&buf, nil))
	h.now = func() time.Time { return now }
	h.setProtection(RRLConfig{ResponsesPerSecond: 5, Slip: 2}, CookieConfig{})
	msg := query(t, "www.example.com.", mdns.TypeA, edns(1232, false))
	flood(t, h, &now, msg, "192.0.2.1", false, 10, 10*time.Second)
	flood(t, h, &now, msg, "2001:db8:1:2::1", false, 100, 65*time.Second)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines in 75 s of limiting, want 3:\n%s", len(lines), buf.String())
	}
	for i, want := range []string{"top_prefix=192.0.2.0/24", "top_prefix=2001:db8:1::/56", "top_prefix=2001:db8:1::/56"} {
		if !strings.Contains(lines[i], "rate limiting responses") || !strings.Contains(lines[i], want) {
			t.Errorf("log line %d: %s, want %s", i, lines[i], want)
		}
	}
}

// TestRRLBoundedMemory: a million distinct prefixes leave the table at
// its fixed size, and an account being limited survives them (it was
// limited within the window).
func TestRRLBoundedMemory(t *testing.T) {
	now := testNow
	h := rrlHandler(t, &now, RRLConfig{ResponsesPerSecond: 2, Slip: 2, IPv6Prefix: 56})
	l := h.prot.Load().rrl
	victim := netip.MustParsePrefix("192.0.2.0/24")
	key := l.key(victim, rrlAnswer, "www.example.com.", mdns.TypeA)
	at := now.UnixNano()
	for range 10 {
		l.charge(key, victim, at)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var b [16]byte
	b[0], b[1] = 0x20, 0x01
	for i := range 1_000_000 {
		binary.BigEndian.PutUint32(b[3:], uint32(i)) // distinct /56 prefixes
		p := netip.PrefixFrom(netip.AddrFrom16(b), 56)
		at += int64(time.Microsecond)
		l.charge(l.key(p, rrlAnswer, "www.example.com.", mdns.TypeA), p, at)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 1<<20 {
		t.Errorf("heap grew by %d octets over a million prefixes", grown)
	}
	if len(l.table.sets) != rrlSets {
		t.Errorf("table of %d sets, want %d", len(l.table.sets), rrlSets)
	}
	used := 0
	for i := range l.table.sets {
		for _, a := range l.table.sets[i].a {
			if a.key != 0 {
				used++
			}
		}
	}
	if used != rrlSets*rrlWays {
		t.Errorf("%d accounts used, want all %d", used, rrlSets*rrlWays)
	}
	kept := false
	for _, a := range l.table.sets[key%rrlSets].a {
		kept = kept || a.key == key && a.limited != 0
	}
	if !kept {
		t.Errorf("the limited account was recycled by the flood of prefixes")
	}
}
