package pick

import "encoding/binary"

// A trie is a binary trie over address bits, stored as a flat array of
// uint32 words. Node k has its children at words 2k (bit 0) and 2k+1
// (bit 1). A word with leafBit set is a leaf holding a ranking id in its
// other bits; any other word is the index of a child node. Node 0 is never a
// child, so its first word serves as the root slot while building.
const (
	leafBit   = 1 << 31
	maxID     = 1<<31 - 2             // largest ranking id
	emptyLeaf = leafBit | (1<<31 - 1) // a leaf no network has covered yet
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
	v := t.root
	for v&leafBit == 0 {
		v = t.nodes[2*v+(a>>(31-uint(depth)))&1]
		depth++
	}
	return v &^ leafBit, depth
}

// lookup6 is lookup4 for an IPv6 address given as two big-endian halves.
func (t *trie) lookup6(hi, lo uint64) (id uint32, depth int) {
	v := t.root
	for v&leafBit == 0 {
		var bit uint64
		if depth < 64 {
			bit = hi >> (63 - uint(depth)) & 1
		} else {
			bit = lo >> (127 - uint(depth)) & 1
		}
		v = t.nodes[2*v+uint32(bit)]
		depth++
	}
	return v &^ leafBit, depth
}

// builder builds a trie by inserting prefixes. It merges sibling leaves of
// the same ranking as soon as both exist, and reuses the nodes it frees, so
// that for networks arriving in address order (as a database walk yields
// them) it stays about the size of the finished trie.
type builder struct {
	nodes []uint32 // as in trie; nodes[0] is the root slot
	free  uint32   // first node of the free list (linked through word 2k); 0: empty
	live  int      // nodes in use, for statistics
	peak  int      // most nodes in use at once
}

func newBuilder() *builder {
	return &builder{nodes: []uint32{emptyLeaf, 0}}
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
// one inserted last wins.
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
	// Merge upwards while both children of a node are the same leaf. Empty
	// leaves are not merged yet: a later network may still cover one.
	for d := bits - 1; d >= 0; d-- {
		ps := path[d]
		n := b.nodes[ps]
		l, r := b.nodes[2*n], b.nodes[2*n+1]
		if l != r || l&leafBit == 0 || l == emptyLeaf {
			break
		}
		b.nodes[ps] = l
		b.release(n)
	}
}

// finish turns the empty leaves into unknown (a ranking id), merges every
// pair of sibling leaves of the same ranking, and returns the trie in a
// fresh, compact array laid out depth first.
func (b *builder) finish(unknown uint32) trie {
	root := b.normalize(b.nodes[0], leafBit|unknown)
	t := trie{nodes: make([]uint32, 0, 2*b.live)}
	t.root = t.copyFrom(b, root)
	return t
}

// normalize returns the value of the subtree v with empty leaves replaced by
// unknown and equal sibling leaves merged, bottom up.
func (b *builder) normalize(v, unknown uint32) uint32 {
	if v == emptyLeaf {
		return unknown
	}
	if v&leafBit != 0 {
		return v
	}
	l := b.normalize(b.nodes[2*v], unknown)
	r := b.normalize(b.nodes[2*v+1], unknown)
	if l == r && l&leafBit != 0 {
		b.release(v)
		return l
	}
	b.nodes[2*v], b.nodes[2*v+1] = l, r
	return v
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
