package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// continentCodes are the continent codes of GeoIP2 databases.
var continentCodes = []string{"AF", "AN", "AS", "EU", "NA", "OC", "SA"}

// embedding are the IPv6 ranges whose clients are located (and matched) by
// the IPv4 address inside; a map CIDR there could never match.
var embedding = []netip.Prefix{
	netip.MustParsePrefix("::ffff:0:0/96"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("2001::/32"),
}

// parseMaps reads the [maps.NAME] tables: who goes where, by network, AS,
// subdivision, country or continent. They are read after [datacenters] and
// [geoip], whose names and ASN database they check.
func parseMaps(t *tomlcheck.Table, c *Config) {
	c.Maps, c.badMaps = map[string]*pick.Map{}, map[string]bool{}
	for _, name := range t.Keys() {
		mt, ok := t.Table(name)
		if !ok {
			continue
		}
		if m, ok := parseMap(name, mt, c); ok {
			c.Maps[name] = m
		} else {
			c.badMaps[name] = true
		}
	}
}

// parseMap reads one [maps.NAME] table; it reports false when it found a
// problem.
func parseMap(name string, t *tomlcheck.Table, c *Config) (*pick.Map, bool) {
	before := t.ErrorCount()
	var entries []pick.MapEntry
	if t.Has("default") {
		if e, ok := mapList(t, "default", c); ok {
			e.Kind = pick.MatchDefault
			entries = append(entries, e)
		}
	}
	kinds := []struct {
		key   string
		kind  pick.MatchKind
		check func(string) (string, string) // canonical key, or a problem
	}{
		{"continents", pick.MatchContinent, func(k string) (string, string) {
			if !slices.Contains(continentCodes, k) {
				return "", fmt.Sprintf("unknown continent code %q: want one of %s", k, strings.Join(continentCodes, ", "))
			}
			return k, ""
		}},
		{"countries", pick.MatchCountry, func(k string) (string, string) {
			if !isCountryCode(k) {
				return "", fmt.Sprintf("invalid country code %q: want an ISO 3166-1 alpha-2 code in capitals, such as \"JP\"", k)
			}
			return k, ""
		}},
		{"subdivisions", pick.MatchSubdivision, func(k string) (string, string) {
			cc, sub, ok := strings.Cut(k, "-")
			if !ok || !isCountryCode(cc) || !isSubdivisionCode(sub) {
				return "", fmt.Sprintf("invalid subdivision code %q: want an ISO 3166-2 code, country and subdivision, such as \"US-CA\"", k)
			}
			return k, ""
		}},
		{"asns", pick.MatchASN, func(k string) (string, string) {
			n, err := strconv.ParseUint(strings.TrimPrefix(k, "AS"), 10, 32)
			if err != nil || n == 0 {
				return "", fmt.Sprintf("invalid AS number %q: want a number from 1 to 4294967295, such as \"64500\"", k)
			}
			if c.GeoIP.ASN == "" {
				return "", "asns need an ASN database: set [geoip] asn"
			}
			return strconv.FormatUint(n, 10), ""
		}},
		{"cidrs", pick.MatchCIDR, checkCIDR},
	}
	for _, kd := range kinds {
		sub, ok := t.Table(kd.key)
		if !ok {
			continue
		}
		for _, k := range sub.Keys() {
			sub.Use(k) // reported below when wrong, not as unknown
			canon, problem := kd.check(k)
			if problem != "" {
				sub.Errorf(sub.KeyPath(k), "%s", problem)
				continue
			}
			if slices.ContainsFunc(entries, func(e pick.MapEntry) bool { return e.Kind == kd.kind && e.Key == canon }) {
				sub.Errorf(sub.KeyPath(k), "%s %s appears twice (as %q)", kd.kind, canon, k)
				continue
			}
			if e, ok := mapList(sub, k, c); ok {
				e.Kind, e.Key = kd.kind, canon
				entries = append(entries, e)
			}
		}
		sub.Unknown(nil)
	}
	t.Unknown(nil)
	if t.ErrorCount() > before {
		return nil, false
	}
	m, err := pick.NewMap(name, entries)
	if err != nil {
		t.Errorf(t.Path(), "%v", err)
		return nil, false
	}
	return m, true
}

// mapList reads an entry's list of datacenters: names of [datacenters.NAME],
// each once, and "*" only as the last item.
func mapList(t *tomlcheck.Table, key string, c *Config) (pick.MapEntry, bool) {
	var e pick.MapEntry
	items, ok := t.Strings(key)
	if !ok {
		return e, false
	}
	good := true
	if len(items) == 0 {
		t.Errorf(t.KeyPath(key), "no datacenters: list at least one, or \"*\" for all")
		return e, false
	}
	for i, s := range items {
		path := append(t.KeyPath(key), tomlcheck.Index(i))
		switch {
		case s == "*" && i != len(items)-1:
			t.Errorf(path, "\"*\" must be the last item: it adds every other datacenter after the listed ones")
			good = false
		case s == "*":
			e.Rest = true
		case slices.Contains(e.Datacenters, s):
			t.Errorf(path, "datacenter %q listed twice", s)
			good = false
		default:
			if _, defined := c.Datacenters[s]; !defined {
				t.Errorf(path, "datacenter %q is not defined ([datacenters.%s])%s", s, s, suggest(s, c.DatacenterNames()))
				good = false
				continue
			}
			e.Datacenters = append(e.Datacenters, s)
		}
	}
	return e, good
}

// checkCIDR checks a map CIDR key: a valid prefix without host bits, not
// inside the IPv6 ranges that embed IPv4 addresses.
func checkCIDR(k string) (string, string) {
	p, err := netip.ParsePrefix(k)
	if err != nil {
		return "", fmt.Sprintf("invalid CIDR %q: want an address/length prefix, such as \"198.51.100.0/25\"", k)
	}
	if p.Addr().Zone() != "" {
		return "", fmt.Sprintf("invalid CIDR %q: no zone allowed", k)
	}
	if m := p.Masked(); m != p {
		return "", fmt.Sprintf("CIDR %q has host bits set: did you mean %q?", k, m.String())
	}
	for _, e := range embedding {
		if e.Overlaps(p) && p.Bits() >= e.Bits() {
			return "", fmt.Sprintf("CIDR %q is inside %s, whose clients are matched by the IPv4 address they embed: write the IPv4 prefix", k, e)
		}
	}
	return p.String(), ""
}

func isCountryCode(s string) bool {
	return len(s) == 2 && isUpper(s[0]) && isUpper(s[1])
}

func isSubdivisionCode(s string) bool {
	if len(s) < 1 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isUpper(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

// suggest returns a hint naming the known name that differs from s only by
// case, or "".
func suggest(s string, known []string) string {
	for _, k := range known {
		if strings.EqualFold(k, s) {
			return fmt.Sprintf("; did you mean %q?", k)
		}
	}
	return ""
}
