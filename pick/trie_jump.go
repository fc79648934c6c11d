package pick

import "math/bits"

// The jump index of a finished trie: the word a lookup reaches after the
// first jumpBits bits of the address, for every value of those bits, so
// that a lookup starts that deep instead of at the root. A walk down a
// binary trie takes one dependent load and one unpredictable branch per
// bit; the index saves up to jumpBits of them (the first 16 of the 24 a
// /24 network takes), for 5 octets per entry. Its width grows with the
// trie (jumpWidth), so that small tables stay small.
type jumpIndex struct {
	bits  int      // address bits the index covers; 0: no index
	words []uint32 // 1<<bits entries: the leaf or node reached
	depth []uint8  // 1<<bits entries: the depth of that word (bits, or less where a leaf comes first)
}

// jumpWidth returns the index width for a trie of n nodes: about one
// entry per node, between 4 and 16 bits.
func jumpWidth(n int) int {
	return min(max(bits.Len(uint(n)), 4), 16)
}

// buildJump indexes the trie (see jumpIndex).
func (t *trie) buildJump() {
	k := jumpWidth(len(t.nodes) / 2)
	t.jump = jumpIndex{bits: k, words: make([]uint32, 1<<k), depth: make([]uint8, 1<<k)}
	t.fillJump(t.root, 0, 0)
}

// fillJump fills the index entries under word v, which is at depth d on
// the path of the d-bit prefix p.
func (t *trie) fillJump(v uint32, d int, p uint32) {
	k := t.jump.bits
	if v&leafBit != 0 || d == k {
		lo, n := p<<(k-d), uint32(1)<<(k-d)
		for i := lo; i < lo+n; i++ {
			t.jump.words[i], t.jump.depth[i] = v, uint8(d)
		}
		return
	}
	t.fillJump(t.nodes[2*v], d+1, p<<1)
	t.fillJump(t.nodes[2*v+1], d+1, p<<1|1)
}

// bytes returns the memory the index holds.
func (j *jumpIndex) bytes() int { return 5 * len(j.words) }
