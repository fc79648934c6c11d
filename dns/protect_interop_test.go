package dns

import (
	"net"
	"net/netip"
	"os/exec"
	"regexp"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// lookDig returns dig's path, failing the test without it: Debian's
// bind9-dnsutils, which .ci/deps.sh (make test) installs.
func lookDig(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("dig")
	if err != nil {
		t.Fatalf("dig not found (Debian package bind9-dnsutils; make test installs it through .ci/deps.sh): %v", err)
	}
	return path
}

var digCookie = regexp.MustCompile(`; COOKIE: ([0-9a-f]{16})([0-9a-f]*)(?: \((good|bad)\))?`)

var digTruncated = regexp.MustCompile(`;; flags:[^;]* tc[ ;]`)

// dig queries addr with BIND's dig and returns the COOKIE line's client
// cookie, server cookie and verdict ("good"); it fails the test when the
// reply is truncated.
func dig(t *testing.T, addr string, args ...string) (client, server, verdict string) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	args = append([]string{"@" + host, "-p", port, "+tries=1", "+time=2"}, args...)
	out, err := exec.Command(lookDig(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("dig %v: %v\n%s", args, err, out)
	}
	if digTruncated.Match(out) {
		t.Errorf("dig %v: truncated:\n%s", args, out)
	}
	m := digCookie.FindSubmatch(out)
	if m == nil {
		t.Fatalf("dig %v: no COOKIE line:\n%s", args, out)
	}
	return string(m[1]), string(m[2]), string(m[3])
}

// TestDigCookie checks gslb's cookies with BIND's client: dig +cookie
// reports the server cookie "good", sent back it is still good and
// echoed, and a sibling server with the same secret takes it too.
func TestDigCookie(t *testing.T) {
	cookies := CookieConfig{Secrets: []CookieSecret{testSecret}}
	_, addr := startServer(t, Config{Cookies: cookies})
	_, sibling := startServer(t, Config{Cookies: cookies})
	client, server, verdict := dig(t, addr, "+cookie", "www.example.com", "A")
	if verdict != "good" || len(server) != 2*serverCookieLen {
		t.Fatalf("dig +cookie: server cookie %q %q, want a good one of 16 octets", server, verdict)
	}
	for _, at := range []string{addr, sibling} {
		_, again, verdict := dig(t, at, "+cookie="+client+server, "www.example.com", "A")
		if verdict != "good" || again != server {
			t.Errorf("dig +cookie=%s%s at %s: %s (%s), want the same cookie, good", client, server, at, again, verdict)
		}
	}
}

// TestRRLOverSockets floods a real server with one query over UDP: about
// the configured rate is answered, half the rest are truncated, and TCP,
// a neighbour prefix and a client with a valid server cookie (dig) are
// answered meanwhile.
func TestRRLOverSockets(t *testing.T) {
	_, addr := startServer(t, Config{
		RRL:     RRLConfig{ResponsesPerSecond: 5, Slip: 2, IPv4Prefix: 32},
		Cookies: CookieConfig{Secrets: []CookieSecret{testSecret}},
	})
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := query(t, "www.example.com.", mdns.TypeA, edns(1232, false))
	const sent = 60
	for range sent {
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
	}
	var answers, truncated int
	buf := make([]byte, 2048)
	c.SetReadDeadline(time.Now().Add(time.Second))
	for {
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		m := new(mdns.Msg)
		if err := m.Unpack(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if m.Truncated {
			truncated++
		} else {
			answers++
		}
	}
	// The 60 queries take a few milliseconds: the burst of 5, perhaps one more.
	if answers < 5 || answers > 7 || truncated < (sent-answers)/2-1 || truncated > (sent-answers)/2+1 {
		t.Errorf("%d queries: %d answered, %d truncated; want about 5 and %d", sent, answers, truncated, (sent-5)/2)
	}
	if m := exchange(t, "tcp", addr, msgFor("www.example.com.", mdns.TypeA)); m.Truncated || len(m.Answer) == 0 {
		t.Errorf("over TCP while limited:\n%v", m)
	}
	// 127.0.0.2 is another /32 prefix on the loopback interface.
	other, err := net.DialUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.2:0")), net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Write(msg)
	other.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := other.Read(buf); err != nil {
		t.Errorf("neighbour prefix: %v", err)
	} else if m := new(mdns.Msg); m.Unpack(buf[:n]) != nil || m.Truncated || len(m.Answer) == 0 {
		t.Errorf("neighbour prefix: reply\n%v", m)
	}
	// dig's retries with the server cookie it learned pass; several
	// times over, more than the rate allows without.
	client, server, _ := dig(t, addr, "+cookie", "www.example.com", "A")
	for i := range 8 {
		_, _, verdict := dig(t, addr, "+cookie="+client+server, "+ignore", "www.example.com", "A")
		if verdict != "good" {
			t.Errorf("query %d with a valid server cookie: %q, want an answer with a good cookie", i, verdict)
		}
	}
}
