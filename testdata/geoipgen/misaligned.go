package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// misalignedCity and misalignedASN are the networks of a City and an ASN
// database whose boundaries do not line up, for the tests of a walk of both
// databases together (mmdb.Snapshot.NetworksWithASN). A Place is as in
// docBlocks: a city name, or "country:CC".
var misalignedCity = []docBlock{
	// The first network of IPv4, with an ASN network inside at its start.
	{"0.0.0.0/24", "Amsterdam"},
	// ASN networks inside at its start, middle and end, with gaps between.
	{"10.0.0.0/16", "Frankfurt am Main"},
	// Four City networks and holes under one ASN network.
	{"10.1.0.0/24", "London"},
	{"10.1.1.0/24", "Paris"},
	{"10.1.2.0/23", "Madrid"},
	{"10.1.128.0/17", "Ashburn"},
	// ASN networks inside at different depths.
	{"10.2.0.0/15", "New York"},
	// Two City networks and two holes under a wider ASN network.
	{"10.4.0.0/16", "San Jose"},
	{"10.6.0.0/16", "Dallas"},
	// The same network in both databases.
	{"10.9.0.0/16", "Singapore"},
	// Country only, half of it in an ASN network.
	{"10.10.0.0/16", "country:US"},
	// No ASN network at all.
	{"10.12.0.0/16", "Tokyo"},
	// The last network of IPv4, with an ASN network at its last address.
	{"255.255.255.0/24", "Sydney"},
	// ASN networks inside at its start and over its second half.
	{"2001:db8::/32", "Tokyo"},
	// Three City networks under one ASN /12.
	{"2a00::/32", "Amsterdam"},
	{"2a01:4f8::/32", "Frankfurt am Main"},
	{"2a0f::/16", "Stockholm"},
	// The last network of IPv6, with an ASN network at its end.
	{"ffff::/16", "McMurdo Station"},
}

var misalignedASN = []asnBlock{
	{"0.0.0.0/25", 64496, "Example First Half"},
	{"10.0.0.0/24", 64497, "Example Start"},
	{"10.0.64.0/18", 64498, "Example Middle"},
	{"10.0.255.0/24", 64499, "Example End"},
	{"10.1.0.0/16", 64500, "Example Wide"},
	{"10.2.0.0/16", 64501, "Example Lower Half"},
	{"10.3.3.0/24", 64502, "Example Deep"},
	{"10.4.0.0/14", 64503, "Example Wider"},
	{"10.8.0.0/16", 64504, "Example No City"}, // no City network: no location
	{"10.9.0.0/16", 64505, "Example Same"},
	{"10.10.0.0/17", 64506, "Example Country Half"},
	{"255.255.255.255/32", 64507, "Example Last Address"},
	{"2001:db8::/48", 64508, "Example IPv6 Start"},
	{"2001:db8:8000::/33", 64509, "Example IPv6 Second Half"},
	{"2a00::/12", 64510, "Example IPv6 Wide"},
	{"ffff:ffff:ffff:ffff::/64", 64511, "Example IPv6 Last"},
}

// buildMisaligned returns the City and the ASN database of misalignedCity
// and misalignedASN, with the types and tree layouts of the main samples.
func buildMisaligned() (cityDB, asnDB []byte, err error) {
	opts := func(typ, desc string, recordSize int) mmdbwriter.Options {
		return mmdbwriter.Options{
			BuildEpoch:              buildEpoch,
			DatabaseType:            typ,
			Description:             map[string]string{"en": desc},
			Languages:               []string{"en"},
			IncludeReservedNetworks: true,
			IPVersion:               6,
			RecordSize:              recordSize,
		}
	}
	ct, err := mmdbwriter.New(opts("GeoIP2-City", "gslb sample City database misaligned with its ASN database (not real data)", 28))
	if err != nil {
		return nil, nil, err
	}
	at, err := mmdbwriter.New(opts("GeoLite2-ASN", "gslb sample ASN database misaligned with its City database (not real data)", 24))
	if err != nil {
		return nil, nil, err
	}
	for _, b := range misalignedCity {
		var rec mmdbtype.DataType
		if cc, ok := strings.CutPrefix(b.Place, "country:"); ok {
			rec = countryRecord(cc, continentOf(cc))
		} else {
			rec = cityRecord(cityByName(b.Place))
		}
		if err := ct.Insert(ipNet(netip.MustParsePrefix(b.Network)), rec); err != nil {
			return nil, nil, fmt.Errorf("insert %s: %w", b.Network, err)
		}
	}
	for _, b := range misalignedASN {
		if err := at.Insert(ipNet(netip.MustParsePrefix(b.Network)), asnRecord(b)); err != nil {
			return nil, nil, fmt.Errorf("insert %s: %w", b.Network, err)
		}
	}
	var cb, ab bytes.Buffer
	if _, err := ct.WriteTo(&cb); err != nil {
		return nil, nil, fmt.Errorf("write misaligned city database: %w", err)
	}
	if _, err := at.WriteTo(&ab); err != nil {
		return nil, nil, fmt.Errorf("write misaligned asn database: %w", err)
	}
	return cb.Bytes(), ab.Bytes(), nil
}
