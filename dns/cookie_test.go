package dns

import (
	"encoding/hex"
	"net/netip"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// TestServerCookie reproduces the server cookies of RFC 9018's appendix A:
// the construction interoperates with BIND's and Knot's.
func TestServerCookie(t *testing.T) {
	cases := []struct {
		name, secret, client, ip string
		at                       uint32
		want                     string
	}{
		{"A.1", "e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559731985, "010000005cf79f111f8130c3eee29480"},
		{"A.2", "e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559734385, "010000005cf7a871d4a564a1442aca77"},
		{"A.3", "e5e973e5a6b2a43f48e7dc849e37bfcf", "fc93fc62807ddb86", "203.0.113.203", 1559734700, "010000005cf7a9acf73a7810aca2381e"},
		{"A.4 old secret", "dd3bdf9344b678b185a6f5cb60fca715", "22681ab97d52c298", "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741817, "010000005cf7c57926556bd0934c72f8"},
		{"A.4 new secret", "445536bcd2513298075a5d379663c962", "22681ab97d52c298", "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, "010000005cf7c609a6bb79d16625507a"},
	}
	for _, tc := range cases {
		secret := CookieSecret(mustHex(tc.secret))
		var got [serverCookieLen]byte
		makeServerCookie(&got, &secret, mustHex(tc.client), netip.MustParseAddr(tc.ip), tc.at)
		if hex.EncodeToString(got[:]) != tc.want {
			t.Errorf("%s: server cookie %x, want %s", tc.name, got, tc.want)
		}
	}
}

// cookieHandler returns a test handler with these cookie secrets whose
// clock reads *now.
func cookieHandler(t *testing.T, now *time.Time, secrets ...CookieSecret) *handler {
	h := newTestHandler(t, fakeRouter{})
	h.now = func() time.Time { return *now }
	h.setProtection(RRLConfig{}, CookieConfig{Secrets: secrets})
	return h
}

// ask sends a query for www.example.com. A with the COOKIE option data
// (none when nil) and returns the reply's rcode and COOKIE option.
func askFrom(t *testing.T, h *handler, src string, tcp bool, data []byte) (int, []byte) {
	t.Helper()
	var opts []qopt
	if data != nil {
		opts = append(opts, withOption(&mdns.EDNS0_LOCAL{Code: mdns.EDNS0COOKIE, Data: data}))
	} else {
		opts = append(opts, edns(1232, false))
	}
	out := make([]byte, maxTCPSize+1)
	reply := h.respond(out, query(t, "www.example.com.", mdns.TypeA, opts...), netip.MustParseAddr(src), tcp)
	if reply == nil {
		t.Fatal("no reply")
	}
	m := new(mdns.Msg)
	if err := m.Unpack(reply); err != nil {
		t.Fatal(err)
	}
	var got []byte
	if opt := m.IsEdns0(); opt != nil {
		for _, o := range opt.Option {
			if c, ok := o.(*mdns.EDNS0_COOKIE); ok {
				got, _ = hex.DecodeString(c.Cookie)
			}
		}
	}
	return m.Rcode, got
}

// TestCookieRoundTrip: a client cookie gets a server cookie; sent back, it
// is valid and echoed; from another address it is not ours, and the
// client gets a new one; after an hour it is stale: BADCOOKIE over UDP
// with a fresh cookie, which is then valid.
func TestCookieRoundTrip(t *testing.T) {
	now := testNow
	h := cookieHandler(t, &now, testSecret)
	client := mustHex("0123456789abcdef")
	rc, c1 := askFrom(t, h, "192.0.2.7", false, client)
	if rc != mdns.RcodeSuccess || len(c1) != 24 || string(c1[:8]) != string(client) {
		t.Fatalf("client cookie alone: rcode %d, cookie %x", rc, c1)
	}
	now = now.Add(10 * time.Minute)
	if rc, c2 := askFrom(t, h, "192.0.2.7", false, c1); rc != mdns.RcodeSuccess || string(c2) != string(c1) {
		t.Errorf("valid cookie 10 minutes old: rcode %d, cookie %x, want it echoed %x", rc, c2, c1)
	}
	if _, c2 := askFrom(t, h, "192.0.2.8", false, c1); string(c2) == string(c1) {
		t.Errorf("another address's cookie echoed")
	}
	now = now.Add(25 * time.Minute)
	_, c3 := askFrom(t, h, "192.0.2.7", false, c1)
	if string(c3) == string(c1) || len(c3) != 24 {
		t.Errorf("cookie 35 minutes old: %x, want a renewed one", c3)
	}
	now = now.Add(2 * time.Hour)
	rc, c4 := askFrom(t, h, "192.0.2.7", false, c3)
	if rc != mdns.RcodeBadCookie || len(c4) != 24 || string(c4) == string(c3) {
		t.Errorf("stale cookie over UDP: rcode %d cookie %x, want BADCOOKIE and a fresh cookie", rc, c4)
	}
	if rc, c5 := askFrom(t, h, "192.0.2.7", false, c4); rc != mdns.RcodeSuccess || string(c5) != string(c4) {
		t.Errorf("retry with the fresh cookie: rcode %d cookie %x, want NOERROR and %x", rc, c5, c4)
	}
	if rc, _ := askFrom(t, h, "192.0.2.7", true, c3); rc != mdns.RcodeSuccess {
		t.Errorf("stale cookie over TCP: rcode %d, want NOERROR", rc)
	}
	if rc, c := askFrom(t, h, "192.0.2.7", false, nil); rc != mdns.RcodeSuccess || c != nil {
		t.Errorf("no cookie: rcode %d, cookie %x", rc, c)
	}
}

// TestCookieSiblingAndRotation: a cookie made by a sibling with the same
// secret is valid; during a rotation (new secret first, old second) the
// old secret's cookies are valid and renewed with the new secret (RFC 9018
// A.4); once the old secret is gone they are not ours.
func TestCookieSiblingAndRotation(t *testing.T) {
	now := testNow
	a := cookieHandler(t, &now, testSecret)
	b := cookieHandler(t, &now, testSecret)
	_, c := askFrom(t, a, "2001:db8::7", false, mustHex("0123456789abcdef"))
	if rc, got := askFrom(t, b, "2001:db8::7", false, c); rc != mdns.RcodeSuccess || string(got) != string(c) {
		t.Errorf("sibling's cookie: %x, want it echoed %x", got, c)
	}

	old, next := CookieSecret(mustHex("dd3bdf9344b678b185a6f5cb60fca715")), CookieSecret(mustHex("445536bcd2513298075a5d379663c962"))
	now = time.Unix(1559741961, 0)
	sent := mustHex("22681ab97d52c298010000005cf7c57926556bd0934c72f8")
	const client = "2001:db8:220:1:59de:d0f4:8769:82b8"
	rotating := cookieHandler(t, &now, next, old)
	if _, got := askFrom(t, rotating, client, false, sent); hex.EncodeToString(got) != "22681ab97d52c298010000005cf7c609a6bb79d16625507a" {
		t.Errorf("old secret's cookie during rotation: reply %x, want RFC 9018 A.4's", got)
	}
	if !validCookie(t, rotating, client, sent) {
		t.Errorf("old secret's cookie not valid during the rotation")
	}
	rotated := cookieHandler(t, &now, next)
	if validCookie(t, rotated, client, sent) {
		t.Errorf("old secret's cookie valid after the rotation")
	}
}

// validCookie reports whether h finds the cookie data valid from src.
func validCookie(t *testing.T, h *handler, src string, data []byte) bool {
	r := &request{prot: h.prot.Load()}
	if !r.parseCookie(data) {
		t.Fatalf("cookie %x malformed", data)
	}
	r.checkCookie(r.prot.secrets, netip.MustParseAddr(src), h.now())
	return r.cookieState == cookieValid
}

// TestCookieLengths: RFC 7873 5.2.2's malformed lengths get FORMERR, the
// others an answer.
func TestCookieLengths(t *testing.T) {
	now := testNow
	h := cookieHandler(t, &now, testSecret)
	for n := 0; n <= 48; n++ {
		want := mdns.RcodeSuccess
		if n != 8 && (n < 16 || n > 40) {
			want = mdns.RcodeFormatError
		}
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i + 1)
		}
		rc, c := askFrom(t, h, "192.0.2.1", false, data)
		if rc != want {
			t.Errorf("cookie of %d octets: rcode %s, want %s", n, mdns.RcodeToString[rc], mdns.RcodeToString[want])
		}
		if (want == mdns.RcodeSuccess) != (len(c) == 24) {
			t.Errorf("cookie of %d octets: reply cookie %x", n, c)
		}
	}
}

// TestCookiesDisabled: with cookies off the option is ignored, whatever
// its length, as by a server that does not know it.
func TestCookiesDisabled(t *testing.T) {
	h := newTestHandler(t, fakeRouter{})
	h.setProtection(RRLConfig{}, CookieConfig{Disabled: true})
	for _, data := range [][]byte{mustHex("0123456789abcdef"), {1, 2, 3}} {
		if rc, c := askFrom(t, h, "192.0.2.1", false, data); rc != mdns.RcodeSuccess || c != nil {
			t.Errorf("cookie %x with cookies off: rcode %d, cookie %x", data, rc, c)
		}
	}
}
