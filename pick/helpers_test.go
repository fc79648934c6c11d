package pick

import (
	"net/netip"
	"strings"

	"github.com/gslb/gslb/geo"
)

// Datacenters of the FORMAT.md example.
var (
	ams = Datacenter{Name: "ams", Lat: 52.37, Lon: 4.90}
	iad = Datacenter{Name: "iad", Lat: 38.95, Lon: -77.45}
	sin = Datacenter{Name: "sin", Lat: 1.35, Lon: 103.82}
)

// Client locations.
var (
	singapore = city(1.29, 103.85)
	frankfurt = city(50.11, 8.68)
	berlin    = city(52.52, 13.40)
	paris     = city(48.86, 2.35)
	newYork   = city(40.71, -74.01)
	sydney    = city(-33.87, 151.21)
	tokyo     = city(35.68, 139.69)
	saoPaulo  = city(-23.55, -46.63)
	noCoords  = geo.Location{Country: "EU", Network: netip.MustParsePrefix("192.0.2.0/24")}
)

func city(lat, lon float64) geo.Location {
	return geo.Location{Lat: lat, Lon: lon, HasCoordinates: true}
}

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}

// names returns the datacenter names of r's order in p.
func names(r Ranking, p *Pool) string {
	var s []string
	for i := range r.Len() {
		s = append(s, p.Members[r.Member(i)].Datacenter.Name)
	}
	return strings.Join(s, " ")
}

// webPool returns the FORMAT.md example pool without its CNAME member:
// ams with two IPv4 and one IPv6 address, iad with one of each, sin with
// two IPv4 addresses only.
func webPool() *Pool {
	return &Pool{
		Name:       "web",
		Check:      "web",
		MaxAnswers: 2,
		UpFraction: 0.5,
		Members: []Member{
			{Datacenter: ams, V4: addrs("192.0.2.10", "192.0.2.11"), V6: addrs("2001:db8:10::10")},
			{Datacenter: iad, V4: addrs("198.51.100.10"), V6: addrs("2001:db8:20::10")},
			{Datacenter: sin, V4: addrs("203.0.113.10", "203.0.113.11")},
		},
	}
}
