// Command geoipgen writes the small sample GeoIP databases that gslb's tests,
// examples and load tests use:
//
//   - geoip/GeoIP2-City-Test.mmdb: database type "GeoIP2-City", an IPv6 tree
//     with the IPv4 space inserted (aliased at ::ffff:0:0/96, 2001::/32 and
//     2002::/16 as MaxMind does), record size 28, GeoIP2 City record layout.
//   - geoip/GeoLite2-ASN-Test.mmdb: database type "GeoLite2-ASN", record size
//     24, autonomous_system_number and autonomous_system_organization.
//   - geoip/DBIP-City-Lite-Test.mmdb and geoip/Flat-Location-Test.mmdb: two
//     tiny databases in DB-IP's City Lite layout (IPv4-only tree) and in a
//     flat IPinfo-like layout, with other cities on the documentation
//     ranges, for compatibility tests and to swap in during reload tests.
//   - geoip/GeoIP2-City-Misaligned-Test.mmdb and
//     geoip/GeoLite2-ASN-Misaligned-Test.mmdb: a tiny City and ASN database
//     pair whose network boundaries do not line up (ASN networks inside City
//     networks, over several City networks, over holes), for the tests of a
//     walk of both databases together.
//   - geoip/README.md: the map of the documentation ranges to cities, written
//     from the same tables so that it cannot drift from the databases.
//
// Regenerate them from this directory with
//
//	cd testdata/geoipgen && go run . -out ..
//
// The output is deterministic: a fixed build epoch, fixed tables walked in
// slice order, a seeded PCG generator with its own bounded draws, and
// mmdbwriter serialises map keys sorted. Running it twice gives the same
// bytes; commit the databases together with any change here.
//
// # Layout
//
// The documentation ranges (RFC 5737 and RFC 3849) are split among named
// cities; see docBlocks below and the generated README.md. Adjacent blocks
// are sometimes in the same region (Amsterdam and Frankfurt, Ashburn and New
// York) and sometimes not (London and Paris next to Ashburn), so merging
// networks that rank alike widens some scopes and not others. Each city of
// the table also owns 2001:db8:1XX::/48, XX being its index in hex.
//
// For benchmarks and load tests a few thousand more networks (IPv4 /16 to
// /24 in eight public /8s, IPv6 /32 to /48 in five /12s) are assigned to the
// cities of the region that the real registry of that space serves (with some
// strays), and about one in ten only to a country, without coordinates.
// This spread is not documented network by network: walk the database.
//
// # A GeoLite2-size database
//
// With -large FILE it writes only one large City database, for the
// benchmark of a GeoLite2-size database (bench/geoip.sh, make bench-geoip),
// which generates it into a temporary directory: it is never committed.
// See writeLarge in large.go for its layout; -networks, -v6share and
// -variant (a later build with some networks moved) shape it. The output
// depends only on the flags.
//
// This program has its own go.mod so that mmdbwriter stays out of gslb's
// dependencies.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// buildEpoch is 2026-01-01T00:00:00Z, fixed so that the output is stable.
const buildEpoch = 1767225600

// docBlock is one documented network: Place is a city name of the table,
// "country:CC" for a country-only record, or "" for a hole with no data.
type docBlock struct {
	Network string
	Place   string
}

