package mmdb

import (
	"math/bits"
	"sync/atomic"
)

// Cache sizes, in slots of one pointer each (8 bytes on 64-bit systems). A
// slot holds one decoded record.
const (
	cityCacheSlots     = 1 << 14 // per Snapshot; 128 KiB of slots
	asnCacheSlots      = 1 << 12 // per Snapshot; 32 KiB of slots
	networksCacheSlots = 1 << 16 // per Networks walk, freed with it
)

// offsetCache memoises decoded records by their offset in the data section
// of one database. Many networks share one record (every network of a city
// points to the same data), so the number of records that queries touch is
// small next to the number of networks, and a cache hit replaces a decode
// (hundreds of nanoseconds and an allocation) with one atomic load.
//
// It is direct-mapped and lock-free: each slot is an atomic pointer to an
// immutable entry; a miss decodes and overwrites the slot, so concurrent
// misses at worst decode twice. Memory is bounded by the slot count. Offsets
// are only meaningful within one database, so a cache belongs to one
// Snapshot and dies with it.
type offsetCache[T any] struct {
	slots []atomic.Pointer[cacheEntry[T]]
	shift uint
}

type cacheEntry[T any] struct {
	off uintptr
	v   T
}

// newOffsetCache returns a cache of n slots; n must be a power of two.
func newOffsetCache[T any](n int) *offsetCache[T] {
	return &offsetCache[T]{
		slots: make([]atomic.Pointer[cacheEntry[T]], n),
		shift: uint(64 - bits.TrailingZeros(uint(n))),
	}
}

func (c *offsetCache[T]) slot(off uintptr) *atomic.Pointer[cacheEntry[T]] {
	// Fibonacci hashing spreads the offsets, which share low bits.
	return &c.slots[(uint64(off)*0x9E3779B97F4A7C15)>>c.shift]
}

// get returns the record cached for off.
func (c *offsetCache[T]) get(off uintptr) (T, bool) {
	if e := c.slot(off).Load(); e != nil && e.off == off {
		return e.v, true
	}
	var zero T
	return zero, false
}

// put caches v as the record at off.
func (c *offsetCache[T]) put(off uintptr, v T) {
	c.slot(off).Store(&cacheEntry[T]{off: off, v: v})
}
