package pick

import "encoding/binary"

// A trie is a binary trie over address bits, stored as a flat array of
// uint32 words. Node k has its children at words 2k (bit 0) and 2k+1
// (bit 1). A word with leafBit set is a leaf holding a ranking id in its
// other bits; any other word is the index of a child node. Node 0 is never a
// child, so its first word serves as the root slot while building. A
// finished trie stores identical subtrees once (see finish), so a node may
// have several parents; a lookup, which only goes down, cannot tell.
const (
	leafBit = 1 << 31
	aliasID = 1<<31 - 1 // a leaf of IPv6 space that embeds IPv4 addresses; not a ranking
)

// trie is a finished, read-only trie.
type trie struct {
	nodes []uint32
	root  uint32    // a leaf, or the index of the root node
	jump  jumpIndex // where lookups start (trie_jump.go)
}

// lookup4 returns the ranking id of the leaf holding IPv4 address a (as a
// big-endian uint32) and the leaf's depth, which is the prefix length of
// the merged network around a.
func (t *trie) lookup4(a uint32) (id uint32, depth int) {
	v, nodes := t.root, t.nodes
	if k := t.jump.bits; k > 0 {
		i := a >> (32 - k)
		v, depth = t.jump.words[i], int(t.jump.depth[i])
		a <<= depth
	}
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
	if k := t.jump.bits; k > 0 { // k <= 16: the index never reaches lo
		i := hi >> (64 - k)
		v, depth = t.jump.words[i], int(t.jump.depth[i])
		hi <<= depth
	}
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

// unfold returns a builder holding the trie under root of the distinct
// nodes pairs (children at 2k and 2k+1), each shared node copied for every
// parent: a builder's trie is a tree.
func unfold(pairs []uint32, root uint32) *builder {
	b := newBuilder(root)
	var copyNode func(v uint32) uint32
	copyNode = func(v uint32) uint32 {
		if v&leafBit != 0 {
			return v
		}
		n := b.alloc(0)
		l := copyNode(pairs[2*v])
		r := copyNode(pairs[2*v+1])
		b.nodes[2*n], b.nodes[2*n+1] = l, r
		return n
	}
	b.nodes[0] = copyNode(root)
	return b
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

// finish returns the trie in a fresh, compact array in which identical
// subtrees are stored once: two nodes whose children are the same leaves
// or the same nodes become one node, bottom up, so the trie becomes a
// directed acyclic graph of which the trie is the unfolding. A lookup only
// follows children, so it finds the same leaf at the same depth and cannot
// tell; merged tries of GeoIP data repeat small subtrees often (a /24 cut
// the same way between the same two rankings), and storing them once
// shrinks a table by a factor of 1.5 to 4. The nodes are laid out depth
// first from the root, so that a lookup's path tends to stay in few cache
// lines.
func (b *builder) finish() trie {
	d := dedup{nodes: b.nodes, index: newPairIndex(b.live)}
	root := d.unique(b.nodes[0])
	d.index = pairIndex{} // let the index go before the copy
	return layout(d.pairs, root)
}

// layout returns the trie of the distinct nodes pairs (children at 2k and
// 2k+1) under root in a fresh, compact array, the nodes depth first from
// the root, so that a lookup's path tends to stay in few cache lines.
// Nodes of pairs not under root are left out.
func layout(pairs []uint32, root uint32) trie {
	t := trie{nodes: make([]uint32, 0, len(pairs))}
	placed := make([]uint32, len(pairs)/2) // distinct node -> its node in t, plus 1; 0: not yet
	t.root = t.place(pairs, placed, root)
	t.buildJump()
	return t
}

// dedup finds the distinct subtrees of a builder's trie.
type dedup struct {
	nodes []uint32  // the builder's
	pairs []uint32  // the distinct nodes: children at 2k and 2k+1, leaves or distinct nodes, children first
	index pairIndex // children -> distinct node
}

// unique returns the leaf v, or the distinct node equal to the subtree at
// builder node v.
func (d *dedup) unique(v uint32) uint32 {
	if v&leafBit != 0 {
		return v
	}
	l, r := d.unique(d.nodes[2*v]), d.unique(d.nodes[2*v+1])
	id, found := d.index.find(l, r, uint32(len(d.pairs)/2))
	if !found {
		d.pairs = append(d.pairs, l, r)
	}
	return id
}

// place appends the distinct node v (and, first time, its subtree) to t
// in depth-first order and returns its node in t.
func (t *trie) place(pairs, placed []uint32, v uint32) uint32 {
	if v&leafBit != 0 {
		return v
	}
	if p := placed[v]; p != 0 {
		return p - 1
	}
	n := uint32(len(t.nodes) / 2)
	placed[v] = n + 1
	t.nodes = append(t.nodes, 0, 0)
	l := t.place(pairs, placed, pairs[2*v])
	r := t.place(pairs, placed, pairs[2*v+1])
	t.nodes[2*n], t.nodes[2*n+1] = l, r
	return n
}

// pairIndex is an open-addressing hash table from a node's two children
// to the distinct node with those children. A slot is three words (left
// child, right child, node), so that a probe mostly reads one cache line.
// An empty slot has both children the leaf of all ones: that would be a
// node whose two children are the same leaf, which a merged trie never
// has. It grows to stay at most 3/4 full.
type pairIndex struct {
	slots []uint32
	n     int // entries
	shift uint
}

const emptyChild = ^uint32(0)

// newPairIndex returns an index for n entries before it grows.
func newPairIndex(n int) pairIndex {
	bits := uint(4)
	for 1<<bits < n+n/3+1 {
		bits++
	}
	return pairIndex{slots: emptySlots(1 << bits), shift: 64 - bits}
}

func emptySlots(n int) []uint32 {
	s := make([]uint32, 3*n)
	for i := 0; i < len(s); i += 3 {
		s[i], s[i+1] = emptyChild, emptyChild
	}
	return s
}

// find returns the node with children l and r and true, or, when there is
// none, enters id as that node and returns id and false.
func (x *pairIndex) find(l, r, id uint32) (uint32, bool) {
	size := len(x.slots) / 3
	if 4*(x.n+1) > 3*size {
		x.grow()
		size *= 2
	}
	mask := uint64(size - 1)
	for i := x.slot(l, r); ; i = (i + 1) & mask {
		s := x.slots[3*i : 3*i+3 : 3*i+3]
		switch {
		case s[0] == l && s[1] == r:
			return s[2], true
		case s[0] == emptyChild && s[1] == emptyChild:
			s[0], s[1], s[2] = l, r, id
			x.n++
			return id, false
		}
	}
}

// grow doubles the slots of x.
func (x *pairIndex) grow() {
	old := x.slots
	x.slots, x.shift, x.n = emptySlots(2*len(old)/3), x.shift-1, 0
	for i := 0; i < len(old); i += 3 {
		if old[i] != emptyChild || old[i+1] != emptyChild {
			x.find(old[i], old[i+1], old[i+2])
		}
	}
}

func (x *pairIndex) slot(l, r uint32) uint64 {
	return ((uint64(l)<<32 | uint64(r)) * 0x9e3779b97f4a7c15) >> x.shift
}

// halves returns a 16-byte address as two big-endian uint64s.
func halves(a [16]byte) (hi, lo uint64) {
	return binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
}
