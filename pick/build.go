package pick

import (
	"encoding/binary"
	"net/netip"
	"unsafe"

	"github.com/gslb/gslb/geo"
)

// tableBuilder is the work of BuildTable: it ranks the networks and cuts
// the address space of each family into a trie.
//
// While the networks come as a database walk gives them (in address order,
// a network inside another one after it), each family's trie is made in
// one pass by a stream, and the map's CIDR entries are merged into that
// order: each is pushed where it starts, with the location of the network
// around it (or none). A network out of that order makes the family fall
// back to a builder, which takes prefixes in any order (later wins), from
// the stream's trie so far; what the two make is the same trie.
type tableBuilder struct {
	p      *Pool
	m      *Map // p.Map
	t      *Table
	ids    map[string]uint32 // a ranking's key (appendKey) -> its id
	key    []byte
	memo   map[rankKey]uint32 // a rank key -> its ranking's id
	last   rankKey            // the last rank key looked up, and its id
	lastID uint32
	inside []int
	v4, v6 family
}

// family builds the trie of one address family.
type family struct {
	width int
	s     *stream    // while the prefixes come in order; nil after falling back
	b     *builder   // after falling back; nil until then
	cidrs []int      // the map's CIDRs of the family (indexes into Map.prefix), in address order, shorter first at one address
	at    []u128     // the first address of each of cidrs
	next  int        // cidrs[:next] are in the trie
	nets  []openNet  // streaming: the networks pushed that may contain what comes next, outermost first
	open  []openCIDR // streaming: the CIDR entries pushed that may contain what comes next, outermost first
	peak  int        // most nodes alive at once
}

// openCIDR is a CIDR entry pushed on a family's stream that the stream's
// position may still be inside.
type openCIDR struct {
	last  u128
	entry int // its index into Map.entries
}

// openNet is a network pushed on a family's stream that the stream's
// position may still be inside, with the rank key of its location.
type openNet struct {
	last u128
	key  rankKey
}

// aliasPins returns the IPv6 ranges that embed IPv4 addresses, in
// address order: their addresses rank by the IPv4 address inside.
func aliasPins() [3]netip.Prefix {
	return [...]netip.Prefix{
		netip.MustParsePrefix("::ffff:0:0/96"),
		netip.MustParsePrefix("2001::/32"),
		netip.MustParsePrefix("2002::/16"),
	}
}

func newTableBuilder(p *Pool) *tableBuilder {
	b := &tableBuilder{p: p, m: p.Map, t: &Table{key: p.TableKey()}, ids: map[string]uint32{}, memo: map[rankKey]uint32{}}
	unknown := b.rank(p.rankKey(b.m.matchLocation(geo.Location{}), geo.Location{}))
	b.v4 = family{width: 32, s: newStream(32, unknown)}
	b.v6 = family{width: 128, s: newStream(128, unknown)}
	for _, a := range aliasPins() {
		first, bits, _ := prefixU128(a)
		b.v6.s.pin(first, bits, leafBit|aliasID)
	}
	if m := b.m; m != nil {
		for _, i := range m.byAddr {
			f := &b.v6
			first, _, is4 := prefixU128(m.prefix[i])
			if is4 {
				f = &b.v4
			}
			f.cidrs, f.at = append(f.cidrs, i), append(f.at, first)
		}
	}
	return b
}

// count returns a network of the database as the tries take it (its
// first address, with IPv4-mapped prefixes as IPv4 ones, its length, and
// whether it is IPv4), or false for an invalid prefix, which is skipped.
// It counts the networks taken.
func (b *tableBuilder) count(pfx netip.Prefix) (first u128, bits int, is4, ok bool) {
	if bits = pfx.Bits(); bits < 0 {
		return u128{}, 0, false, false // invalid
	}
	b.t.stats.Networks++
	a := pfx.Addr()
	if a.Is4() {
		return u128{0, uint64(ipv4(a)) &^ (1<<(32-bits) - 1)}, bits, true, true
	}
	hi, lo := halves(a.As16())
	if bits >= 96 && hi == 0 && lo>>32 == 0xffff {
		return u128{0, lo & 0xffffffff &^ (1<<(128-bits) - 1)}, bits - 96, true, true
	}
	return u128{hi, lo}.andNot(hostMask(128 - bits)), bits, false, true
}

// ipv4 returns the IPv4 address a as a number.
func ipv4(a netip.Addr) uint32 {
	a4 := a.As4()
	return binary.BigEndian.Uint32(a4[:])
}

