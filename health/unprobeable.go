package health

import "net/netip"

// unprobeable are the address ranges a probe never goes to: link-local
// addresses, where clouds serve their instance metadata (and the
// credentials in it) to anyone on the host, and the metadata services'
// other well-known addresses.
var unprobeable = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (instance metadata services live there)"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "the IPv6 instance metadata address of EC2"},
}

// Unprobeable reports why a probe must never be sent to addr, or "" when
// it may: link-local addresses (169.254.0.0/16, fe80::/10), which hold the
// cloud instance metadata services (169.254.169.254), and EC2's IPv6
// metadata address (fd00:ec2::254). An IPv4-mapped IPv6 address is judged
// as its IPv4 address.
func Unprobeable(addr netip.Addr) string {
	a := addr.Unmap().WithZone("")
	for _, u := range unprobeable {
		if u.prefix.Contains(a) {
			return u.why
		}
	}
	return ""
}
