package mmdb

import (
	"net/netip"
	"testing"
)

func TestNetworks(t *testing.T) {
	db := mustOpen(t, sampleCity, sampleASN)
	var (
		prev         netip.Prefix
		n4, n6       int
		seenIPv6     bool
		countryOnly  int
		withSubdivs  int
		distinctCity = map[string]bool{}
	)
	for p, loc := range db.Networks() {
		if !p.IsValid() || p != p.Masked() {
			t.Fatalf("Networks yielded %v, not a masked prefix", p)
		}
		if loc.Network != p {
			t.Errorf("Networks yielded %s with Location.Network %s", p, loc.Network)
		}
		if !loc.Known() || loc.Country == "" || loc.Continent == "" {
			t.Errorf("Networks yielded %s with incomplete location %+v", p, loc)
		}
		if loc.ASN != 0 || loc.ASOrg != "" {
			t.Errorf("Networks yielded %s with ASN fields %+v; it walks the City database only", p, loc)
		}
		if inAlias(p) {
			t.Errorf("Networks yielded %s, inside an alias of the IPv4 space", p)
		}
		// Order: all IPv4 first, ascending and not overlapping, then IPv6.
		if p.Addr().Is4() {
			n4++
			if seenIPv6 {
				t.Errorf("IPv4 network %s after IPv6 networks", p)
			}
		} else {
			n6++
			seenIPv6 = true
		}
		if prev.IsValid() && prev.Addr().BitLen() == p.Addr().BitLen() {
			if !lastAddr(prev).Less(p.Addr()) {
				t.Errorf("network %s does not follow %s in ascending order without overlap", p, prev)
			}
		}
		prev = p
		if !loc.HasCoordinates {
			countryOnly++
		}
		if len(loc.Subdivisions) > 0 {
			withSubdivs++
		}
		distinctCity[loc.City] = true

		// Locate agrees on the network's first address, with a Network
		// inside the walked one (the ASN database may narrow it).
		got := db.Locate(p.Addr())
		if got.City != loc.City || got.Country != loc.Country || !p.Contains(got.Network.Addr()) || got.Network.Bits() < p.Bits() {
			t.Errorf("Locate(%s) = %+v, but Networks yielded %s %+v", p.Addr(), got, p, loc)
		}
	}
	// The sample has a few thousand networks of each kind; see
	// testdata/geoip/README.md.
	if n4 < 2000 || n6 < 800 || countryOnly < 100 || withSubdivs < 1000 || len(distinctCity) < 50 {
		t.Errorf("Networks: %d IPv4, %d IPv6, %d without coordinates, %d with subdivisions, %d cities; want a fuller spread",
			n4, n6, countryOnly, withSubdivs, len(distinctCity))
	}
	t.Logf("%d IPv4 and %d IPv6 networks, %d without coordinates, %d distinct cities", n4, n6, countryOnly, len(distinctCity))
}

func TestNetworksStopsEarly(t *testing.T) {
	db := mustOpen(t, sampleCity, "")
	n := 0
	for range db.Networks() {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("walked %d networks, want 3", n)
	}
}

func TestInAlias(t *testing.T) {
	for p, want := range map[string]bool{
		"::ffff:192.0.2.0/120": true,
		"::ffff:0:0/96":        true,
		"2002:c000:200::/40":   true,
		"2002::/16":            true,
		"2001::/32":            true,
		"2001:0:1::/48":        true,
		"2000::/3":             false, // contains the aliases but is not inside one
		"2001:db8::/32":        false,
		"2003::/16":            false,
		"192.0.2.0/24":         false,
	} {
		if got := inAlias(netip.MustParsePrefix(p)); got != want {
			t.Errorf("inAlias(%s) = %v, want %v", p, got, want)
		}
	}
}
