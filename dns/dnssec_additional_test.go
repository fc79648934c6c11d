package dns

import (
	"slices"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// TestSignedAdditional: the additional section's authoritative data (the
// in-zone addresses of MX and NS targets) comes with its RRSIGs, which
// verify; a referral's glue, below the cut, is not signed; without DO
// nothing is signed.
func TestSignedAdditional(t *testing.T) {
	h := newSignedHandler(t, loadSigned(t, KeyOptions{}))
	keys := map[string][]*mdns.DNSKEY{"example.test.": dnskeys(t, h, "example.test.")}
	now := time.Now()
	for _, tc := range []struct {
		name   string
		qname  string
		qtype  uint16
		do     bool
		signed []string // signed RRsets of the additional section
		extra  int      // records of the additional section, RRSIGs included
	}{
		{"MX target", "example.test.", mdns.TypeMX, true, []string{"mail.example.test./A"}, 2},
		{"NS target", "example.test.", mdns.TypeNS, true, []string{"ns1.example.test./A"}, 2},
		{"referral glue", "www.sub.example.test.", mdns.TypeA, true, nil, 1},
		{"without DO", "example.test.", mdns.TypeMX, false, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, tcp := range []bool{false, true} {
				m := ask(t, h, query(t, tc.qname, tc.qtype, edns(1232, tc.do)), tcp)
				extra := slices.DeleteFunc(slices.Clone(m.Extra), func(rr mdns.RR) bool { return rr.Header().Rrtype == mdns.TypeOPT })
				if m.Truncated || len(extra) != tc.extra {
					t.Fatalf("TC %v, %d additional records, want %d\n%v", m.Truncated, len(extra), tc.extra, m)
				}
				if got := verifySection(t, extra, keys, now); !slices.Equal(got, tc.signed) {
					t.Errorf("signed additional RRsets %v, want %v\n%v", got, tc.signed, m)
				}
			}
		})
	}
}

// TestTruncateAdditionalSignatures packs a signed reply with two signed
// additional RRsets into shrinking limits: the additional RRSIGs go
// first (an RRset's all together, without TC), then the additional
// RRsets; an RRSIG is never kept without its RRset, nor an answer RRset
// without its RRSIG.
func TestTruncateAdditionalSignatures(t *testing.T) {
	set := loadSigned(t, KeyOptions{})
	h := newSignedHandler(t, set)
	sg := signerOf(set.Zone("example.test."))
	keys := map[string][]*mdns.DNSKEY{"example.test.": dnskeys(t, h, "example.test.")}
	rr := func(s string) mdns.RR {
		r, err := mdns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	signed := func(rrs ...mdns.RR) []mdns.RR {
		sigs, err := sg.sign(rrs, new(sigScratch), new(counters))
		if err != nil {
			t.Fatal(err)
		}
		return append(rrs, sigs...)
	}
	answer := signed(rr("example.test. 3600 IN MX 10 mail.example.test."))
	a := signed(rr("mail.example.test. 3600 IN A 192.0.2.25"))
	aaaa := signed(rr("mail.example.test. 3600 IN AAAA 2001:db8::25"))
	s := &scratch{}
	size := func(extra ...[]mdns.RR) int {
		m := s.header()
		m.Answer = append(m.Answer, answer...)
		for _, x := range extra {
			m.Extra = append(m.Extra, x...)
		}
		b, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		return len(b)
	}
	s.req = request{id: 1, lname: "example.test.", qtype: mdns.TypeMX, qclass: mdns.ClassINET}
	all := size(a, aaaa)
	tests := []struct {
		name  string
		limit int
		extra []string // types of the additional records kept, in order
		tc    bool
	}{
		{"everything fits", all, []string{"A", "RRSIG", "AAAA", "RRSIG"}, false},
		{"the last RRSIG goes", all - 1, []string{"A", "RRSIG", "AAAA"}, false},
		{"RRSIGs go before RRsets", size(a), []string{"A", "AAAA"}, false}, // room for A and its RRSIG: AAAA comes first
		{"no RRSIG at all", size(a[:1], aaaa[:1]), []string{"A", "AAAA"}, false},
		{"then the RRsets", size(a[:1]), []string{"A"}, false},
		{"the answer alone", size(), nil, false},
		{"the answer does not fit", size() - 1, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := s.header()
			m.Authoritative = true
			m.Answer = append(m.Answer, answer...)
			m.Extra = append(append(m.Extra, a...), aaaa...)
			b, err := h.truncate(make([]byte, maxTCPSize), s, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > tc.limit {
				t.Errorf("%d octets over the limit of %d", len(b), tc.limit)
			}
			got := new(mdns.Msg)
			if err := got.Unpack(b); err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, rr := range got.Extra {
				types = append(types, mdns.TypeToString[rr.Header().Rrtype])
			}
			if got.Truncated != tc.tc || !slices.Equal(types, tc.extra) {
				t.Errorf("TC %v, additional %v; want TC %v, %v", got.Truncated, types, tc.tc, tc.extra)
			}
			if !tc.tc && len(verifySection(t, got.Answer, keys, time.Now())) != 1 {
				t.Errorf("answer not signed: %v", got.Answer)
			}
			verifySection(t, got.Extra, keys, time.Now())
		})
	}
}
