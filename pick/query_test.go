package pick

import (
	"net/netip"
	"testing"
)

func TestQuerySubnet(t *testing.T) {
	tests := []struct {
		client    string
		subnet    string
		scope     int
		bits4, b6 int
	}{
		{"192.0.2.77", "192.0.2.0/24", 24, 24, 56},
		{"2001:db8:1:2:3::1", "2001:db8:1::/56", 56, 24, 56}, {"2001:db8:1:2ff::1", "2001:db8:1:200::/56", 56, 24, 56},
		{"::ffff:192.0.2.77", "192.0.2.0/24", 96 + 24, 24, 56}, // IPv4-mapped: keyed by the IPv4 inside
		{"2002:c000:024d::1", "192.0.2.0/24", 16 + 24, 24, 56}, // 6to4
		{"192.0.2.77", "192.0.2.77/32", 32, 40, 56},            // clamped to the address length
		{"192.0.2.77", "0.0.0.0/0", 0, 0, 56},
	}
	for _, tt := range tests {
		q := Query{Client: netip.MustParseAddr(tt.client)}
		subnet, scope := q.Subnet(tt.bits4, tt.b6)
		if subnet.String() != tt.subnet || scope != tt.scope {
			t.Errorf("Query{Client: %s}.Subnet(%d, %d) = %s, %d; want %s, %d", tt.client, tt.bits4, tt.b6, subnet, scope, tt.subnet, tt.scope)
		}
	}
	if subnet, scope := (&Query{}).Subnet(24, 56); subnet.IsValid() || scope != 0 {
		t.Errorf("Subnet of the zero client = %s, %d; want invalid, 0", subnet, scope)
	}
}
