package pick

import (
	"encoding/binary"
	"iter"
	"net/netip"

	"github.com/gslb/gslb/geo"
)

// Table caches Rank for every network of a GeoIP database, merged into the
// widest prefixes that share one ranking, so that the query path can find a
// client's ranking and its ECS scope with one walk down a binary trie.
//
// A Table depends only on what Pool.TableKey covers; pools with the same
// key share one (Serves).
// It is immutable once built and safe for concurrent use. A nil *Table is
// valid: every address gets the zero Ranking (configuration order) with
// scope 0, which is what a server without a GeoIP database answers.
type Table struct {
	key      string    // the TableKey of the pools it serves
	rankings []Ranking // distinct member orders; 0 is the unknown location's
	v4, v6   trie
	stats    TableStats
}

// TableStats describes a Table, for logs and capacity planning.
type TableStats struct {
	Networks  int // networks read from the database
	Rankings  int // distinct rankings among them (with the unknown one)
	Nodes4    int // nodes of the IPv4 trie, after merging
	Nodes6    int // nodes of the IPv6 trie, after merging
	PeakNodes int // most trie nodes alive at once while building
	Bytes     int // approximate memory held by the finished table
}

// BuildTable ranks every network for pool p once, with Rank, and stores the
// rankings in two binary tries, one per family, in which sibling subtrees
// whose rankings are identical are merged into one leaf. Address space that
// no network covers ranks as the unknown location (configuration order) and
// merges with neighbouring networks that rank the same way. The ranking of
// every address is exactly Rank(loc, p) for the location loc of the network
// that contains it, without the distances.
//
// networks is typically (*mmdb.DB).Networks(). IPv4 networks may be given
// as IPv4 prefixes or IPv4-mapped IPv6 prefixes (::ffff:0:0/96 and longer);
// every other IPv6 prefix goes to the IPv6 trie, except inside the ranges
// that embed IPv4 addresses (6to4 2002::/16, Teredo 2001::/32), which Lookup
// resolves through the IPv4 trie. Invalid prefixes are skipped.
// Networks are expected not to overlap, as the networks of a GeoIP database
// do not; where they do, the network yielded later wins over the addresses
// it covers, which for a walk in address order means the more specific one,
// as in a database lookup.
//
// A nil networks is an empty database (every address ranks as unknown); a
// nil p gives the nil Table.
//
// Building costs one Rank per distinct rank key and, for networks in a
// walk's order (ascending addresses, a network inside another one after
// it), one pass in which each network is cut into aligned blocks and each
// trie node is made once, bottom up, through an index of the distinct
// nodes (identical subtrees are stored once as they are made): the working
// set is the finished table plus that index. Networks out of that order
// make BuildTable fall back to inserting each one from the root, which
// gives the same table more slowly.
func BuildTable(networks iter.Seq2[netip.Prefix, geo.Location], p *Pool) *Table {
	if p == nil {
		return nil
	}
	if networks == nil {
		networks = func(func(netip.Prefix, geo.Location) bool) {}
	}
	b := newTableBuilder(p)
	for pfx, loc := range networks {
		if first, bits, is4, ok := b.count(pfx); ok {
			b.network(first, bits, is4, &loc, nil)
		}
	}
	return b.done()
}

// BuildTableIndexed is BuildTable for networks given with the index of
// their location in locs, such as a walk of a database kept with its
// distinct locations listed once: each location is ranked once, where
// BuildTable compares the rank key of each network with the last one's
// and looks it up when they differ. The table is BuildTable's for the
// same networks with their locations. Every index must be one of locs.
func BuildTableIndexed(networks iter.Seq2[netip.Prefix, int], locs []geo.Location, p *Pool) *Table {
	if p == nil {
		return nil
	}
	b := newTableBuilder(p)
	if networks != nil {
		ranks := make([]locRank, len(locs))
		for pfx, i := range networks {
			if first, bits, is4, ok := b.count(pfx); ok {
				b.network(first, bits, is4, &locs[i], &ranks[i])
			}
		}
	}
	return b.done()
}

// Lookup returns the ranking of the network containing addr, without
// distances, and the prefix length of the merged network around addr: every
// address in addr's prefix of that length has the same ranking, and the
// prefix one bit shorter contains an address with a different one (unless
// the length is 0). The length is in addr's own terms: 0-32 for an IPv4
// address, 0-128 for an IPv6 one. Lookup does not allocate.
//
// IPv6 addresses that embed an IPv4 address (IPv4-mapped ::ffff:0:0/96,
// 6to4 2002::/16, Teredo 2001::/32; see geo.Canonical) are ranked by the
// IPv4 address inside, as the locator does, and their length is translated
// back to the IPv6 form with geo.Embedding.OuterBits (96+L, 16+L and 128). No
// IPv6 prefix returned for any other address reaches into those ranges. A
// caller that canonicalizes the client first and looks up the IPv4 address
// gets an IPv4 length, and must translate it the same way before putting it
// in an ECS scope for the IPv6 form the client used.
func (t *Table) Lookup(addr netip.Addr) (Ranking, int) {
	if t == nil {
		return Ranking{}, 0
	}
	id, bits := t.LookupID(addr)
	return t.rankings[id], bits
}

// LookupID is Lookup giving the index of the ranking among the table's
// (see Ranking and Rankings) instead of the ranking: clients with the same
// index rank the pool's members alike. It does not allocate; t must not be
// nil.
func (t *Table) LookupID(addr netip.Addr) (id, bits int) {
	switch {
	case addr.Is4():
		a := addr.As4()
		id, bits := t.v4.lookup4(binary.BigEndian.Uint32(a[:]))
		return int(id), bits
	case addr.Is4In6():
		a := addr.Unmap().As4()
		id, bits := t.v4.lookup4(binary.BigEndian.Uint32(a[:]))
		return int(id), 96 + bits
	case addr.Is6():
		id, bits := t.v6.lookup6(halves(addr.As16()))
		if id == aliasID {
			return t.lookupEmbedded(addr)
		}
		return int(id), bits
	default:
		return 0, 0
	}
}

// lookupEmbedded looks up the IPv4 address embedded in the 6to4 or Teredo
// address addr and translates the scope back to addr's form.
func (t *Table) lookupEmbedded(addr netip.Addr) (id, bits int) {
	v4, emb := geo.Canonical(addr)
	if !v4.Is4() {
		return 0, 128 // not expected: the alias ranges are Canonical's
	}
	a := v4.As4()
	id32, bits := t.v4.lookup4(binary.BigEndian.Uint32(a[:]))
	return int(id32), emb.OuterBits(bits)
}

// Ranking returns the ranking of index id (see LookupID).
func (t *Table) Ranking(id int) *Ranking { return &t.rankings[id] }

// Rankings returns how many distinct rankings the table holds: the
// indexes LookupID returns are below it.
func (t *Table) Rankings() int {
	if t == nil {
		return 0
	}
	return len(t.rankings)
}

// Serves reports whether t holds the rankings of pool p: p has the
// TableKey t was built for.
func (t *Table) Serves(p *Pool) bool {
	return t != nil && p != nil && t.key == p.TableKey()
}

// Key returns the TableKey of the pools t serves.
func (t *Table) Key() string {
	if t == nil {
		return ""
	}
	return t.key
}

// Stats returns the sizes of the table.
func (t *Table) Stats() TableStats {
	if t == nil {
		return TableStats{}
	}
	return t.stats
}
