package dns

import (
	"reflect"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/zones"
)

// parseSlow is ParseRecord without its fast path: miekg/dns's zone parser.
func parseSlow(text, origin string, ttl uint32) (zones.Record, error) {
	return parseRecord(strings.TrimSpace(text), origin, ttl)
}

// sameRecord reports how a and b differ, or "".
func sameRecord(a, b zones.Record) string {
	ra, rb := a.Data.(mdns.RR), b.Data.(mdns.RR)
	a.Data, b.Data = nil, nil
	if !reflect.DeepEqual(a, b) {
		return "records differ"
	}
	if !reflect.DeepEqual(ra, rb) {
		return "parsed RRs differ: " + ra.String() + " / " + rb.String()
	}
	return ""
}

// TestParseFastAgrees holds the fast path to what miekg/dns's zone
// parser makes of the same text, and checks that it leaves alone what it
// should not take on.
func TestParseFastAgrees(t *testing.T) {
	tests := []struct {
		text, origin string
		fast         bool // whether the fast path takes it
	}{
		{"www A 192.0.2.1", "example.com.", true},
		{"WWW a 192.0.2.1", "example.com.", true},
		{"@ A 192.0.2.1", "example.com.", true},
		{"www.example.com. A 192.0.2.1", "example.com.", true},
		{"WWW.Example.COM. A 192.0.2.1", "example.com.", true},
		{"*.dev A 192.0.2.1", "example.com.", true},
		{"_srv-x.a A 192.0.2.1", "example.com.", true},
		{"www 300 A 192.0.2.1", "example.com.", true},
		{"www 0 IN A 192.0.2.1", "example.com.", true},
		{"www\t300\tin\tA\t192.0.2.1", "example.com.", true},
		{"www IN A 192.0.2.1", "example.com.", true},
		{"www 4294967295 A 192.0.2.1", "example.com.", false},
		{"www 007 A 192.0.2.1", "example.com.", true},
		{"www AAAA 2001:db8::1", "example.com.", true},
		{"www AAAA 2001:DB8::AbCd", "example.com.", true},
		{"www AAAA ::ffff:102:304", "example.com.", true},
		{"www AAAA ::", "example.com.", true},
		{"www A 192.0.2.1", ".", true},
		{"www. A 192.0.2.1", ".", true},
		{"www A 192.0.2.1", "xn--bcher-kva.example.", true},
		// left to the zone parser
		{"www IN 300 A 192.0.2.1", "example.com.", false},
		{"www 1h A 192.0.2.1", "example.com.", false},
		{"www A 192.0.2.1 ; comment", "example.com.", false},
		{"www A 192.0.2.1 extra", "example.com.", false},
		{"w\\065w A 192.0.2.1", "example.com.", false},
		{"a*b A 192.0.2.1", "example.com.", false},
		{"a.* A 192.0.2.1", "example.com.", false},
		{"www AAAA ::ffff:1.2.3.4", "example.com.", false},
		{"www A 192.0.2", "example.com.", false},
		{"www A 0192.0.2.1", "example.com.", false},
		{"www A 2001:db8::1", "example.com.", false},
		{"www AAAA 192.0.2.1", "example.com.", false},
		{"www AAAA fe80::1%eth0", "example.com.", false},
		{"www TXT x", "example.com.", false},
		{"www TXT \"v=spf1 -all\"", "example.com.", true},
		{"www 60 in txt \"a\"  \"b c\"\t\"\"", "example.com.", true},
		{"www TXT \"v=DKIM1; k=rsa; p=(abc)\"", "example.com.", true},
		{"www TXT \"a\"\"b\"", "example.com.", false},
		{"www TXT \"a\\\"b\"", "example.com.", false},
		{"www TXT \"caf\u00e9\"", "example.com.", false},
		{"www TXT \"unterminated", "example.com.", false},
		{"www TXT \"" + strings.Repeat("x", 255) + "\"", "example.com.", true},
		{"www TXT \"" + strings.Repeat("x", 256) + "\"", "example.com.", false},
		{"www CNAME web", "example.com.", true},
		{"www CNAME Web.Example.NET.", "example.com.", true},
		{"www CNAME @", "example.com.", true},
		{"www CNAME *.web", "example.com.", false},
		{"www CNAME web extra", "example.com.", false},
		{"www CNAME w\\.eb", "example.com.", false},
		{"@ NS ns1", "example.com.", true},
		{"@ 86400 IN NS ns1.example.net.", "example.com.", true},
		{"@ NS .", "example.com.", true},
		{"1.2 PTR host.example.", "2.0.192.in-addr.arpa.", true},
		{"@ MX 10 mx", "example.com.", true},
		{"@ MX 010 MX.example.net.", "example.com.", true},
		{"@ MX 0 .", "example.com.", true},
		{"@ MX 65536 mx", "example.com.", false},
		{"@ MX -1 mx", "example.com.", false},
		{"@ MX mx", "example.com.", false},
		{"@ MX 10", "example.com.", false},
		{"_sip._tcp SRV 10 60 5060 sip", "example.com.", true},
		{"_sip._tcp 300 IN srv 0 0 0 .", "example.com.", true},
		{"_sip._tcp SRV 10 60 sip", "example.com.", false},
		{"_sip._tcp SRV 10 60 5060 sip ; c", "example.com.", false},
		{"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2026010101 3600 900 1209600 300", "example.com.", true},
		{"@ 300 IN SOA NS1.Example.NET. Host.Master.example.com. 4294967295 0 0 0 0", "example.com.", true},
		{"@ SOA ns1 hostmaster 1 2 3 4 5", "example.com.", true},
		{"@ SOA . . 1 2 3 4 5", "example.com.", true},
		{"@ SOA ns1 hostmaster 4294967296 2 3 4 5", "example.com.", false},
		{"@ SOA ns1 hostmaster 1 1h 3 4 5", "example.com.", false},
		{"@ SOA ns1 hostmaster 1 2 3 4", "example.com.", false},
		{"@ SOA ns1 hostmaster 1 2 3 4 5 6", "example.com.", false},
		{"@ SOA ns1 john\\.doe 1 2 3 4 5", "example.com.", false},
		{"@ SOA ns1 hostmaster ( 1 2 3 4 5 )", "example.com.", false},
		{"www CH A 192.0.2.1", "example.com.", false},
		{"a..b A 192.0.2.1", "example.com.", false},
		{"www A 192.0.2.1", "ex\\.ample.", false},
		{"www A 192.0.2.1", "example.com", false},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa A 192.0.2.1", "example.com.", false},
	}
	for _, tt := range tests {
		t.Run(tt.text+" in "+tt.origin, func(t *testing.T) {
			fast, ok := parseFast(tt.text, tt.origin, 3600)
			if ok != tt.fast {
				t.Fatalf("parseFast(%q) taken = %v, want %v", tt.text, ok, tt.fast)
			}
			if !ok {
				return
			}
			slow, err := parseSlow(tt.text, tt.origin, 3600)
			if err != nil {
				t.Fatalf("the zone parser refuses %q (%v) but the fast path takes it", tt.text, err)
			}
			if d := sameRecord(fast, slow); d != "" {
				t.Errorf("parseFast(%q) = %+v, the zone parser %+v: %s", tt.text, fast, slow, d)
			}
		})
	}
}

// FuzzParseFast: whatever the fast path takes, the zone parser takes
// and parses the same.
func FuzzParseFast(f *testing.F) {
	for _, s := range []string{"www A 192.0.2.1", "@ 300 IN AAAA 2001:db8::1", "*.x.Y. a 10.0.0.1", "a_b-c 0 in aaaa ::",
		`www TXT "v=spf1 -all" "x"`, "www CNAME web", "@ NS ns1.example.net.", "@ MX 10 mx", "_s._tcp SRV 1 2 3 t.", "1 PTR h.example.",
		"@ 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 3600 900 1209600 300"} {
		f.Add(s, "example.com.")
	}
	f.Fuzz(func(t *testing.T, text, origin string) {
		fast, ok := parseFast(text, origin, 3600)
		if !ok {
			return
		}
		slow, err := parseSlow(text, origin, 3600)
		if err != nil {
			t.Fatalf("the zone parser refuses %q in %q (%v) but the fast path takes it", text, origin, err)
		}
		if d := sameRecord(fast, slow); d != "" {
			t.Fatalf("parseFast(%q, %q) = %+v, the zone parser %+v: %s", text, origin, fast, slow, d)
		}
	})
}
