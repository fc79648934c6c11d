package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/geo/mmdb"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/route"
	"github.com/gslb/gslb/zones"
)

// diffDoc is the -json output of gslb diff (FORMAT.md).
type diffDoc struct {
	Pools []diffPool `json:"pools"`
}

type diffPool struct {
	Pool    string       `json:"pool"`
	Zone    string       `json:"zone,omitempty"` // "" for a pool of the server configuration
	Family  string       `json:"family"`         // ipv4 or ipv6
	Moved   float64      `json:"moved"`
	Changes []diffChange `json:"changes"`
}

type diffChange struct {
	From  string  `json:"from"`
	To    string  `json:"to"`
	Share float64 `json:"share"`
}

// diffCmd previews a change: for every pool, the share of the address space
// whose first-choice datacenter moves between two configurations, or
// between the configured GeoIP City database and a new one.
func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	oldFile := fs.String("config", "gslb.toml", "the current server configuration `file`")
	newFile := fs.String("new", "", "the new server configuration `file`")
	newGeoIP := fs.String("new-geoip", "", "a new GeoIP City database `file`, compared under the current configuration")
	only := fs.String("pool", "", "compare only this `pool`")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gslb diff -config OLD.toml (-new NEW.toml | -new-geoip FILE) [-pool NAME] [-json]")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) > 0 || (*newFile == "") == (*newGeoIP == "") {
		fs.Usage()
		return 2
	}
	before, err := loadSetup(*oldFile, "")
	if err != nil {
		fmt.Fprintf(stderr, "gslb diff: %v\n", err)
		return 1
	}
	after := before
	if *newFile != "" {
		after, err = loadSetup(*newFile, "")
	} else {
		after, err = loadSetup(*oldFile, *newGeoIP)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gslb diff: %v\n", err)
		return 1
	}
	if after.geo == nil {
		fmt.Fprintln(stderr, "gslb diff: the new setup has no [geoip] city database: there is no address space to compare over")
		return 1
	}
	doc := diffDoc{Pools: []diffPool{}}
	var notes []string
	for _, key := range before.poolKeys() {
		if *only != "" && key.pool != *only {
			continue
		}
		p, q := before.pools[key], after.pools[key]
		if q == nil {
			notes = append(notes, fmt.Sprintf("pool %s is only in the current configuration", key))
			continue
		}
		for _, im := range route.Diff(p, q, before.geo, after.geo) {
			dp := diffPool{Pool: key.pool, Zone: key.zone, Family: familyName(im.Family), Moved: im.Moved, Changes: []diffChange{}}
			for _, c := range im.Changes {
				dp.Changes = append(dp.Changes, diffChange{From: c.From, To: c.To, Share: c.Share})
			}
			doc.Pools = append(doc.Pools, dp)
		}
	}
	for _, key := range after.poolKeys() {
		if before.pools[key] == nil && (*only == "" || key.pool == *only) {
			notes = append(notes, fmt.Sprintf("pool %s is only in the new configuration", key))
		}
	}
	if *only != "" && len(doc.Pools) == 0 {
		fmt.Fprintf(stderr, "gslb diff: no pool %q in both setups\n", *only)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			fmt.Fprintf(stderr, "gslb diff: %v\n", err)
			return 1
		}
		return 0
	}
	for _, dp := range doc.Pools {
		name := dp.Pool
		if dp.Zone != "" {
			name += " (" + dp.Zone + ")"
		}
		fmt.Fprintf(stdout, "pool %s, %s: %s of the address space changes its first choice\n", name, dp.Family, percent(dp.Moved))
		for _, c := range dp.Changes {
			fmt.Fprintf(stdout, "  %-8s -> %-8s %s\n", c.From, c.To, percent(c.Share))
		}
	}
	for _, n := range notes {
		fmt.Fprintln(stdout, n)
	}
	return 0
}

func familyName(f pick.Family) string {
	if f == pick.IPv6 {
		return "ipv6"
	}
	return "ipv4"
}

func percent(share float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", 100*share), "0"), ".") + "%"
}

// poolKey names a pool: its zone's origin ("" for a pool of the server
// configuration) and its name.
type poolKey struct{ zone, pool string }

func (k poolKey) String() string {
	if k.zone == "" {
		return k.pool
	}
	return k.pool + " (" + k.zone + ")"
}

// setup is a configuration with its zones and GeoIP data, loaded as the
// server would.
type setup struct {
	pools map[poolKey]*pick.Pool
	geo   route.GeoSource
}

func (s *setup) poolKeys() []poolKey {
	keys := make([]poolKey, 0, len(s.pools))
	for k := range s.pools {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].zone != keys[j].zone {
			return keys[i].zone < keys[j].zone
		}
		return keys[i].pool < keys[j].pool
	})
	return keys
}

// loadSetup loads the configuration at path, its zones and its GeoIP data
// (or the City database city instead, when not "").
func loadSetup(path, city string) (*setup, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	store := zones.NewStore(cfg, dns.ParseRecord, slog.New(slog.DiscardHandler), nil)
	if err := store.Reload(); err != nil {
		return nil, fmt.Errorf("%s: zone files have errors (gslb check lists them): %w", path, err)
	}
	s := &setup{pools: map[poolKey]*pick.Pool{}}
	for name, p := range cfg.Pools {
		s.pools[poolKey{pool: name}] = p
	}
	for _, z := range store.Current().Zones() {
		for name, p := range z.Pools {
			if cfg.Pools[name] == p {
				continue // a server pool the zone uses
			}
			s.pools[poolKey{zone: z.Origin, pool: name}] = p
		}
	}
	if city == "" {
		city = cfg.GeoIP.City
	}
	if city != "" {
		db, err := mmdb.Open(city, cfg.GeoIP.ASN, slog.New(slog.DiscardHandler))
		if err != nil {
			return nil, err
		}
		s.geo = db
	}
	return s, nil
}
