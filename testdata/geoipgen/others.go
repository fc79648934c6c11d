package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// otherBlock is a network of the two small databases in other layouts.
type otherBlock struct {
	Network string
	City    string
}

// dbipBlocks are the networks of DBIP-City-Lite-Test.mmdb: the IPv4
// documentation ranges again, as whole /24s and with other cities, so that a
// test can swap it in for the GeoIP2 database and see every answer change.
var dbipBlocks = []otherBlock{
	{"192.0.2.0/24", "Madrid"},
	{"198.51.100.0/24", "Chicago"},
	{"203.0.113.0/24", "Seoul"},
}

// flatBlocks are the networks of Flat-Location-Test.mmdb.
var flatBlocks = []otherBlock{
	{"192.0.2.0/24", "Stockholm"},
	{"198.51.100.0/24", "Toronto"},
	{"203.0.113.0/24", "Auckland"},
	{"2001:db8::/32", "Nairobi"},
}

func cityByName(name string) city {
	for _, c := range cities {
		if c.Name == name {
			return c
		}
	}
	panic("no city " + name)
}

// buildDBIP returns a database in DB-IP's City Lite layout: GeoIP2 names and
// codes, subdivisions with names but no iso_code, no accuracy radius, in an
// IPv4-only tree with 24-bit records.
func buildDBIP() ([]byte, error) {
	t, err := mmdbwriter.New(mmdbwriter.Options{
		BuildEpoch:              buildEpoch,
		DatabaseType:            "DBIP-City-Lite",
		Description:             map[string]string{"en": "gslb sample in the DB-IP City Lite layout (not real data)"},
		Languages:               []string{"en"},
		IncludeReservedNetworks: true,
		IPVersion:               4,
		RecordSize:              24,
	})
	if err != nil {
		return nil, err
	}
	for _, b := range dbipBlocks {
		c := cityByName(b.City)
		var subs mmdbtype.Slice
		for _, s := range c.Subdivs {
			subs = append(subs, mmdbtype.Map{"names": names(c.Country + "-" + s)})
		}
		rec := mmdbtype.Map{
			"city":      mmdbtype.Map{"names": names(c.Name)},
			"continent": continentMap(c.Continent),
			"country":   countryMap(c.Country),
			"location": mmdbtype.Map{
				"latitude":  mmdbtype.Float64(c.Lat),
				"longitude": mmdbtype.Float64(c.Lon),
				"time_zone": mmdbtype.String(c.TimeZone),
			},
			"subdivisions": subs,
		}
		if err := t.Insert(ipNet(netip.MustParsePrefix(b.Network)), rec); err != nil {
			return nil, fmt.Errorf("insert %s: %w", b.Network, err)
		}
	}
	var buf bytes.Buffer
	if _, err := t.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// buildFlat returns a database with flat records of top-level strings, as
// IPinfo's and the ip-location-db project's location databases have:
// country_code, continent_code, city, region, and the coordinates as strings
// named lat and lng.
func buildFlat() ([]byte, error) {
	t, err := mmdbwriter.New(mmdbwriter.Options{
		BuildEpoch:              buildEpoch,
		DatabaseType:            "flat-location",
		Description:             map[string]string{"en": "gslb sample in a flat location layout (not real data)"},
		Languages:               []string{"en"},
		IncludeReservedNetworks: true,
		IPVersion:               6,
		RecordSize:              24,
	})
	if err != nil {
		return nil, err
	}
	for _, b := range flatBlocks {
		c := cityByName(b.City)
		rec := mmdbtype.Map{
			"city":           mmdbtype.String(c.Name),
			"country":        mmdbtype.String(countryNames[c.Country]),
			"country_code":   mmdbtype.String(c.Country),
			"continent_code": mmdbtype.String(c.Continent),
			"lat":            mmdbtype.String(strconv.FormatFloat(c.Lat, 'f', 4, 64)),
			"lng":            mmdbtype.String(strconv.FormatFloat(c.Lon, 'f', 4, 64)),
			"timezone":       mmdbtype.String(c.TimeZone),
		}
		if err := t.Insert(ipNet(netip.MustParsePrefix(b.Network)), rec); err != nil {
			return nil, fmt.Errorf("insert %s: %w", b.Network, err)
		}
	}
	var buf bytes.Buffer
	if _, err := t.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
