package config

import (
	"time"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// GeoIP is the [geoip] table: the databases that locate clients. Without
// it every client's location is unknown.
type GeoIP struct {
	City string // GeoIP2/GeoLite2 City (or compatible) mmdb file; default "": none
	ASN  string // GeoLite2 ASN mmdb file, read beside City; default "": none
	// MaxAge is the age (from the database's build time) past which gslb
	// warns that a database is stale; default DefaultGeoIPMaxAge (30 days).
	MaxAge time.Duration
}

func parseGeoIP(t *tomlcheck.Table, c *Config) {
	if s, ok := t.Str("city"); ok {
		c.GeoIP.City = c.rel(s)
	}
	if s, ok := t.Str("asn"); ok {
		c.GeoIP.ASN = c.rel(s)
	}
	c.GeoIP.MaxAge = DefaultGeoIPMaxAge
	if d, ok := t.Duration("max_age"); ok {
		if d <= 0 {
			t.Errorf(t.KeyPath("max_age"), "max_age must be positive")
		}
		c.GeoIP.MaxAge = d
	}
	if c.GeoIP.ASN != "" && c.GeoIP.City == "" {
		t.Errorf(t.Path(), "asn without city: the ASN database only adds to a City database")
	}
	t.Unknown(nil)
}
