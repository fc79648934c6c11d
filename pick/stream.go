package pick

import "math/bits"

// A stream builds a trie in one pass from prefixes given in address order,
// bottom up: the address space is cut, left to right, into aligned blocks
// of one leaf value each, and a node is made as soon as both its halves are
// complete. Nothing is ever looked up from the root, and nodes are made
// through a dag, which stores identical subtrees once (hash-consing), so
// the stream holds only the finished, shared nodes and one pending left
// half per depth. The result is the trie a builder would hold after
// inserting the same prefixes in the same order, merged as builder.finish
// merges it, node for node.
//
// The order a stream takes is the order of a walk of a prefix tree (a
// database walk): each prefix starts after the end of the prefix before it,
// or lies inside it (or inside one still open around it), and the inner
// one wins over the addresses it covers. A prefix that starts before what
// is already finished, or that is wider than an open prefix it overlaps,
// cannot be taken: push reports it, and the caller falls back to a builder
// (see tableBuilder).
type stream struct {
	width      int // address bits: 32 or 128
	background uint32
	dag        dag
	pos        u128 // first address not yet cut into blocks
	done       bool // every address is cut (pos wrapped around)
	root       uint32
	left       [129]uint32  // left[d]: the finished left half whose right sibling, at depth d, is being cut
	open       []openPrefix // the pushed prefixes around pos, outermost first
	pins       []openPrefix // prefixes that win over everything inside them, in address order, not pushed yet
}

// openPrefix is a prefix pushed on a stream and not finished yet.
type openPrefix struct {
	first, last u128 // its first and last address
	bits        int
	v           uint32 // its leaf value
	pinned      bool   // prefixes inside it are dropped
}

// newStream returns a stream over an address space of width bits whose
// addresses have leaf value background until a prefix covers them.
func newStream(width int, background uint32) *stream {
	return &stream{width: width, background: background, dag: newDAG()}
}

// pin makes the prefix at first of length bits have leaf value v whatever
// is pushed over or inside it, as if it were inserted last. Pins must be
// disjoint, given in address order, before anything is pushed.
func (s *stream) pin(first u128, bits int, v uint32) {
	s.pins = append(s.pins, openPrefix{first: first, last: first.or(hostMask(s.width - bits)), bits: bits, v: v, pinned: true})
}

// push gives the addresses of the prefix at first (its host bits clear) of
// length bits the leaf value v, over the prefixes pushed before it that
// contain it. It reports false, and changes nothing a later push or finish
// could not have changed, when the prefix is out of order (see stream).
func (s *stream) push(first u128, bits int, v uint32) bool {
	for len(s.pins) > 0 {
		q := s.pins[0]
		if !q.first.less(first) && (q.first != first || q.bits > bits) {
			break
		}
		s.pins = s.pins[1:]
		s.open1(q)
	}
	return s.open1(openPrefix{first: first, last: first.or(hostMask(s.width - bits)), bits: bits, v: v})
}

// open1 pushes p: it finishes the open prefixes that end before p, cuts the
// space between them and p with the value around it, and opens p.
func (s *stream) open1(p openPrefix) bool {
	for len(s.open) > 0 && s.open[len(s.open)-1].last.less(p.first) {
		s.close()
	}
	around := s.background
	if n := len(s.open); n > 0 {
		top := &s.open[n-1]
		if top.pinned && !p.first.less(top.first) && !top.last.less(p.last) {
			return true // inside a pin: it would be overwritten
		}
		if top.last.less(p.last) {
			return false // overlaps top without being inside it: wider, and later
		}
		around = top.v
	}
	if s.done || p.first.less(s.pos) {
		return false
	}
	if s.pos.less(p.first) {
		s.fill(p.first.sub1(), around)
	}
	s.open = append(s.open, p)
	return true
}

// close finishes the innermost open prefix.
func (s *stream) close() {
	top := s.open[len(s.open)-1]
	s.open = s.open[:len(s.open)-1]
	if top.first == s.pos && !s.done {
		// Nothing was pushed inside: one block (the common case).
		s.block(top.bits, top.v)
		s.pos, s.done = s.pos.addPow2(s.width-top.bits, s.width)
		return
	}
	s.fill(top.last, top.v)
}

// finish pushes the pins left, finishes every open prefix, cuts the rest
// of the space with the background value and returns the root: a leaf, or
// a node of s.dag.
func (s *stream) finish() uint32 {
	for _, q := range s.pins {
		s.open1(q)
	}
	s.pins = nil
	for len(s.open) > 0 {
		s.close()
	}
	s.fill(hostMask(s.width), s.background)
	return s.root
}

