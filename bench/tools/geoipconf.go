package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// geoDC is a datacenter of the GeoIP benchmark.
type geoDC struct {
	name     string
	lat, lon float64
	addr     string
}

// geoDCs are the thirteen datacenters the ten pools draw from.
var geoDCs = []geoDC{
	{"ams", 52.37, 4.90, "192.0.2.1"},
	{"fra", 50.11, 8.68, "192.0.2.2"},
	{"lhr", 51.51, -0.13, "192.0.2.3"},
	{"iad", 38.95, -77.45, "192.0.2.4"},
	{"ord", 41.98, -87.90, "192.0.2.5"},
	{"sjc", 37.34, -121.89, "192.0.2.6"},
	{"dfw", 32.90, -97.04, "192.0.2.7"},
	{"gru", -23.55, -46.63, "192.0.2.8"},
	{"sin", 1.35, 103.82, "192.0.2.9"},
	{"nrt", 35.76, 140.39, "192.0.2.10"},
	{"syd", -33.87, 151.21, "192.0.2.11"},
	{"jnb", -26.20, 28.05, "192.0.2.12"},
	{"bom", 19.08, 72.88, "192.0.2.13"},
}

// geoPool is one of the ten pools: each has a name pN.geo.test of its own.
type geoPool struct {
	name    string
	policy  string // nearest | sticky
	members []string
	geomap  string // "" or a key of geoMaps
	bias    map[string]int
}

var allDCs = func() []string {
	var out []string
	for _, d := range geoDCs {
		out = append(out, d.name)
	}
	return out
}()

// geoPools are the ten pools: different datacenter sets, one with a bias,
// three with the map "geo", one with the map "cc", one sticky; no two share
// a ranking table (every TableKey differs).
var geoPools = []geoPool{
	{name: "p0", policy: "nearest", members: allDCs},
	{name: "p1", policy: "nearest", members: []string{"ams", "iad", "sin"}},
	{name: "p2", policy: "nearest", members: []string{"fra", "lhr", "ord", "sjc", "nrt", "syd"}},
	{name: "p3", policy: "nearest", members: []string{"ams", "fra", "iad", "sjc", "gru", "sin", "syd"}},
	{name: "p4", policy: "nearest", members: []string{"ams", "fra", "iad", "sjc", "gru", "sin", "syd"}, bias: map[string]int{"ams": 25, "sin": -20}},
	{name: "p5", policy: "nearest", members: allDCs, geomap: "geo"},
	{name: "p6", policy: "nearest", members: []string{"ams", "iad", "sin", "syd", "gru"}, geomap: "geo"},
	{name: "p7", policy: "sticky", members: []string{"ams", "fra", "iad", "sjc", "sin", "syd"}, geomap: "geo"},
	{name: "p8", policy: "nearest", members: []string{"lhr", "iad", "sjc", "sin", "syd", "jnb", "bom"}},
	{name: "p9", policy: "nearest", members: []string{"ams", "fra", "iad", "dfw", "sin", "nrt"}, geomap: "cc"},
}

// geoEntry is one entry of a map: a continent, a country (with its
// continent, which gdnsd's hierarchy needs) or a CIDR, and its list
// ("*" last: the other members after them).
type geoEntry struct {
	kind      string // continent | country | cidr
	key       string
	continent string // of a country
	dcs       []string
}

// geoMaps are the maps of the benchmark: "geo" has continents, countries
// and CIDRs; "cc" countries and CIDRs only.
var geoMaps = map[string][]geoEntry{
	"geo": append([]geoEntry{
		{"continent", "EU", "", []string{"ams", "fra", "lhr"}},
		{"continent", "AF", "", []string{"jnb", "ams", "*"}},
		{"continent", "OC", "", []string{"syd", "sin"}},
		{"continent", "SA", "", []string{"gru", "iad", "*"}},
		{"country", "JP", "AS", []string{"nrt", "sin", "*"}},
		{"country", "IN", "AS", []string{"bom", "sin", "*"}},
		{"country", "CN", "AS", []string{"sin", "nrt"}},
		{"country", "RU", "EU", []string{"fra", "ams"}},
		{"country", "BR", "SA", []string{"gru", "*"}},
		{"country", "GB", "EU", []string{"lhr", "ams", "*"}},
		{"country", "CA", "NA", []string{"ord", "iad", "*"}},
		{"country", "ZA", "AF", []string{"jnb", "*"}},
		{"country", "AE", "AS", []string{"bom", "fra", "*"}},
		{"country", "MX", "NA", []string{"dfw", "iad", "*"}},
	}, geoCIDRs(20)...),
	"cc": append([]geoEntry{
		{"country", "US", "NA", []string{"iad", "dfw", "*"}},
		{"country", "DE", "EU", []string{"fra", "ams"}},
		{"country", "NL", "EU", []string{"ams", "fra"}},
		{"country", "JP", "AS", []string{"nrt", "*"}},
		{"country", "KR", "AS", []string{"nrt", "sin", "*"}},
		{"country", "AU", "OC", []string{"sin", "nrt"}},
	}, geoCIDRs(10)...),
}

