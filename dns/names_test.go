package dns

import (
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

// TestNameCache checks that the cache gives presentation's strings for a
// sequence of names in which each repeats, changes case, grows or shrinks.
func TestNameCache(t *testing.T) {
	names := []string{
		"www.example.com.", "www.example.com.", "WWW.example.com.", "www.example.com.",
		"www.example.co.", ".", "www.example.com.", `a\.b\000.example.com.`, `a\.b\000.example.com.`,
		"www.example.com.", "wwx.example.com.", "w.example.com.",
	}
	var c nameCache
	for i, n := range names {
		wire := make([]byte, 300)
		off, err := mdns.PackDomainName(n, wire, 0, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		wantName, wantLower := presentation(wire[:off])
		name, lower := c.presentation(wire[:off])
		if name != wantName || lower != wantLower {
			t.Errorf("%d: presentation(%q) = %q, %q; want %q, %q", i, n, name, lower, wantName, wantLower)
		}
	}
}

// TestQueryNameCase checks that a handler answering the same name in
// turns of different case (0x20) echoes each query's question as sent and
// finds the record each time, through the same scratch.
func TestQueryNameCase(t *testing.T) {
	h := newTestHandler(t, fakeRouter{})
	out := make([]byte, maxTCPSize+1)
	src := netip.MustParseAddr("192.0.2.1")
	for i, name := range []string{"mail.example.com.", "MAIL.example.com.", "mail.example.com.", "MaIl.ExAmPlE.CoM.", "nothere.example.com.", "mail.example.com."} {
		reply := h.respond(out, query(t, name, mdns.TypeA), src, false)
		var m mdns.Msg
		if err := m.Unpack(reply); err != nil {
			t.Fatalf("%d: %s: unpack reply: %v", i, name, err)
		}
		if got := m.Question[0].Name; got != name {
			t.Errorf("%d: question %q, want %q as sent", i, got, name)
		}
		wantAnswers := 1
		if name == "nothere.example.com." {
			wantAnswers = 0
		}
		if len(m.Answer) != wantAnswers {
			t.Errorf("%d: %s: %d answers, want %d", i, name, len(m.Answer), wantAnswers)
		}
	}
}
