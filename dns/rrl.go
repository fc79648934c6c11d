package dns

import (
	"encoding/binary"
	"hash/maphash"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Response rate limiting (RRL), as BIND, NSD and Knot do it: a spoofed
// flood that would use the server to amplify an attack on a third party
// gets at most RRLConfig.ResponsesPerSecond identical responses per
// second per client prefix; beyond that every Slip-th response is sent
// truncated (a real resolver retries over TCP, which cannot be spoofed)
// and the others are dropped.
//
// The accounts live in a table of fixed size, set-associative: a key
// hashes to a set of rrlWays accounts, each set behind its own mutex, so
// that queries contend only when they hash to the same set. A key that
// finds no account recycles the set's least recently charged one, sparing
// those limited within the last window: a flood of distinct prefixes or
// names cannot flush the accounts being limited. Each account is a
// GCRA token bucket (one int64: the theoretical arrival time), holding
// one second's worth of responses.

// Response kinds: responses are counted per client prefix and per kind,
// as BIND and Knot count them.
const (
	rrlAnswer   = iota + 1 // answers and NODATA: per query name and type
	rrlNXDomain            // NXDOMAIN: per zone
	rrlReferral            // referrals: per delegation
	rrlError               // errors (SERVFAIL, REFUSED, FORMERR, ...): one class
)

// The table: rrlSets sets of rrlWays accounts (65,536 accounts, about
// 2.5 MB), whatever the number of clients.
const (
	rrlWays = 4
	rrlSets = 1 << 14
)

// rrlLogInterval is the least time between two log lines about limiting.
const rrlLogInterval = 30 * time.Second

// rrlVerdict is what RRL does with one response.
type rrlVerdict uint8

const (
	rrlPass rrlVerdict = iota
	rrlSlip            // send it truncated
	rrlDrop
)

// rrlAccount is one (prefix, kind) account.
type rrlAccount struct {
	key     uint64 // the hash of prefix and kind; 0: free
	tat     int64  // GCRA theoretical arrival time, in nanoseconds
	limited int64  // when it was last limited, in nanoseconds; 0: never
	n       uint32 // responses limited, for the slip
	epoch   uint32 // the log epoch of logN
	logN    uint32 // responses limited in that epoch
}

type rrlSet struct {
	mu sync.Mutex
	a  [rrlWays]rrlAccount
}

// rrlTable is the accounts' table and what the log line reports. It is
// kept across reloads (a changed rate applies to the accounts as they
// are).
type rrlTable struct {
	sets []rrlSet
	seed maphash.Seed

	lastLog atomic.Int64  // when the last line was logged, in nanoseconds
	epoch   atomic.Uint32 // counts the log lines: accounts count per epoch
	topN    atomic.Uint32 // the most responses limited of one account in this epoch
	slipped atomic.Uint64 // since the last line
	dropped atomic.Uint64
	mu      sync.Mutex
	top     netip.Prefix // the account of topN's prefix
}

func newRRLTable() *rrlTable {
	return &rrlTable{sets: make([]rrlSet, rrlSets), seed: maphash.MakeSeed()}
}

// rrl is RRLConfig as the query path reads it.
type rrl struct {
	table      *rrlTable
	interval   int64 // nanoseconds per response at the limit
	tolerance  int64 // GCRA burst tolerance: a second's worth of responses, less one
	window     int64 // nanoseconds a limited account is kept in preference to others
	slip       uint32
	bits4      int // client prefix lengths
	bits6      int
	exempt     []netip.Prefix
	dryRun     bool
	logLimited func(top netip.Prefix, n uint32, slipped, dropped uint64) // called at most every rrlLogInterval
}

// exempted reports whether src is in an exempt prefix.
func (l *rrl) exempted(src netip.Addr) bool {
	for _, p := range l.exempt {
		if p.Contains(src) {
			return true
		}
	}
	return false
}

// prefix returns the client prefix of src.
func (l *rrl) prefix(src netip.Addr) netip.Prefix {
	if src.Is4() {
		p, _ := src.Prefix(l.bits4)
		return p
	}
	p, _ := src.Prefix(l.bits6)
	return p
}

// key returns the account key of a response of kind to prefix p: name
// and qtype for answers, the zone or delegation name for NXDOMAIN and
// referrals, nothing more for errors. The name is hashed with the table's
// random seed and the rest mixed into it, so that clients cannot choose
// keys that collide.
func (l *rrl) key(p netip.Prefix, kind uint8, name string, qtype uint16) uint64 {
	if kind != rrlAnswer {
		qtype = 0
	}
	if kind == rrlError {
		name = ""
	}
	a := p.Addr().As16()
	h := maphash.String(l.table.seed, name)
	h = mix64(h ^ binary.BigEndian.Uint64(a[:8]))
	h = mix64(h ^ binary.BigEndian.Uint64(a[8:]) ^ uint64(p.Bits())<<56 ^ uint64(kind)<<48 ^ uint64(qtype)<<32)
	if h == 0 {
		h = 1 // 0 marks a free account
	}
	return h
}

// mix64 is SplitMix64's finaliser: every bit of x moves about half of the
// result's.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// charge counts one response of the account key at now (nanoseconds) and
// returns the verdict; p is the client prefix, named in the log line.
func (l *rrl) charge(key uint64, p netip.Prefix, now int64) rrlVerdict {
	t := l.table
	set := &t.sets[key%rrlSets]
	set.mu.Lock()
	a := set.account(key, now, l.window)
	tat := max(a.tat, now)
	if tat-now <= l.tolerance {
		a.tat = tat + l.interval
		set.mu.Unlock()
		return rrlPass
	}
	a.limited = now
	a.n++
	v := rrlDrop
	if l.slip > 0 && a.n%l.slip == 0 {
		v = rrlSlip
	}
	epoch := t.epoch.Load()
	if a.epoch != epoch {
		a.epoch, a.logN = epoch, 0
	}
	a.logN++
	n := a.logN
	set.mu.Unlock()
	// The most limited account is tracked at powers of two of its count
	// and every 1024 after: not a lock per limited response.
	if (n&(n-1) == 0 || n%1024 == 0) && n > t.topN.Load() {
		t.mu.Lock()
		if n > t.topN.Load() && t.epoch.Load() == epoch {
			t.topN.Store(n)
			t.top = p
		}
		t.mu.Unlock()
	}
	return v
}

// account returns the account of key, taking over the set's least
// recently charged one when key has none: among those not limited within
// the last window when there are any.
func (s *rrlSet) account(key uint64, now, window int64) *rrlAccount {
	var victim *rrlAccount
	for i := range s.a {
		a := &s.a[i]
		if a.key == key {
			return a
		}
		if victim == nil || rrlOlder(a, victim, now, window) {
			victim = a
		}
	}
	*victim = rrlAccount{key: key}
	return victim
}

// rrlOlder reports whether a is a better account to recycle than b.
func rrlOlder(a, b *rrlAccount, now, window int64) bool {
	aKept := a.limited != 0 && now-a.limited < window
	bKept := b.limited != 0 && now-b.limited < window
	if aKept != bKept {
		return bKept
	}
	return a.tat < b.tat
}

// counted records a limited response's fate for the log line, and logs
// when the last line is older than rrlLogInterval.
func (l *rrl) counted(v rrlVerdict, now int64) {
	t := l.table
	switch v {
	case rrlSlip:
		t.slipped.Add(1)
	case rrlDrop:
		t.dropped.Add(1)
	}
	last := t.lastLog.Load()
	if now-last < int64(rrlLogInterval) || !t.lastLog.CompareAndSwap(last, now) {
		return
	}
	t.mu.Lock()
	top, n := t.top, t.topN.Load()
	t.epoch.Add(1)
	t.topN.Store(0)
	t.top = netip.Prefix{}
	t.mu.Unlock()
	if l.logLimited != nil {
		l.logLimited(top, n, t.slipped.Swap(0), t.dropped.Swap(0))
	}
}
