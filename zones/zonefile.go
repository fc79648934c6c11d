package zones

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// CompileOptions tune CompileZone.
type CompileOptions struct {
	// Serial is used when the [soa] table gives none; 0 means 1.
	Serial uint32
	// Now stamps the zone's Loaded time; zero means time.Now().
	Now time.Time
	// Keys loads the keys of a zone with a [dnssec] table; nil: they are
	// not loaded and the zone is compiled unsigned (DNSSEC.Signer nil).
	Keys KeyLoader
	// Context, when done, stops the compilation of a long records list
	// early (a server told to stop); the result is then an error and no
	// zone. nil: never.
	Context context.Context
}

// zoneKeys returns the keys at the top of a zone file.
func zoneKeys() []string {
	return []string{"origin", "ttl", "records", "soa", "gslb", "pools", "dnssec"}
}

// misplaced explains a key that belongs at the top of a zone file but was
// written after a [table] header.
func misplaced(key string) string {
	if slices.Contains(zoneKeys(), key) {
		return fmt.Sprintf("%q belongs at the top of the file: keys after a [table] header belong to that table, so write it before the first header", key)
	}
	return ""
}

// CompileZone validates one zone file and compiles it. cfg supplies the
// datacenters and checks that pools refer to (nil: none). The error, if
// any, is a tomlcheck.ErrorList with every problem found in the file.
func CompileZone(file string, src []byte, cfg *config.Config, parse Parser) (*Zone, error) {
	return Compile(file, src, cfg, parse, CompileOptions{})
}

// Compile is CompileZone with options.
func Compile(file string, src []byte, cfg *config.Config, parse Parser, opts CompileOptions) (*Zone, error) {
	d, err := decodeZoneFile(file, src, cfg)
	if err != nil {
		return nil, err
	}
	return d.compile(parse, opts)
}

// decodedFile is a zone file decoded from TOML and not yet compiled: the
// two halves of Compile, which a reload of many files runs apart (see
// Store.loadPaths).
type decodedFile struct {
	root *tomlcheck.Table
	errs tomlcheck.ErrorList
	cfg  *config.Config
	lim  limits
}

// decodeZoneFile checks src's size and decodes it.
func decodeZoneFile(file string, src []byte, cfg *config.Config) (*decodedFile, error) {
	if cfg == nil {
		cfg = &config.Config{}
	}
	d := &decodedFile{cfg: cfg, lim: limitsOf(cfg)}
	if err := sizeError(file, src, d.lim.fileSize); err != nil {
		return nil, err
	}
	d.root = tomlcheck.Parse(file, src, &d.errs, "records")
	if d.root == nil {
		return nil, d.errs.Err()
	}
	return d, nil
}

// compile compiles the decoded file into a zone.
func (d *decodedFile) compile(parse Parser, opts CompileOptions) (*Zone, error) {
	c := &compiler{root: d.root, cfg: d.cfg, parse: parse, opts: opts, lim: d.lim}
	z := c.compile()
	d.root.Unknown(nil)
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	return z, nil
}

// compiler compiles one zone file. compile reads the origin and the default
// TTL, then runs one step per concept, each in its own file: records and
// their RRsets (rrsets.go), the SOA (soa.go), the pools (pools.go), the GSLB
// names (gslb.go), and the checks that need the whole zone tree
// (structure.go); the limits on zone data (limits.go) apply throughout.
type compiler struct {
	root  *tomlcheck.Table
	cfg   *config.Config
	parse Parser
	opts  CompileOptions
	lim   limits

	reported map[overKey]bool // names and RRsets past a limit, reported once

	anyCut, anyDNAME bool // whether add saw a delegation point, a DNAME

	origin string
	ttl    uint32
	z      *Zone
}

func (c *compiler) compile() *Zone {
	t := c.root
	t.Required("origin")
	origin, _ := t.Str("origin")
	origin = strings.ToLower(strings.TrimSpace(origin))
	if origin != "" && !strings.HasSuffix(origin, ".") {
		t.Errorf(t.KeyPath("origin"), "origin %q must be absolute (end with a dot)", origin)
		origin += "."
	}
	if origin == "" && t.Has("origin") {
		t.Errorf(t.KeyPath("origin"), "origin must not be empty")
	}
	if origin == "" {
		t.Use(zoneKeys()...) // nothing more can be checked without an origin
		return nil
	}
	// A copy: the decoded string shares memory with the whole decoded
	// document, which the zone would otherwise keep.
	origin = strings.Clone(origin)
	c.origin = origin
	c.ttl = DefaultZoneTTL
	if v, ok := ttl(t, "ttl"); ok {
		c.ttl = v
	}
	now := c.opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	z := &Zone{
		Origin:  origin,
		Pos:     t.Pos(t.KeyPath("origin")),
		File:    t.File(),
		Loaded:  now,
		Pools:   map[string]*pick.Pool{},
		nlabels: countLabels(origin),
	}
	c.z = z
	records := c.records()
	// One node per owner: sized once, not grown by doubling (a zone of a
	// million records rehashed its map twenty times). The owners are
	// counted as runs of records with the same name, which is exact for
	// files that keep a name's records together and more than enough for
	// others; a small zone's count of eight names or fewer then gets Go's
	// one-group map, half the size of the smallest table a hint of nine
	// or more makes (10,000 zones of ten records on seven names: 3 MB).
	z.nodes = make(map[string]*node, ownerRuns(records)+1)
	z.apex = z.node(origin)

	c.soa(records)
	pools := c.pools()
	c.gslb(pools)
	c.structure()
	c.dnssec(records)
	z.maxChain = c.lim.cnameChain
	return z
}

// ownerRuns counts the runs of consecutive records with the same owner: at
// least the number of owners.
func ownerRuns(records []*Record) int {
	n := 0
	for i, r := range records {
		if i == 0 || r.Name != records[i-1].Name {
			n++
		}
	}
	return n
}