// fill cuts the addresses from pos to last into the largest aligned blocks
// and gives them the leaf value v.
func (s *stream) fill(last u128, v uint32) {
	for !s.done && !last.less(s.pos) {
		k := s.pos.trailingZeros(s.width) // the block may be as large as pos's alignment
		if span := last.minus(s.pos); span != hostMask(s.width) {
			k = min(k, span.add1().len()-1) // and must end by last
		}
		s.block(s.width-k, v)
		s.pos, s.done = s.pos.addPow2(k, s.width)
	}
}

// block adds the block at pos of depth d (the prefix length) with leaf
// value v: a left half waits for its sibling; a right half makes their
// parent with the waiting left one, and so on up.
func (s *stream) block(d int, v uint32) {
	for d > 0 {
		if s.pos.bit(s.width-d) == 0 {
			s.left[d] = v
			return
		}
		v = s.dag.node(s.left[d], v)
		d--
	}
	s.root = v
}

// dag holds distinct trie nodes: a node is made once for each pair of
// children, and a node whose children are the same leaf is that leaf, so
// that a trie made through a dag is merged and stores identical subtrees
// once as it is made.
type dag struct {
	pairs []uint32  // node k has children pairs[2k] and pairs[2k+1]
	index pairIndex // children -> node
}

func newDAG() dag { return dag{index: newPairIndex(0)} }

// node returns the node with children l and r (or the leaf l when both are
// that leaf).
func (d *dag) node(l, r uint32) uint32 {
	if l == r && l&leafBit != 0 {
		return l
	}
	id, found := d.index.find(l, r, uint32(len(d.pairs)/2))
	if !found {
		if id >= leafBit {
			panic("pick: trie too large")
		}
		d.pairs = append(d.pairs, l, r)
	}
	return id
}

// relabel returns the subtree v with every leaf from replaced by the leaf
// to, merged again: the subtree of the same addresses had they been given
// to instead of from.
func (d *dag) relabel(v, from, to uint32, memo map[uint32]uint32) uint32 {
	if v&leafBit != 0 {
		if v == from {
			return to
		}
		return v
	}
	if n, ok := memo[v]; ok {
		return n
	}
	n := d.node(d.relabel(d.pairs[2*v], from, to, memo), d.relabel(d.pairs[2*v+1], from, to, memo))
	memo[v] = n
	return n
}

// u128 is an address of up to 128 bits as a number, the last bit of the
// address the lowest: IPv4 addresses take the low 32 bits.
type u128 struct{ hi, lo uint64 }

func (x u128) less(y u128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

func (x u128) or(y u128) u128 { return u128{x.hi | y.hi, x.lo | y.lo} }

func (x u128) andNot(y u128) u128 { return u128{x.hi &^ y.hi, x.lo &^ y.lo} }

// minus returns x-y (x >= y).
func (x u128) minus(y u128) u128 {
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	return u128{x.hi - y.hi - borrow, lo}
}

// sub1 returns x-1 (x > 0).
func (x u128) sub1() u128 { return x.minus(u128{0, 1}) }

// add1 returns x+1 (x < 2^128-1).
func (x u128) add1() u128 {
	lo, carry := bits.Add64(x.lo, 1, 0)
	return u128{x.hi + carry, lo}
}

// addPow2 returns x+2^k and whether the sum reached 2^width (the end of
// the space).
func (x u128) addPow2(k, width int) (u128, bool) {
	if k == 128 {
		return u128{}, true // the block of the whole space
	}
	var y u128
	if k < 64 {
		y.lo = 1 << k
	} else {
		y.hi = 1 << (k - 64)
	}
	lo, carry := bits.Add64(x.lo, y.lo, 0)
	hi, over := bits.Add64(x.hi, y.hi, carry)
	s := u128{hi, lo}
	if width == 128 {
		return s, over != 0
	}
	return s, s.lo>>width != 0 // width < 64: the space ends at 2^width
}

// trailingZeros returns the number of trailing zero bits of x, width for 0.
func (x u128) trailingZeros(width int) int {
	if x.lo != 0 {
		return min(bits.TrailingZeros64(x.lo), width)
	}
	if x.hi != 0 {
		return 64 + bits.TrailingZeros64(x.hi)
	}
	return width
}

// len returns the number of bits needed to write x.
func (x u128) len() int {
	if x.hi != 0 {
		return 64 + bits.Len64(x.hi)
	}
	return bits.Len64(x.lo)
}

// bit returns bit i of x (0 is the lowest).
func (x u128) bit(i int) uint64 {
	if i < 64 {
		return x.lo >> i & 1
	}
	return x.hi >> (i - 64) & 1
}

// hostMask returns the number with the k low bits set (0 <= k <= 128).
func hostMask(k int) u128 {
	switch {
	case k == 0:
		return u128{}
	case k < 64:
		return u128{0, 1<<k - 1}
	case k == 128:
		return u128{^uint64(0), ^uint64(0)}
	}
	return u128{1<<(k-64) - 1, ^uint64(0)}
}
