package health

import (
	"net/netip"
	"testing"
)

func TestUnprobeable(t *testing.T) {
	for _, tc := range []struct {
		addr string
		bad  bool
	}{
		{"169.254.169.254", true},
		{"169.254.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"febf::1", true},
		{"fd00:ec2::254", true},
		{"169.253.255.255", false},
		{"169.255.0.1", false},
		{"127.0.0.1", false},
		{"192.0.2.10", false},
		{"fec0::1", false},
		{"fd00:ec2::253", false},
		{"2001:db8::1", false},
	} {
		got := Unprobeable(netip.MustParseAddr(tc.addr))
		if (got != "") != tc.bad {
			t.Errorf("Unprobeable(%s) = %q, want refused %v", tc.addr, got, tc.bad)
		}
	}
}
