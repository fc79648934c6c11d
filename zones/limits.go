package zones

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// limits are the bounds on zone data of the server configuration
// (max_types_per_name, max_rrset_records, max_zone_file_size,
// max_cname_chain), against hostile or mistaken zone files: a zero field
// of the configuration takes its default.
type limits struct {
	typesPerName, rrsetRecords, fileSize, cnameChain int
}

func limitsOf(cfg *config.Config) limits {
	or := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	return limits{
		typesPerName: or(cfg.MaxTypesPerName, config.DefaultMaxTypesPerName),
		rrsetRecords: or(cfg.MaxRRsetRecords, config.DefaultMaxRRsetRecords),
		fileSize:     or(cfg.MaxZoneFileSize, config.DefaultMaxZoneFileSize),
		cnameChain:   or(cfg.MaxCNAMEChain, config.DefaultMaxCNAMEChain),
	}
}

// readZoneFile reads a zone file, but no more than one octet past the
// size limit of cfg, so that a huge file is refused without reading it
// whole (Compile then says where the limit falls).
func readZoneFile(path string, cfg *config.Config) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read into a buffer of the file's size, not io.ReadAll's doubling
	// one: the store keeps every file's content (to compile it again
	// against a new configuration), and ReadAll's spare capacity was a
	// tenth of the memory of 10,000 small zones. One octet more than the
	// size lets a file that grew since the Stat be read whole, past the
	// limit if need be (sizeError reports that).
	limit := int64(limitsOf(cfg).fileSize) + 1
	size := int64(0)
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	b := make([]byte, 0, min(max(size, 0), limit)+1)
	r := io.LimitReader(f, limit)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grew since the Stat
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
}

// sizeError returns the error of a zone file larger than max octets,
// positioned at the first octet past the limit, or nil.
func sizeError(file string, src []byte, max int) error {
	if len(src) <= max {
		return nil
	}
	before := src[:max]
	line := 1 + strings.Count(string(before), "\n")
	col := max - strings.LastIndexByte(string(before), '\n')
	return tomlcheck.ErrorList{{
		Pos: Position{File: file, Line: line, Col: col},
		Msg: fmt.Sprintf("zone file larger than max_zone_file_size (%d bytes): the limit falls here", max),
	}}
}

// chainWarnings returns a warning for every CNAME chain inside the zone
// longer than its max_cname_chain, once, at the CNAME that starts it: the
// answers to its first names stop before its end (resolvers follow the
// rest). NSD and Knot load such chains too, each following a few links;
// loops are left to the lookup, which stops at them.
func (z *Zone) chainWarnings() tomlcheck.ErrorList {
	limit := z.maxChain
	if limit <= 0 {
		limit = config.DefaultMaxCNAMEChain
	}
	var out tomlcheck.ErrorList
	targets := map[string]bool{}
	for _, n := range z.nodes {
		if cn := n.get(TypeCNAME); len(cn) > 0 {
			targets[cn[0].Target] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(z.nodes)) {
		n := z.nodes[name]
		cn := n.get(TypeCNAME)
		if len(cn) == 0 || targets[n.name] {
			continue // not a CNAME, or inside a chain: its start reports it
		}
		links, seen := 0, map[string]bool{}
		for at := n; at != nil && !seen[at.name]; {
			next := at.get(TypeCNAME)
			if len(next) == 0 {
				break
			}
			seen[at.name] = true
			if links++; links > limit {
				out.Add(z.at(cn[0]), "", "warning: CNAME chain from %s is longer than max_cname_chain (%d CNAMEs): answers stop after %d and resolvers follow the rest", n.name, limit, limit)
				break
			}
			at = z.nodes[next[0].Target]
		}
	}
	return out
}
