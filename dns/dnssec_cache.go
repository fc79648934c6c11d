package dns

import (
	"hash/maphash"
	"sync"
	"sync/atomic"

	mdns "github.com/miekg/dns"
)

// Sizes of the signature cache of one signed zone.
const (
	sigShards        = 64
	sigShardCapacity = 1024 // RRsets per generation of a shard: at most 2×64×1024 cached
)

// sigCache holds the signatures of the RRsets a zone answered, keyed by
// the RRset's canonical content (owner, type, TTL, sorted RDATA), so that
// a static RRset and a hot geo-routed answer are signed once per
// signature refresh, not per query. It is sharded, each shard behind its
// own RWMutex that is held only to read or insert a map entry, never while
// signing. Each shard keeps two generations: when the current one is
// full it becomes the previous one and the previous one is dropped, so the
// cache is bounded and keeps what was used recently.
type sigCache struct {
	seed   maphash.Seed
	shards [sigShards]sigShard
}

type sigShard struct {
	mu        sync.RWMutex
	cur, prev map[string]*sigEntry
}

// sigEntry is the signatures of one RRset, shared and never modified
// (but for refreshing).
type sigEntry struct {
	sigs    []mdns.RR // one RRSIG per signing key
	refresh int64     // unix seconds after which the RRset is signed again
	expire  int64     // unix seconds after which sigs may no longer be answered
	// refreshing is set by the one query that signs the RRset again once
	// refresh has passed; meanwhile the others answer sigs, still valid
	// for days.
	refreshing atomic.Bool
}

func newSigCache() *sigCache {
	return &sigCache{seed: maphash.MakeSeed()}
}

func (c *sigCache) shard(key []byte) *sigShard {
	return &c.shards[maphash.Bytes(c.seed, key)%sigShards]
}

// get returns the entry for key, if any (fresh or not).
func (c *sigCache) get(key []byte) *sigEntry {
	sh := c.shard(key)
	sh.mu.RLock()
	e := sh.cur[string(key)]
	inPrev := false
	if e == nil {
		e = sh.prev[string(key)]
		inPrev = e != nil
	}
	sh.mu.RUnlock()
	if inPrev {
		c.put(key, e) // used again: keep it in the current generation
	}
	return e
}

// put stores the entry for key.
func (c *sigCache) put(key []byte, e *sigEntry) {
	sh := c.shard(key)
	sh.mu.Lock()
	if sh.cur == nil || len(sh.cur) >= sigShardCapacity {
		sh.prev, sh.cur = sh.cur, make(map[string]*sigEntry, 64)
	}
	sh.cur[string(key)] = e
	sh.mu.Unlock()
}

// len returns the number of entries (tests).
func (c *sigCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.cur) + len(sh.prev)
		sh.mu.RUnlock()
	}
	return n
}
