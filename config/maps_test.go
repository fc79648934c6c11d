package config_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// dcs is a [datacenters] section with the FORMAT.md example's datacenters.
const dcs = `[datacenters.ams]
lat = 52.37
lon = 4.90
[datacenters.iad]
lat = 38.95
lon = -77.45
[datacenters.sin]
lat = 1.35
lon = 103.82
[datacenters.fra]
lat = 50.11
lon = 8.68
[datacenters.sjc]
lat = 37.34
lon = -121.89
`

func TestMapsAndPools(t *testing.T) {
	src := `[geoip]
city = "city.mmdb"
asn = "asn.mmdb"
` + dcs + `
[maps.geo]
default      = ["ams", "*"]
continents   = { EU = ["ams", "fra"], NA = ["iad", "sjc", "*"] }
countries    = { GB = ["fra", "ams"], JP = ["sin", "*"] }
subdivisions = { "US-CA" = ["sjc", "iad"] }
asns         = { "64500" = ["fra"] }
cidrs        = { "198.51.100.0/25" = ["iad"], "2001:db8:b::/48" = ["sin"] }

[pools.web]
policy = "sticky"
map = "geo"
address_policy = "weighted"
sticky_ipv4_prefix = 20
sticky_ipv6_prefix = 48
spill = "capacity"
spill_width = 2
ramp_up = "5m"
members = [
  { datacenter = "ams", addresses = ["192.0.2.10", { addr = "192.0.2.11", weight = 3 }], weight = 2, capacity = 400, bias = 25 },
  { datacenter = "iad", addresses = ["198.51.100.10"] },
  { datacenter = "sin", cname = "sin.cdn.example.net." },
]
`
	cfg, err := config.Parse("c.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Maps["geo"]
	if m == nil || len(m.Entries()) != 9 {
		t.Fatalf("maps.geo = %v", m)
	}
	jp := m.Match(netip.MustParseAddr("192.0.2.1"), geo.Location{Country: "JP", Continent: "AS"})
	if jp < 0 || m.Entry(jp).String() != `country JP = ["sin", "*"]` {
		t.Errorf("JP matches entry %d", jp)
	}
	p := cfg.Pools["web"]
	if p == nil {
		t.Fatal("no pool web")
	}
	ams := p.Members[0]
	if p.Policy != pick.Sticky || p.Map != m || p.AddressPolicy != pick.WeightedAddresses || p.StickyIPv4Prefix != 20 ||
		p.StickyIPv6Prefix != 48 || p.Spill != pick.SpillCapacity || p.SpillWidth != 2 || p.RampUp.Minutes() != 5 {
		t.Errorf("pool web = %+v", p)
	}
	if ams.Weight != 2 || ams.Capacity != 400 || ams.Bias != 25 || len(ams.V4) != 2 || ams.W4[0] != 1 || ams.W4[1] != 3 {
		t.Errorf("member ams = %+v", ams)
	}
	if iad := p.Members[1]; iad.Weight != 1 || iad.Capacity != 1 || iad.W4 != nil {
		t.Errorf("member iad defaults = %+v", iad)
	}
	if sin := p.Members[2]; sin.CNAME != "sin.cdn.example.net." {
		t.Errorf("member sin = %+v", sin)
	}
}

func TestMapAndPoolErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown datacenter", "[maps.m]\ndefault = [\"ams\", \"AMS\"]",
			[]string{`c.toml:2:19: maps.m.default[1]: datacenter "AMS" is not defined ([datacenters.AMS]); did you mean "ams"?`}},
		{"star not last", "[maps.m]\ndefault = [\"*\", \"ams\"]",
			[]string{`c.toml:2:12: maps.m.default[0]: "*" must be the last item`}},
		{"twice", "[maps.m]\ndefault = [\"ams\", \"ams\"]",
			[]string{`c.toml:2:19: maps.m.default[1]: datacenter "ams" listed twice`}},
		{"empty", "[maps.m]\ndefault = []",
			[]string{`c.toml:2:11: maps.m.default: no datacenters`}},
		{"bad continent", "[maps.m]\ncontinents = { XX = [\"ams\"] }",
			[]string{`c.toml:2:21: maps.m.continents.XX: unknown continent code "XX"`}},
		{"bad country", "[maps.m]\ncountries = { jp = [\"sin\"], USA = [\"iad\"] }",
			[]string{`c.toml:2:20: maps.m.countries.jp: invalid country code "jp"`, `c.toml:2:35: maps.m.countries.USA: invalid country code "USA"`}},
		{"bad subdivision", "[maps.m]\nsubdivisions = { CA = [\"sjc\"] }",
			[]string{`c.toml:2:23: maps.m.subdivisions.CA: invalid subdivision code "CA"`}},
		{"asn without database", "[maps.m]\nasns = { \"64500\" = [\"fra\"] }",
			[]string{`c.toml:2:20: maps.m.asns.64500: asns need an ASN database: set [geoip] asn`}},
		{"bad cidr", "[maps.m]\ncidrs = { \"198.51.100.1/24\" = [\"iad\"], \"10.0.0.0/33\" = [\"iad\"] }",
			[]string{`c.toml:2:31: maps.m.cidrs."198.51.100.1/24": CIDR "198.51.100.1/24" has host bits set: did you mean "198.51.100.0/24"?`,
				`c.toml:2:56: maps.m.cidrs."10.0.0.0/33": invalid CIDR "10.0.0.0/33"`}},
		{"cidr in 6to4", "[maps.m]\ncidrs = { \"2002:c000:200::/40\" = [\"iad\"] }",
			[]string{`c.toml:2:34: maps.m.cidrs."2002:c000:200::/40": CIDR "2002:c000:200::/40" is inside 2002::/16`}},
		{"unknown map key", "[maps.m]\ncountry = { JP = [\"sin\"] }",
			[]string{`c.toml:2:11: maps.m.country: unknown key`}},
		{"pool unknown map and policy", "[pools.p]\nmap = \"nomap\"\npolicy = \"random\"\nmembers = [{ datacenter = \"ams\", addresses = [\"192.0.2.1\"] }]",
			[]string{`c.toml:2:7: pools.p.map: map "nomap" is not defined in the server configuration ([maps.nomap])`,
				`c.toml:3:10: pools.p.policy: unknown policy "random": want nearest, failover, weighted or sticky`}},
		{"pool member keys", "[pools.p]\nmembers = [{ datacenter = \"ams\", addresses = [{ addr = \"192.0.2.1\", weight = 0 }], bias = 100, capacity = 0 }]",
			[]string{`c.toml:2:`, `c.toml:2:`, `c.toml:2:`}},
		{"pool relative cname", "[pools.p]\nmembers = [{ datacenter = \"ams\", cname = \"cdn\" }]",
			[]string{`c.toml:2:42: pools.p.members[0].cname: "cdn" must be an absolute name ending in a dot`}},
		{"pool spill", "[pools.p]\nspill = \"overflow\"\nmembers = [{ datacenter = \"ams\", addresses = [\"192.0.2.1\"] }]",
			[]string{`c.toml:2:9: pools.p.spill: unknown spill "overflow": want next or capacity`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("c.toml", []byte(dcs+tt.src))
			got := tomlcheck.Errors(err)
			if len(got) != len(tt.want) {
				t.Fatalf("Parse errors = %v, want %q", err, tt.want)
			}
			for i, e := range got {
				// Lines count from the datacenters section prepended.
				msg := shiftLines(e.Error(), strings.Count(dcs, "\n"))
				if !strings.HasPrefix(msg, tt.want[i]) {
					t.Errorf("error %d = %q, want prefix %q", i, msg, tt.want[i])
				}
			}
		})
	}
}

// shiftLines rewrites "c.toml:L:C: ..." to line L-n.
func shiftLines(msg string, n int) string {
	rest, ok := strings.CutPrefix(msg, "c.toml:")
	if !ok {
		return msg
	}
	line, tail, _ := strings.Cut(rest, ":")
	var l int
	for _, ch := range line {
		l = l*10 + int(ch-'0')
	}
	return "c.toml:" + itoa(l-n) + ":" + tail
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