// docBlocks is the documented layout of the documentation ranges.
var docBlocks = []docBlock{
	// 192.0.2.0/24 (TEST-NET-1): Europe.
	{"192.0.2.0/26", "Amsterdam"},
	{"192.0.2.64/26", "Frankfurt am Main"},
	{"192.0.2.128/26", "London"},
	{"192.0.2.192/27", "Paris"},
	{"192.0.2.224/27", ""},
	// 198.51.100.0/24 (TEST-NET-2): the Americas.
	{"198.51.100.0/26", "Ashburn"},
	{"198.51.100.64/26", "New York"},
	{"198.51.100.128/26", "San Jose"},
	{"198.51.100.192/27", "Dallas"},
	{"198.51.100.224/27", "São Paulo"},
	// 203.0.113.0/24 (TEST-NET-3): Asia, Oceania, Africa.
	{"203.0.113.0/26", "Singapore"},
	{"203.0.113.64/26", "Tokyo"},
	{"203.0.113.128/26", "Sydney"},
	{"203.0.113.192/27", "Mumbai"},
	{"203.0.113.224/28", "Johannesburg"},
	{"203.0.113.240/28", "country:US"},
	// 2001:db8::/32: the same places by /48, then every city of the table.
	{"2001:db8::/48", ""},
	{"2001:db8:1::/48", "Amsterdam"},
	{"2001:db8:2::/48", "Frankfurt am Main"},
	{"2001:db8:3::/48", "London"},
	{"2001:db8:4::/48", "Paris"},
	{"2001:db8:5::/48", "Ashburn"},
	{"2001:db8:6::/48", "New York"},
	{"2001:db8:7::/48", "San Jose"},
	{"2001:db8:8::/48", "Dallas"},
	{"2001:db8:9::/48", "São Paulo"},
	{"2001:db8:a::/48", "Singapore"},
	{"2001:db8:b::/48", "Tokyo"},
	{"2001:db8:c::/48", "Sydney"},
	{"2001:db8:d::/48", "Mumbai"},
	{"2001:db8:e::/48", "Johannesburg"},
	{"2001:db8:f::/48", "country:US"},
}

// asnBlock is one network of the ASN database.
type asnBlock struct {
	Network string
	ASN     uint32 // RFC 5398 documentation numbers
	Org     string
}

// asnBlocks is the documented layout of the ASN database. Some networks are
// wider than the City networks they cover and one (203.0.113.128/27) is
// narrower.
var asnBlocks = []asnBlock{
	{"192.0.2.0/25", 64496, "Example Networks Europe"},
	{"192.0.2.128/25", 64497, "Example Transit"},
	{"198.51.100.0/24", 64498, "Example Cloud Americas"},
	{"203.0.113.0/24", 64499, "Example Asia Pacific"},
	{"203.0.113.128/27", 64500, "Example Oceania"},
	{"2001:db8::/32", 64501, "Example IPv6"},
	{"2001:db8:3::/48", 64502, "Example London IPv6"},
}

// spreadSpace is one public block filled with random networks for the
// benchmarks, biased to the continents that its registry serves.
type spreadSpace struct {
	Block      string
	Continents string // space-separated continent codes; "" means all
	Count      int
	MinBits    int
	MaxBits    int
}

var spreadSpaces = []spreadSpace{
	{"5.0.0.0/8", "EU", 350, 16, 24},
	{"31.0.0.0/8", "EU", 350, 16, 24},
	{"24.0.0.0/8", "NA", 350, 16, 24},
	{"63.0.0.0/8", "NA", 350, 16, 24},
	{"103.0.0.0/8", "AS OC", 350, 16, 24},
	{"177.0.0.0/8", "SA", 350, 16, 24},
	{"196.0.0.0/8", "AF", 350, 16, 24},
	{"45.0.0.0/8", "", 350, 16, 24},
	{"2a00::/12", "EU", 200, 29, 48},
	{"2600::/12", "NA", 200, 29, 48},
	{"2400::/12", "AS OC", 200, 29, 48},
	{"2800::/12", "SA", 200, 29, 48},
	{"2c00::/12", "AF", 200, 29, 48},
}

// spreadASNs are the ASNs (RFC 5398 32-bit documentation numbers) given to the
// spread networks.
var spreadASNs = func() []asnBlock {
	var out []asnBlock
	for i := range uint32(16) {
		out = append(out, asnBlock{ASN: 65536 + i, Org: fmt.Sprintf("Example Access Network %d", i+1)})
	}
	return out
}()

