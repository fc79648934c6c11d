package dns

import (
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

// TestParseRecordNames checks the forms ParseRecord gives names: owners
// and targets in the one presentation form of query names (whatever escape
// the zone file used), RDATA names of the RFC 4034 6.2 types in lower case
// (NSD and Knot answer them so), other RDATA as written.
func TestParseRecordNames(t *testing.T) {
	tests := []struct {
		text, name, target, rdata string
	}{
		{`sp\032ace A 192.0.2.1`, `sp\ ace.example.com.`, "", "192.0.2.1"},
		{`\065b A 192.0.2.1`, `ab.example.com.`, "", "192.0.2.1"},
		{`Mixed CNAME WwW.Example.NET.`, "mixed.example.com.", "www.example.net.", "www.example.net."},
		{`mx MX 10 Mail`, "mx.example.com.", "mail.example.com.", "10 mail.example.com."},
		{`_s._tcp SRV 0 0 1 Target`, "_s._tcp.example.com.", "target.example.com.", "0 0 1 target.example.com."},
		{`d DNAME Other.Example.`, "d.example.com.", "other.example.", "other.example."},
		{`rp RP MBox.Example. Txt.Example.`, "rp.example.com.", "", "mbox.example. txt.example."},
		{`s SVCB 1 Target.Example. port=443`, "s.example.com.", "", `1 Target.Example. port="443"`},
		{`t TXT "MiXeD"`, "t.example.com.", "", `"MiXeD"`},
	}
	for _, tt := range tests {
		rec, err := ParseRecord(tt.text, "example.com.", 3600)
		if err != nil {
			t.Fatalf("%s: %v", tt.text, err)
		}
		if rec.Name != tt.name || rec.Target != tt.target {
			t.Errorf("%s: name %q target %q, want %q and %q", tt.text, rec.Name, rec.Target, tt.name, tt.target)
		}
		rr := rec.Data.(mdns.RR)
		if rr.Header().Name != tt.name {
			t.Errorf("%s: record owner %q, want %q", tt.text, rr.Header().Name, tt.name)
		}
		// Opaque (RFC 3597) records print their RDATA in hex: compare
		// the unpacked wire form.
		buf := make([]byte, 512)
		n, err := mdns.PackRR(rr, buf, 0, nil, false)
		if err != nil {
			t.Fatalf("%s: pack: %v", tt.text, err)
		}
		back, _, err := mdns.UnpackRR(buf[:n], 0)
		if err != nil {
			t.Fatalf("%s: unpack: %v", tt.text, err)
		}
		h := back.Header().String()
		if got := back.String()[len(h):]; got != tt.rdata {
			t.Errorf("%s: rdata %q, want %q", tt.text, got, tt.rdata)
		}
	}
}

// TestOpaqueTypes checks which records are kept as RFC 3597 data so that
// miekg/dns does not compress later names against their uncompressed
// RDATA names, and that the wire form is unchanged.
func TestOpaqueTypes(t *testing.T) {
	for text, opaqueWant := range map[string]bool{
		"a A 192.0.2.1":                false,
		"c CNAME www":                  false,
		"m MX 10 mail":                 false,
		"s SRV 0 0 1 target":           true,
		"d DNAME other.example.":       true,
		"n NAPTR 1 1 \"\" \"\" \"\" x": true,
		"t TXT x":                      false,
	} {
		rec, err := ParseRecord(text, "example.com.", 3600)
		if err != nil {
			t.Fatal(err)
		}
		_, isOpaque := rec.Data.(*mdns.RFC3597)
		if isOpaque != opaqueWant {
			t.Errorf("%s: opaque %t, want %t", text, isOpaque, opaqueWant)
		}
		if isOpaque && rec.Data.(mdns.RR).Header().Rrtype != rec.Type {
			t.Errorf("%s: type %d, want %d", text, rec.Data.(mdns.RR).Header().Rrtype, rec.Type)
		}
	}
}

// TestParseRecordLongNames checks that names over 255 octets are refused
// (miekg/dns's parser accepts a relative name that the origin makes too
// long), as NSD and Knot refuse them.
func TestParseRecordLongNames(t *testing.T) {
	long := strings.Repeat("a.", 120) + "a" // 256 octets under load.example.
	for text, ok := range map[string]bool{
		strings.Repeat("a.", 119) + "a A 192.0.2.1": true, // 254 octets
		long + " A 192.0.2.1":                       false,
		"x CNAME " + long:                           false,
		"x SRV 0 0 1 " + long:                       false,
		"x RP " + long + " .":                       false,
	} {
		_, err := ParseRecord(text, "load.example.", 3600)
		if (err == nil) != ok {
			t.Errorf("%.40s...: error %v, want ok=%t", text, err, ok)
		}
	}
}

// TestParseRecordRData checks the RDATA key the zone loader finds duplicate
// records by: the canonical wire form, equal for spellings of one record and
// different otherwise.
func TestParseRecordRData(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"x A 192.0.2.1", "X.example.com. 60 IN A 192.0.2.1", true},
		{"x A 192.0.2.1", "x A 192.0.2.2", false},
		{"x MX 10 Mail", "x MX 10 mail.example.com.", true},
		{"x MX 10 mail", "x MX 20 mail", false},
		{`x TXT "A"`, `x TXT "\065"`, true},
		{`x TXT "a" "b"`, `x TXT "ab"`, false},
		{"s SVCB 1 t.example. alpn=h2", "s SVCB 1 t.example. alpn=h2", true},
		{"s SVCB 1 t.example. alpn=h2", "s SVCB 1 t.example. alpn=h3", false},
	}
	for _, tt := range tests {
		a, err := ParseRecord(tt.a, "example.com.", 3600)
		if err != nil {
			t.Fatalf("%s: %v", tt.a, err)
		}
		b, err := ParseRecord(tt.b, "example.com.", 3600)
		if err != nil {
			t.Fatalf("%s: %v", tt.b, err)
		}
		if same := a.RData == b.RData; same != tt.same {
			t.Errorf("RData(%q) == RData(%q) is %v, want %v", tt.a, tt.b, same, tt.same)
		}
	}
	rec, err := ParseRecord("x A 192.0.2.1", "example.com.", 3600)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\xc0\x00\x02\x01"; rec.RData != want {
		t.Errorf("RData of x A 192.0.2.1 = %q, want %q", rec.RData, want)
	}
}

// TestParseRecordErrors checks the messages of records that do not parse:
// each says what is wrong once.
func TestParseRecordErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"x A 1.2.3", `bad A address: "1.2.3"`},
		{"x AAAA 192.0.2.1", `bad AAAA address: "192.0.2.1"`},
		{"x MX ten mail", `bad MX Pref: "ten"`},
	}
	for _, tt := range tests {
		_, err := ParseRecord(tt.text, "example.com.", 3600)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseRecord(%q) error = %v, want %s", tt.text, err, tt.want)
		}
	}
}
