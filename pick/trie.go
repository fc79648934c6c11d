package pick

import "encoding/binary"

// A trie is a binary trie over address bits, stored as a flat array of
// uint32 words. Node k has its children at words 2k (bit 0) and 2k+1
// (bit 1). A word with leafBit set is a leaf holding a ranking id in its
// other bits; any other word is the index of a child node. Node 0 is never a
// child, so its first word serves as the root slot while building.
const (
	leafBit = 1 << 31
	aliasID = 1<<31 - 1 // a leaf of IPv6 space that embeds IPv4 addresses; not a ranking
)

// trie is a finished, read-only trie.
type trie struct {
	nodes []uint32
	root  uint32 // a leaf, or the index of the root node
}

// lookup4 returns the ranking id of the leaf holding IPv4 address a (as a
// big-endian uint32) and the leaf's depth, which is the prefix length of
// the merged network around a.
func (t *trie) lookup4(a uint32) (id uint32, depth int) {
	v, nodes := t.root, t.nodes
	for v&leafBit == 0 {
		v = nodes[2*v+a>>31]
		a <<= 1
		depth++
	}
	return v &^ leafBit, depth
}

// lookup6 is lookup4 for an IPv6 address given as two big-endian halves.
func (t *trie) lookup6(hi, lo uint64) (id uint32, depth int) {
	v, nodes := t.root, t.nodes
	for v&leafBit == 0 {
		if depth == 64 {
			hi = lo
		}
		v = nodes[2*v+uint32(hi>>63)]
		hi <<= 1
		depth++
	}
	return v &^ leafBit, depth
}

// builder builds a trie by inserting prefixes. The trie starts as one leaf
// (the unknown location's ranking) and is kept fully merged after every
// insert: no node has two children that are the same leaf. So the working
// set is the merged trie itself plus, for nodes given up, a free list that
// later inserts reuse.
type builder struct {
	nodes []uint32 // as in trie; nodes[0] is the root slot
	free  uint32   // first node of the free list (linked through word 2k); 0: empty
	live  int      // nodes in use
	peak  int      // most nodes in use at once
}

// newBuilder returns a builder whose every address has leaf value v.
func newBuilder(v uint32) *builder {
	return &builder{nodes: []uint32{v, 0}}
}

// alloc returns a new node whose two children are v.
func (b *builder) alloc(v uint32) uint32 {
	b.live++
	b.peak = max(b.peak, b.live)
	if n := b.free; n != 0 {
		b.free = b.nodes[2*n]
		b.nodes[2*n], b.nodes[2*n+1] = v, v
		return n
	}
	n := uint32(len(b.nodes) / 2)
	b.nodes = append(b.nodes, v, v)
	return n
}

// release puts node n on the free list.
func (b *builder) release(n uint32) {
	b.live--
	b.nodes[2*n] = b.free
	b.free = n
}

// releaseTree releases node n and every node below it.
func (b *builder) releaseTree(n uint32) {
	for _, c := range b.nodes[2*n : 2*n+2] {
		if c&leafBit == 0 {
			b.releaseTree(c)
		}
	}
	b.release(n)
}

// bitAt returns bit i (0 is the most significant) of a.
func bitAt(a *[16]byte, i int) uint32 {
	return uint32(a[i>>3]>>(7-uint(i&7))) & 1
}

// insert gives every address under the prefix of length bits at addr the
// leaf value v, replacing whatever was there: where prefixes overlap, the
// one inserted last wins. Afterwards the trie is fully merged again.
func (b *builder) insert(addr *[16]byte, bits int, v uint32) {
	var path [128]uint32 // path[d]: the slot at depth d that was followed
	s := uint32(0)       // current slot: the root slot
	for d := range bits {
		c := b.nodes[s]
		if c&leafBit != 0 {
			if c == v {
				return // the whole prefix already has this value
			}
			c = b.alloc(c)
			b.nodes[s] = c
		}
		path[d] = s
		s = 2*c + bitAt(addr, d)
	}
	if old := b.nodes[s]; old&leafBit == 0 {
		b.releaseTree(old)
	}
	b.nodes[s] = v
	// Only nodes on the path changed: merge upwards while both children of
	// a node are the same leaf.
	for d := bits - 1; d >= 0; d-- {
		ps := path[d]
		n := b.nodes[ps]
		l, r := b.nodes[2*n], b.nodes[2*n+1]
		if l != r || l&leafBit == 0 {
			break
		}
		b.nodes[ps] = l
		b.release(n)
	}
}

// finish returns the trie in a fresh, compact array laid out depth first,
// so that a lookup's path tends to stay in few cache lines.
func (b *builder) finish() trie {
	t := trie{nodes: make([]uint32, 0, 2*b.live)}
	t.root = t.copyFrom(b, b.nodes[0])
	return t
}

// copyFrom appends the subtree v of b to t and returns its new value.
func (t *trie) copyFrom(b *builder, v uint32) uint32 {
	if v&leafBit != 0 {
		return v
	}
	n := uint32(len(t.nodes) / 2)
	t.nodes = append(t.nodes, 0, 0)
	l := t.copyFrom(b, b.nodes[2*v])
	r := t.copyFrom(b, b.nodes[2*v+1])
	t.nodes[2*n], t.nodes[2*n+1] = l, r
	return n
}

// halves returns a 16-byte address as two big-endian uint64s.
func halves(a [16]byte) (hi, lo uint64) {
	return binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
}