func main() {
	out := flag.String("out", "..", "directory under which geoip/ is written")
	var large largeOptions
	flag.StringVar(&large.Path, "large", "", "write only a GeoLite2-size City database to this file (benchmarks; never committed)")
	flag.IntVar(&large.Networks, "networks", 3_800_000, "-large: networks to write")
	flag.IntVar(&large.V6Share, "v6share", 25, "-large: percent of the networks that are IPv6")
	flag.IntVar(&large.Variant, "variant", 0, "-large: 0 for the base data, n > 0 for a later build (about 3% of networks moved, probe networks moved)")
	flag.Parse()
	if large.Path != "" {
		if err := writeLarge(large); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := run(filepath.Join(*out, "geoip")); err != nil {
		log.Fatal(err)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	city, asn, err := build()
	if err != nil {
		return err
	}
	dbip, err := buildDBIP()
	if err != nil {
		return err
	}
	flat, err := buildFlat()
	if err != nil {
		return err
	}
	mcity, masn, err := buildMisaligned()
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"GeoIP2-City-Test.mmdb":             city,
		"GeoLite2-ASN-Test.mmdb":            asn,
		"DBIP-City-Lite-Test.mmdb":          dbip,
		"Flat-Location-Test.mmdb":           flat,
		"GeoIP2-City-Misaligned-Test.mmdb":  mcity,
		"GeoLite2-ASN-Misaligned-Test.mmdb": masn,
		"README.md":                         readme(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// build returns the City and the ASN database.
func build() (cityDB, asnDB []byte, err error) {
	ct, err := mmdbwriter.New(mmdbwriter.Options{
		BuildEpoch:              buildEpoch,
		DatabaseType:            "GeoIP2-City",
		Description:             map[string]string{"en": "gslb sample GeoIP2 City database (generated by testdata/geoipgen; not real data)"},
		Languages:               []string{"en"},
		IncludeReservedNetworks: true,
		IPVersion:               6,
		RecordSize:              28,
	})
	if err != nil {
		return nil, nil, err
	}
	at, err := mmdbwriter.New(mmdbwriter.Options{
		BuildEpoch:              buildEpoch,
		DatabaseType:            "GeoLite2-ASN",
		Description:             map[string]string{"en": "gslb sample GeoLite2 ASN database (generated by testdata/geoipgen; not real data)"},
		Languages:               []string{"en"},
		IncludeReservedNetworks: true,
		IPVersion:               6,
		RecordSize:              24,
	})
	if err != nil {
		return nil, nil, err
	}

	records := make([]mmdbtype.Map, len(cities))
	byName := make(map[string]int, len(cities))
	for i, c := range cities {
		records[i] = cityRecord(c)
		byName[c.Name] = i
	}
	insert := func(t *mmdbwriter.Tree, p netip.Prefix, rec mmdbtype.DataType) error {
		if err := t.Insert(ipNet(p), rec); err != nil {
			return fmt.Errorf("insert %s: %w", p, err)
		}
		return nil
	}

	for _, b := range docBlocks {
		p := netip.MustParsePrefix(b.Network)
		switch {
		case b.Place == "":
			continue
		case strings.HasPrefix(b.Place, "country:"):
			cc := strings.TrimPrefix(b.Place, "country:")
			if err := insert(ct, p, countryRecord(cc, continentOf(cc))); err != nil {
				return nil, nil, err
			}
		default:
			i, ok := byName[b.Place]
			if !ok {
				return nil, nil, fmt.Errorf("doc block %s: no city %q", b.Network, b.Place)
			}
			if err := insert(ct, p, records[i]); err != nil {
				return nil, nil, err
			}
		}
	}
	for i := range cities {
		if err := insert(ct, cityV6(i), records[i]); err != nil {
			return nil, nil, err
		}
	}
	for _, b := range asnBlocks {
		if err := insert(at, netip.MustParsePrefix(b.Network), asnRecord(b)); err != nil {
			return nil, nil, err
		}
	}

	rng := newRNG(20260101)
	for _, s := range spreadSpaces {
		var pool []int
		for i, c := range cities {
			if s.Continents == "" || strings.Contains(s.Continents, c.Continent) {
				pool = append(pool, i)
			}
		}
		block := netip.MustParsePrefix(s.Block)
		cur := block.Addr()
		for range s.Count {
			bits := s.MinBits + rng.intn(s.MaxBits-s.MinBits+1)
			cur = alignUp(cur, bits)
			p := netip.PrefixFrom(cur, bits)
			if !block.Contains(cur) || !block.Contains(lastAddr(p)) {
				break
			}
			var rec mmdbtype.DataType
			switch r := rng.intn(100); {
			case r < 10:
				c := cities[pool[rng.intn(len(pool))]]
				rec = countryRecord(c.Country, c.Continent)
			case r < 15:
				rec = records[rng.intn(len(records))]
			default:
				rec = records[pool[rng.intn(len(pool))]]
			}
			if err := insert(ct, p, rec); err != nil {
				return nil, nil, err
			}
			if err := insert(at, p, asnRecord(spreadASNs[rng.intn(len(spreadASNs))])); err != nil {
				return nil, nil, err
			}
			// Leave a hole now and then, of up to three networks of this size.
			cur = lastAddr(p).Next()
			if rng.intn(2) == 0 {
				for range rng.intn(4) {
					cur = lastAddr(netip.PrefixFrom(cur, bits)).Next()
				}
			}
			if !cur.IsValid() {
				break
			}
		}
	}

	var cb, ab bytes.Buffer
	if _, err := ct.WriteTo(&cb); err != nil {
		return nil, nil, fmt.Errorf("write city database: %w", err)
	}
	if _, err := at.WriteTo(&ab); err != nil {
		return nil, nil, fmt.Errorf("write asn database: %w", err)
	}
	return cb.Bytes(), ab.Bytes(), nil
}

// cityV6 is the network that city i owns: 2001:db8:1XX::/48.
func cityV6(i int) netip.Prefix {
	return netip.MustParsePrefix(fmt.Sprintf("2001:db8:%x::/48", 0x100+i))
}

func continentOf(country string) string {
	for _, c := range cities {
		if c.Country == country {
			return c.Continent
		}
	}
	panic("no continent for " + country)
}

func names(en string) mmdbtype.Map {
	return mmdbtype.Map{"en": mmdbtype.String(en)}
}

func countryMap(cc string) mmdbtype.Map {
	return mmdbtype.Map{"iso_code": mmdbtype.String(cc), "names": names(countryNames[cc])}
}

func continentMap(code string) mmdbtype.Map {
	return mmdbtype.Map{"code": mmdbtype.String(code), "names": names(continentNames[code])}
}

// cityRecord is a GeoIP2 City record for c.
func cityRecord(c city) mmdbtype.Map {
	m := mmdbtype.Map{
		"city":               mmdbtype.Map{"names": names(c.Name)},
		"continent":          continentMap(c.Continent),
		"country":            countryMap(c.Country),
		"registered_country": countryMap(c.Country),
		"location": mmdbtype.Map{
			"accuracy_radius": mmdbtype.Uint16(c.Radius),
			"latitude":        mmdbtype.Float64(c.Lat),
			"longitude":       mmdbtype.Float64(c.Lon),
			"time_zone":       mmdbtype.String(c.TimeZone),
		},
	}
	if len(c.Subdivs) > 0 {
		var subs mmdbtype.Slice
		for _, s := range c.Subdivs {
			subs = append(subs, mmdbtype.Map{"iso_code": mmdbtype.String(s), "names": names(c.Country + "-" + s)})
		}
		m["subdivisions"] = subs
	}
	return m
}

// countryRecord is a GeoIP2 City record that knows only the country.
func countryRecord(cc, continent string) mmdbtype.Map {
	return mmdbtype.Map{
		"continent":          continentMap(continent),
		"country":            countryMap(cc),
		"registered_country": countryMap(cc),
	}
}

func asnRecord(b asnBlock) mmdbtype.Map {
	return mmdbtype.Map{
		"autonomous_system_number":       mmdbtype.Uint32(b.ASN),
		"autonomous_system_organization": mmdbtype.String(b.Org),
	}
}

func ipNet(p netip.Prefix) *net.IPNet {
	a := p.Addr()
	return &net.IPNet{IP: a.AsSlice(), Mask: net.CIDRMask(p.Bits(), a.BitLen())}
}

// alignUp returns the first address at or after a that starts a /bits network.
func alignUp(a netip.Addr, bits int) netip.Addr {
	p := netip.PrefixFrom(a, bits).Masked()
	if p.Addr() == a {
		return a
	}
	return lastAddr(p).Next()
}

// lastAddr is the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// rng is a PCG-XSH-RR style generator written out here so that the output
// does not depend on the standard library's choice of algorithms.
type rng struct{ state uint64 }

func newRNG(seed uint64) *rng { return &rng{state: seed*6364136223846793005 + 1442695040888963407} }

func (r *rng) next() uint32 {
	old := r.state
	r.state = old*6364136223846793005 + 1442695040888963407
	x := uint32(((old >> 18) ^ old) >> 27)
	rot := uint32(old >> 59)
	return x>>rot | x<<((-rot)&31)
}

// intn returns a number in [0, n); the slight modulo bias does not matter.
func (r *rng) intn(n int) int { return int(r.next() % uint32(n)) }
