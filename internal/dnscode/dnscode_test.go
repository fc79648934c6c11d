package dnscode_test

import (
	"testing"

	"github.com/gslb/gslb/internal/dnscode"
)

func TestTypes(t *testing.T) {
	tests := []struct {
		num  uint16
		name string
	}{
		{dnscode.TypeA, "A"},
		{dnscode.TypeNS, "NS"},
		{dnscode.TypeCNAME, "CNAME"},
		{dnscode.TypeSOA, "SOA"},
		{dnscode.TypePTR, "PTR"},
		{dnscode.TypeMX, "MX"},
		{dnscode.TypeTXT, "TXT"},
		{dnscode.TypeAAAA, "AAAA"},
		{dnscode.TypeSRV, "SRV"},
		{dnscode.TypeDNAME, "DNAME"},
		{dnscode.TypeDS, "DS"},
		{dnscode.TypeRRSIG, "RRSIG"},
		{dnscode.TypeNSEC, "NSEC"},
		{dnscode.TypeDNSKEY, "DNSKEY"},
		{dnscode.TypeSVCB, "SVCB"},
		{dnscode.TypeHTTPS, "HTTPS"},
		{dnscode.TypeANY, "ANY"},
		{dnscode.TypeCAA, "CAA"},
		{0, "TYPE0"},
		{99, "TYPE99"},
		{65535, "TYPE65535"},
	}
	for _, tt := range tests {
		if got := dnscode.TypeString(tt.num); got != tt.name {
			t.Errorf("TypeString(%d) = %q, want %q", tt.num, got, tt.name)
		}
		if got, ok := dnscode.ParseType(tt.name); !ok || got != tt.num {
			t.Errorf("ParseType(%q) = %d, %v; want %d, true", tt.name, got, ok, tt.num)
		}
	}
}

func TestParseType(t *testing.T) {
	tests := []struct {
		in   string
		want uint16
		ok   bool
	}{
		{"aaaa", dnscode.TypeAAAA, true},
		{" Soa ", dnscode.TypeSOA, true},
		{"type28", dnscode.TypeAAAA, true},
		{"TYPE65535", 65535, true},
		{"TYPE65536", 0, false},
		{"TYPE", 0, false},
		{"TYPE-1", 0, false},
		{"A6", 0, false},
		{"", 0, false},
		{"NOERROR", 0, false},
	}
	for _, tt := range tests {
		got, ok := dnscode.ParseType(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseType(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRcodes(t *testing.T) {
	tests := []struct {
		num  int
		name string
		ok   bool // ParseRcode knows the name
	}{
		{dnscode.RcodeNoError, "NOERROR", true},
		{dnscode.RcodeFormErr, "FORMERR", true},
		{dnscode.RcodeServFail, "SERVFAIL", true},
		{dnscode.RcodeNXDomain, "NXDOMAIN", true},
		{dnscode.RcodeNotImp, "NOTIMP", true},
		{dnscode.RcodeRefused, "REFUSED", true},
		{dnscode.RcodeYXDomain, "YXDOMAIN", true},
		{dnscode.RcodeYXRRSet, "YXRRSET", true},
		{dnscode.RcodeNXRRSet, "NXRRSET", true},
		{dnscode.RcodeNotAuth, "NOTAUTH", true},
		{dnscode.RcodeNotZone, "NOTZONE", true},
		{11, "RCODE11", false},
		{-1, "RCODE-1", false},
	}
	for _, tt := range tests {
		if got := dnscode.RcodeString(tt.num); got != tt.name {
			t.Errorf("RcodeString(%d) = %q, want %q", tt.num, got, tt.name)
		}
		got, ok := dnscode.ParseRcode(tt.name)
		if ok != tt.ok || (ok && got != tt.num) {
			t.Errorf("ParseRcode(%q) = %d, %v; want %d, %v", tt.name, got, ok, tt.num, tt.ok)
		}
	}
	if got, ok := dnscode.ParseRcode("nxDomain"); !ok || got != dnscode.RcodeNXDomain {
		t.Errorf("ParseRcode(%q) = %d, %v; want %d, true", "nxDomain", got, ok, dnscode.RcodeNXDomain)
	}
}