// geoCIDRs returns n CIDR entries in space the generated database fills
// (IPv4 /16s and IPv6 /32s), each to one or two datacenters.
func geoCIDRs(n int) []geoEntry {
	var out []geoEntry
	for i := range n {
		dc := geoDCs[i%len(geoDCs)].name
		if i%2 == 0 {
			out = append(out, geoEntry{"cidr", fmt.Sprintf("%d.%d.0.0/16", 20+i, 3*i), "", []string{dc}})
		} else {
			out = append(out, geoEntry{"cidr", fmt.Sprintf("2a00:%x::/32", 0x100+i), "", []string{dc, "*"}})
		}
	}
	return out
}

// entryFor returns the entry's list for a pool: the pool's members among
// the entry's datacenters, in order, then (with "*") the other members
// in the pool's order; nil when none is left.
func (e geoEntry) entryFor(p geoPool) []string {
	var out []string
	star := false
	for _, d := range e.dcs {
		if d == "*" {
			star = true
			continue
		}
		if slices.Contains(p.members, d) {
			out = append(out, d)
		}
	}
	if star {
		for _, m := range p.members {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// writeGslbGeo writes gslb.toml and zones/geo.test.toml into dir.
func writeGslbGeo(dir string, port, ctlPort int, db string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# generated by gslbbench geoip\nlisten = [\"127.0.0.1:%d\"]\nzones = \"zones\"\nstate = \"gslb.db\"\nlog_level = \"info\"\n\n", port)
	fmt.Fprintf(&b, "[geoip]\ncity = %q\n\n[control]\nlisten = \"127.0.0.1:%d\"\n", db, ctlPort)
	for _, d := range geoDCs {
		fmt.Fprintf(&b, "\n[datacenters.%s]\nlat = %g\nlon = %g\n", d.name, d.lat, d.lon)
	}
	for _, name := range []string{"cc", "geo"} {
		fmt.Fprintf(&b, "\n[maps.%s]\n", name)
		groups := map[string][]string{}
		for _, e := range geoMaps[name] {
			groups[e.kind] = append(groups[e.kind], fmt.Sprintf("%q = [%s]", e.key, quoteAll(e.dcs)))
		}
		for _, kind := range [][2]string{{"continent", "continents"}, {"country", "countries"}, {"cidr", "cidrs"}} {
			if len(groups[kind[0]]) > 0 {
				fmt.Fprintf(&b, "%s = { %s }\n", kind[1], strings.Join(groups[kind[0]], ", "))
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "gslb.toml"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("origin = \"geo.test.\"\nttl = \"1h\"\nrecords = [\n  \"@ NS ns1\",\n  \"ns1 A 192.0.2.53\",\n]\n\n")
	b.WriteString("[soa]\nprimary = \"ns1.geo.test.\"\ncontact = \"hostmaster.geo.test.\"\nserial = 1\n")
	for _, p := range geoPools {
		fmt.Fprintf(&b, "\n[gslb.%s]\npool = %q\nttl = \"30s\"\n", p.name, p.name)
	}
	for _, p := range geoPools {
		fmt.Fprintf(&b, "\n[pools.%s]\npolicy = %q\nmax_answers = 1\n", p.name, p.policy)
		if p.geomap != "" {
			fmt.Fprintf(&b, "map = %q\n", p.geomap)
		}
		b.WriteString("members = [\n")
		for _, m := range p.members {
			bias := ""
			if v := p.bias[m]; v != 0 {
				bias = fmt.Sprintf(", bias = %d", v)
			}
			fmt.Fprintf(&b, "  { datacenter = %q, addresses = [%q]%s },\n", m, dcAddr(m), bias)
		}
		b.WriteString("]\n")
	}
	if err := os.MkdirAll(filepath.Join(dir, "zones"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "zones", "geo.test.toml"), []byte(b.String()), 0o644)
}

func dcAddr(name string) string {
	for _, d := range geoDCs {
		if d.name == name {
			return d.addr
		}
	}
	panic("no datacenter " + name)
}

// writeGdnsdGeo writes gdnsd's config and zones/geo.test into dir: one
// geoip map per pool (city-auto-mode over the pool's members for nearest
// pools, ranking all of them as gslb does; a static map for the sticky
// one), the map entries as gdnsd map and nets entries, one resource per
// pool. gdnsd has no bias: p4's map is p3's.
func writeGdnsdGeo(dir string, port int, db string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# gdnsd 3 configuration, generated by gslbbench geoip\noptions => {\n  listen => [ 127.0.0.1:%d ]\n", port)
	fmt.Fprintf(&b, "  run_dir => %s/run\n  state_dir => %s/state\n  udp_threads => 1\n  tcp_threads => 1\n}\n", dir, dir)
	b.WriteString("plugins => {\n  geoip => {\n    maps => {\n")
	for _, p := range geoPools {
		fmt.Fprintf(&b, "      m%s => {\n        geoip2_db => %s\n        datacenters => [ %s ]\n", p.name, db, strings.Join(p.members, ", "))
		if p.policy == "nearest" {
			fmt.Fprintf(&b, "        auto_dc_limit => %d\n        auto_dc_coords => {\n", len(p.members))
			for _, m := range p.members {
				for _, d := range geoDCs {
					if d.name == m {
						fmt.Fprintf(&b, "          %s => [ %g, %g ]\n", d.name, d.lat, d.lon)
					}
				}
			}
			b.WriteString("        }\n")
		}
		if p.geomap != "" {
			writeGdnsdMap(&b, p)
		}
		b.WriteString("      }\n")
	}
	b.WriteString("    }\n    resources => {\n")
	for _, p := range geoPools {
		fmt.Fprintf(&b, "      %s => {\n        map => m%s\n        dcmap => {\n", p.name, p.name)
		for _, m := range p.members {
			fmt.Fprintf(&b, "          %s => %s\n", m, dcAddr(m))
		}
		b.WriteString("        }\n      }\n")
	}
	b.WriteString("    }\n  }\n}\n")
	for _, sub := range []string{"run", "state", "zones"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("$ORIGIN geo.test.\n$TTL 3600\n@ SOA ns1 hostmaster 1 3600 900 1209600 3600\n@ NS ns1\nns1 A 192.0.2.53\n")
	for _, p := range geoPools {
		fmt.Fprintf(&b, "%s 30 DYNA geoip!%s\n", p.name, p.name)
	}
	return os.WriteFile(filepath.Join(dir, "zones", "geo.test"), []byte(b.String()), 0o644)
}

// writeGdnsdMap writes the map and nets stanzas of p's map: continents,
// countries nested under their continent, CIDRs as nets.
func writeGdnsdMap(b *strings.Builder, p geoPool) {
	conts := map[string][]string{} // continent -> lines inside it
	var order []string
	add := func(c, line string) {
		if _, ok := conts[c]; !ok {
			order = append(order, c)
		}
		conts[c] = append(conts[c], line)
	}
	var nets []string
	for _, e := range geoMaps[p.geomap] {
		list := e.entryFor(p)
		if len(list) == 0 {
			continue
		}
		l := "[ " + strings.Join(list, ", ") + " ]"
		switch e.kind {
		case "continent":
			add(e.key, "default => "+l)
		case "country":
			add(e.continent, e.key+" => "+l)
		case "cidr":
			nets = append(nets, e.key+" => "+l)
		}
	}
	b.WriteString("        map => {\n")
	for _, c := range order {
		fmt.Fprintf(b, "          %s => { %s }\n", c, strings.Join(conts[c], ", "))
	}
	b.WriteString("        }\n")
	if len(nets) > 0 {
		fmt.Fprintf(b, "        nets => {\n          %s\n        }\n", strings.Join(nets, "\n          "))
	}
}
