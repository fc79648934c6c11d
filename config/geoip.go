package config

import "github.com/gslb/gslb/internal/tomlcheck"

// GeoIP is the [geoip] table: the databases that locate clients. Without
// it every client's location is unknown.
type GeoIP struct {
	City string // GeoIP2/GeoLite2 City (or compatible) mmdb file; default "": none
	ASN  string // GeoLite2 ASN mmdb file, read beside City; default "": none
}

func parseGeoIP(t *tomlcheck.Table, c *Config) {
	if s, ok := t.Str("city"); ok {
		c.GeoIP.City = c.rel(s)
	}
	if s, ok := t.Str("asn"); ok {
		c.GeoIP.ASN = c.rel(s)
	}
	if c.GeoIP.ASN != "" && c.GeoIP.City == "" {
		t.Errorf(t.Path(), "asn without city: the ASN database only adds to a City database")
	}
	t.Unknown(nil)
}