// done finishes the tries and returns the table.
func (b *tableBuilder) done() *Table {
	t := b.t
	t.v4 = b.finish(&b.v4, 0)
	// The IPv6 ranges that embed IPv4 addresses rank by the IPv4 address
	// inside, so that no IPv6 scope spans them. If every IPv4 address ranks
	// the same, so do they, and they may merge.
	alias := uint32(leafBit | aliasID)
	if t.v4.root&leafBit != 0 {
		alias = t.v4.root
	}
	t.v6 = b.finish(&b.v6, alias)
	t.stats.Rankings = len(t.rankings)
	t.stats.Nodes4 = len(t.v4.nodes) / 2
	t.stats.Nodes6 = len(t.v6.nodes) / 2
	t.stats.PeakNodes = b.v4.peak + b.v6.peak
	t.stats.Bytes = 4*(len(t.v4.nodes)+len(t.v6.nodes)) + t.v4.jump.bytes() + t.v6.jump.bytes() + len(t.rankings)*(int(unsafe.Sizeof(Ranking{}))+4*len(b.p.Members))
	return t
}

// intern returns the leaf of ranking r, a new id for an order not seen
// before.
func (b *tableBuilder) intern(r Ranking) uint32 {
	b.key = r.appendKey(b.key[:0])
	if id, ok := b.ids[string(b.key)]; ok {
		return leafBit | id
	}
	id := uint32(len(b.t.rankings))
	if id >= aliasID {
		panic("pick: BuildTable: too many distinct rankings")
	}
	b.ids[string(b.key)] = id
	b.t.rankings = append(b.t.rankings, r.withoutDistances())
	return leafBit | id
}

// rank returns the leaf of the ranking of rank key k. A database has far
// fewer distinct locations than networks: each distinct key is ranked
// once, and since Rank ranks by the key alone, the cached leaf is still
// Rank's answer. Neighbouring networks are often at the same place: the
// last key is compared before one is hashed.
func (b *tableBuilder) rank(k rankKey) uint32 {
	if k == b.last && b.lastID != 0 {
		return b.lastID
	}
	id, ok := b.memo[k]
	if !ok {
		id = b.intern(b.p.rankBy(k))
		b.memo[k] = id
	}
	b.last, b.lastID = k, id
	return id
}

// locRank caches the leaf of a location's ranking for networks that no
// CIDR entry of the map contains: BuildTableIndexed ranks each location of
// the database once.
type locRank struct {
	leaf uint32 // 0: not ranked yet
}

// network adds a network of the database, as count returns it, at
// location loc. lr, when not nil, caches the ranking of loc.
func (b *tableBuilder) network(first u128, bits int, is4 bool, loc *geo.Location, lr *locRank) {
	f := &b.v6
	if is4 {
		f = &b.v4
	}
	if f.s != nil {
		if f.next == len(f.cidrs) || b.pushCIDRs(f, first, bits, false) {
			// The CIDR entries that contain the network are pushed:
			// the innermost one still open is the longest.
			cidr := -1
			for len(f.open) > 0 && f.open[len(f.open)-1].last.less(first) {
				f.open = f.open[:len(f.open)-1]
			}
			if len(f.open) > 0 {
				cidr = f.open[len(f.open)-1].entry
			}
			if f.s.push(first, bits, b.leaf(cidr, loc, lr)) {
				if len(f.cidrs) > f.next {
					for len(f.nets) > 0 && f.nets[len(f.nets)-1].last.less(first) {
						f.nets = f.nets[:len(f.nets)-1]
					}
					f.nets = append(f.nets, openNet{last: first.or(hostMask(f.width - bits)), key: b.p.rankKey(-1, *loc)})
				}
				return
			}
		}
		b.fallBack(f)
	}
	// As inserted into a builder: the network, then the CIDR entries
	// inside it, where its clients rank by the entry, still at the
	// network's location.
	m := b.m
	pfx := f.prefix(first, bits)
	f.insert(first, bits, b.leaf(m.containingCIDRIfAny(pfx), loc, lr))
	if m != nil {
		b.inside = m.cidrsInside(b.inside, pfx)
		for _, i := range b.inside {
			cf, cb, _ := prefixU128(m.prefix[i])
			f.insert(cf, cb, b.rank(b.p.rankKey(m.cidrs[i], *loc)))
		}
	}
}

// leaf returns the leaf of a network at loc inside the CIDR entry cidr of
// the map (-1: none), from lr when it caches it.
func (b *tableBuilder) leaf(cidr int, loc *geo.Location, lr *locRank) uint32 {
	if cidr >= 0 {
		return b.rank(b.p.rankKey(cidr, *loc))
	}
	if lr != nil && lr.leaf != 0 {
		return lr.leaf
	}
	v := b.rank(b.p.rankKey(b.m.matchLocation(*loc), *loc))
	if lr != nil {
		lr.leaf = v
	}
	return v
}

