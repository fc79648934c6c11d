package geo

import "net/netip"

// Location is what the GeoIP data says about one client address. The zero
// value is the unknown location: no network matched and no coordinates.
type Location struct {
	Continent string // continent code, e.g. "EU"; empty when unknown
	Country   string // ISO 3166-1 alpha-2 code, e.g. "NL"
	// Subdivisions are the subdivision codes as the database gives them,
	// most general first (GeoIP2: the part of the ISO 3166-2 code after the
	// hyphen, e.g. "VA" for US-VA). The slice may be shared between
	// Locations: do not modify it.
	Subdivisions   []string
	City           string  // English city name
	Lat, Lon       float64 // coordinates in degrees; meaningful only when HasCoordinates
	HasCoordinates bool    // whether the matched record carries a location
	AccuracyRadius uint16  // kilometres, as the database gives it
	ASN            uint32  // autonomous system number; 0 when unknown
	ASOrg          string  // autonomous system organisation
	// Network is the database network that matched the address. It is the
	// zero Prefix when nothing matched. Addresses inside the same Network get
	// the same Location.
	Network netip.Prefix
}

// Known reports whether the database matched the address at all.
func (l Location) Known() bool { return l.Network.IsValid() }
