package dns

import (
	"encoding/binary"
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

// FuzzHandler feeds arbitrary packets to the handler over UDP and TCP. The
// handler must never panic (a recovered panic counts as a failure), must
// answer every packet with a header that is not a response (except, over
// TCP, one whose question the message cuts short), and every reply
// must be a DNS message that miekg/dns unpacks, with the query's ID, QR set
// the question echoed octet for octet, and within the transport's size
// limit; and it must be the reply packed by miekg/dns alone (packAddrs
// packs some by hand). The handlers answer cookies (with a fixed secret
// and clock); a third one, with RRL at one response per second, must
// answer over UDP the same, a slip (no records; TC, or BADCOOKIE) or
// nothing.
func FuzzHandler(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add(tc.query(f))
	}
	f.Add([]byte{})
	f.Add(make([]byte, 12))
	h := newTestHandler(f, fakeRouter{})
	slow := newTestHandler(f, fakeRouter{})
	slow.packSlow = true
	now := testNow
	limited := rrlHandler(f, &now, RRLConfig{ResponsesPerSecond: 1, Slip: 2})
	src := netip.MustParseAddr("198.51.100.7")
	f.Fuzz(func(t *testing.T, msg []byte) {
		out := make([]byte, maxTCPSize+1)
		outSlow := make([]byte, maxTCPSize+1)
		outLimited := make([]byte, maxTCPSize+1)
		for _, tcp := range []bool{false, true} {
			reply := h.respond(out, msg, src, tcp)
			rl := limited.respond(outLimited, msg, src, tcp)
			if n := h.stats.panics.Load() + slow.stats.panics.Load() + limited.stats.panics.Load(); n > 0 {
				t.Fatalf("handler panicked on %x", msg)
			}
			checkLimited(t, msg, reply, rl, tcp)
			if want := slow.respond(outSlow, msg, src, tcp); string(reply) != string(want) {
				t.Fatalf("reply to %x packed by hand:\n%x\nby miekg/dns:\n%x", msg, reply, want)
			}
			query := len(msg) >= headerLen && binary.BigEndian.Uint16(msg[2:])&flagQR == 0
			if reply == nil {
				if query && !(tcp && questionCut(msg)) {
					t.Fatalf("no reply to the query %x", msg)
				}
				continue
			}
			if !query {
				t.Fatalf("reply to a non-query %x", msg)
			}
			m := new(mdns.Msg)
			if err := m.Unpack(reply); err != nil {
				t.Fatalf("reply to %x does not unpack: %v\n%x", msg, err, reply)
			}
			if m.Id != binary.BigEndian.Uint16(msg) || !m.Response {
				t.Fatalf("reply id %#x response %t, want id %#x and QR", m.Id, m.Response, binary.BigEndian.Uint16(msg))
			}
			if len(m.Question) == 1 {
				end, _ := nameEnd(msg, headerLen, false)
				if len(reply) < end+4 || string(reply[headerLen:end+4]) != string(msg[headerLen:end+4]) {
					t.Fatalf("question of %x not echoed octet for octet: %x", msg, reply)
				}
			}
			limit := maxTCPSize
			if !tcp {
				limit = h.limits.Load().maxUDP
			}
			if len(reply) > limit {
				t.Fatalf("reply of %d octets over %d", len(reply), limit)
			}
		}
	})
}

// checkLimited checks the reply rl of a handler with RRL against reply, that
// of one without.
func checkLimited(t *testing.T, msg, reply, rl []byte, tcp bool) {
	if string(rl) == string(reply) {
		return
	}
	if tcp || rl == nil && reply == nil {
		t.Fatalf("reply to %x with RRL over tcp %t:\n%x\nwithout:\n%x", msg, tcp, rl, reply)
	}
	if rl == nil {
		return // dropped
	}
	m := new(mdns.Msg)
	if err := m.Unpack(rl); err != nil {
		t.Fatalf("slip for %x does not unpack: %v\n%x", msg, err, rl)
	}
	if !m.Truncated && m.Rcode != mdns.RcodeBadCookie || len(m.Answer)+len(m.Ns) > 0 || len(m.Extra) > 1 {
		t.Fatalf("reply to %x with RRL neither the reply nor a slip:\n%v", msg, m)
	}
	if m.Id != binary.BigEndian.Uint16(msg) || !m.Response || len(rl) > len(reply) {
		t.Fatalf("slip for %x: %x, longer than the reply or not a response to it", msg, rl)
	}
}