// pushCIDRs pushes on f's stream the CIDR entries of the map that come
// before the prefix at first of length bits in a walk's order (all of them
// when all is set), each with the location of the innermost network
// pushed around it: CIDR entries outside every network rank as an unknown
// location matching the entry. It reports false if the stream took one
// out of order (it is not pushed then).
func (b *tableBuilder) pushCIDRs(f *family, first u128, bits int, all bool) bool {
	for f.next < len(f.cidrs) {
		i, cf := f.cidrs[f.next], f.at[f.next]
		cb := b.m.prefix[i].Bits()
		if !all && !cf.less(first) && (cf != first || cb > bits) {
			break
		}
		if !f.s.push(cf, cb, b.rank(b.cidrKey(f, i, cf))) {
			return false
		}
		f.next++
		for len(f.open) > 0 && f.open[len(f.open)-1].last.less(cf) {
			f.open = f.open[:len(f.open)-1]
		}
		f.open = append(f.open, openCIDR{last: cf.or(hostMask(f.width - cb)), entry: b.m.cidrs[i]})
	}
	return true
}

// cidrKey returns the rank key of the addresses of CIDR entry i (an index
// into Map.prefix), which starts at first: the entry's at the location of
// the innermost open network containing it (f.nets, from which the
// networks that end before first are dropped), or at an unknown location.
func (b *tableBuilder) cidrKey(f *family, i int, first u128) rankKey {
	for len(f.nets) > 0 && f.nets[len(f.nets)-1].last.less(first) {
		f.nets = f.nets[:len(f.nets)-1]
	}
	if len(f.nets) == 0 {
		return b.p.rankKey(b.m.cidrs[i], geo.Location{})
	}
	k := f.nets[len(f.nets)-1].key
	k.entry = b.m.cidrs[i] + 1
	return k
}

// fallBack turns f from a stream into a builder holding the same trie,
// with every CIDR entry of the map the stream had not reached inserted as
// the stream would have pushed it.
func (b *tableBuilder) fallBack(f *family) {
	root := f.s.finish()
	f.peak = len(f.s.dag.pairs) / 2
	f.b = unfold(f.s.dag.pairs, root)
	f.s = nil
	for _, i := range f.cidrs[f.next:] {
		cf, cb, _ := prefixU128(b.m.prefix[i])
		f.insert(cf, cb, b.rank(b.cidrKey(f, i, cf)))
	}
	f.next, f.nets, f.open = len(f.cidrs), nil, nil
}

// insert inserts a prefix into f's builder.
func (f *family) insert(first u128, bits int, v uint32) {
	a := first.bytes(f.width)
	f.b.insert(&a, bits, v)
}

// finish returns f's trie, with the IPv6 ranges that embed IPv4 addresses
// (pinned in the IPv6 stream) given the leaf alias.
func (b *tableBuilder) finish(f *family, alias uint32) trie {
	if f.s != nil {
		if !b.pushCIDRs(f, u128{}, 0, true) {
			b.fallBack(f)
		}
	}
	if f.s != nil {
		root := f.s.finish()
		if f.width == 128 && alias != leafBit|aliasID {
			root = f.s.dag.relabel(root, leafBit|aliasID, alias, map[uint32]uint32{})
		}
		f.peak = len(f.s.dag.pairs) / 2
		return layout(f.s.dag.pairs, root)
	}
	if f.width == 128 {
		for _, a := range aliasPins() {
			first, bits, _ := prefixU128(a)
			f.insert(first, bits, alias)
		}
	}
	f.peak = max(f.peak, f.b.peak)
	return f.b.finish()
}

// prefixU128 returns the first address of p (valid) as a u128, its length
// and whether it is IPv4. Host bits are kept.
func prefixU128(p netip.Prefix) (u128, int, bool) {
	a := p.Addr()
	hi, lo := halves(a.As16())
	if a.Is4() {
		return u128{0, lo & 0xffffffff}, p.Bits(), true
	}
	return u128{hi, lo}, p.Bits(), false
}

// prefix returns the prefix of f's family at first of length bits.
func (f *family) prefix(first u128, bits int) netip.Prefix {
	a := first.bytes(f.width)
	if f.width == 32 {
		return netip.PrefixFrom(netip.AddrFrom4([4]byte(a[:4])), bits)
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), bits)
}

// bytes returns x as an address of width bits, most significant byte
// first (IPv4 in the first four bytes).
func (x u128) bytes(width int) [16]byte {
	var a [16]byte
	if width == 32 {
		binary.BigEndian.PutUint32(a[:4], uint32(x.lo))
		return a
	}
	binary.BigEndian.PutUint64(a[:8], x.hi)
	binary.BigEndian.PutUint64(a[8:], x.lo)
	return a
}
