package pick

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gslb/gslb/geo"
)

// inlineMembers is how many members a Ranking holds without allocating.
const inlineMembers = 16

// Ranking is the order in which a pool's members are tried for one client,
// nearest first, with the distances when they are known. It is a small
// value: for pools of up to 16 members it holds everything inline, so
// making, copying and reading one does not allocate.
//
// With a map, a Ranking may hold fewer candidates than the pool has
// members: the map entry's listed datacenters first, then, when the entry
// ends with "*", the others; a fence leaves the others out.
//
// The zero Ranking, and a Ranking made for a pool with a different number of
// members, mean configuration order to Resolve.
type Ranking struct {
	n       int                    // members of the pool
	allowed int                    // candidates: the first allowed ranked members may answer
	listed  int                    // of which the first listed are a map entry's own datacenters
	entry   int                    // the map entry that ranked them, plus 1; 0: none or not known (tables)
	located bool                   // km holds distances
	idx     [inlineMembers]uint8   // member indexes when n <= inlineMembers
	km      [inlineMembers]float32 // distances when located
	bigIdx  []int32                // member indexes when n > inlineMembers
	bigKm   []float32              // distances when n > inlineMembers and located
}

// Rank orders the members of p for a client at loc, by the pool's policy.
//
// Nearest: by great-circle distance from the client's coordinates to each
// member's datacenter, scaled by the member's bias (distance × (1 −
// bias/100)), nearest first; members at the same distance keep
// configuration order. A client without coordinates (an unknown location,
// or a database record without one) gets configuration order. Every other
// policy ranks in configuration order: failover tries members in that
// order, weighted and sticky choose among all of them.
//
// Rank reads only what the policy's rank key takes from loc (see rankKey);
// it does not allocate for pools of up to 16 members.
func Rank(loc geo.Location, p *Pool) Ranking {
	if p == nil {
		return Ranking{}
	}
	return p.rankBy(p.rankKey(p.Map.Match(netip.Addr{}, loc), loc))
}

// RankClient is Rank for a client at addr: with a map, CIDR entries match
// the address itself. Rank(loc, p) is RankClient of the zero address.
func RankClient(addr netip.Addr, loc geo.Location, p *Pool) Ranking {
	if p == nil {
		return Ranking{}
	}
	return p.rankBy(p.rankKey(p.Map.Match(addr, loc), loc))
}

// rankKey is everything of a client that a pool's policy and map rank by.
// Clients with equal keys get the same ranking: BuildTable ranks each
// distinct key once. Since Rank is rankBy(rankKey(...)), the cache and the
// direct ranking cannot disagree.
type rankKey struct {
	entry    int     // the map entry that matched, plus 1; 0: none (or no map)
	lat, lon float64 // the client's coordinates, when located
	located  bool    // the policy ranks by coordinates and the client has them
}

// rankKey returns the key of a client matching map entry entry (-1: none)
// at loc under p's policy.
func (p *Pool) rankKey(entry int, loc geo.Location) rankKey {
	k := rankKey{entry: entry + 1}
	if p.Policy == Nearest && loc.HasCoordinates {
		k.lat, k.lon, k.located = loc.Lat, loc.Lon, true
	}
	return k
}

// rankBy ranks p's members for a client with key k: the map entry's
// datacenters first, in its order, then (with "*", or without a map entry)
// the others by the policy: by distance when k is located, else in
// configuration order.
func (p *Pool) rankBy(k rankKey) Ranking {
	r := p.rankAll(k)
	if k.entry > 0 && p.Map != nil {
		r.restrict(p, p.Map.Entry(k.entry-1))
		r.entry = k.entry
	}
	return r
}

// rankAll ranks every member by the policy.
func (p *Pool) rankAll(k rankKey) Ranking {
	n := len(p.Members)
	if n > inlineMembers {
		return p.rankBig(k)
	}
	r := Ranking{n: n, allowed: n, listed: n}
	for i := range n {
		r.idx[i] = uint8(i)
	}
	if !k.located {
		return r
	}
	r.located = true
	var d [inlineMembers]float64
	for i := range n {
		d[i] = p.Members[i].distance(k)
	}
	// Insertion sort: stable, and the fastest for a handful of members.
	for i := 1; i < n; i++ {
		m := r.idx[i]
		j := i
		for ; j > 0 && d[m] < d[r.idx[j-1]]; j-- {
			r.idx[j] = r.idx[j-1]
		}
		r.idx[j] = m
	}
	for i := range n {
		r.km[i] = float32(d[r.idx[i]])
	}
	return r
}

// rankBig is rankBy for pools too large for the inline arrays.
func (p *Pool) rankBig(k rankKey) Ranking {
	n := len(p.Members)
	r := Ranking{n: n, allowed: n, listed: n, bigIdx: make([]int32, n)}
	for i := range n {
		r.bigIdx[i] = int32(i)
	}
	if !k.located {
		return r
	}
	r.located = true
	d := make([]float64, n)
	for i := range n {
		d[i] = p.Members[i].distance(k)
	}
	slices.SortStableFunc(r.bigIdx, func(a, b int32) int { return cmp.Compare(d[a], d[b]) })
	r.bigKm = make([]float32, n)
	for i, m := range r.bigIdx {
		r.bigKm[i] = float32(d[m])
	}
	return r
}

// distance is the member's distance from a located client as the nearest
// policy ranks it: great-circle kilometres scaled by (1 - Bias/100).
func (m *Member) distance(k rankKey) float64 {
	dc := m.Datacenter
	km := geo.Distance(k.lat, k.lon, dc.Lat, dc.Lon)
	if m.Bias != 0 {
		km *= 1 - float64(m.Bias)/100
	}
	return km
}

// restrict reorders r for map entry e: the members of e's datacenters
// first, in e's order, then, when e.Rest, the others in r's order; without
// Rest the others are fenced out (allowed stops after the listed ones).
func (r *Ranking) restrict(p *Pool, e *MapEntry) {
	n := r.n
	var inline [inlineMembers]int32
	order := inline[:0]
	if n > inlineMembers {
		order = make([]int32, 0, n)
	}
	km := func(m int) float32 { return 0 }
	if r.located {
		var byMember [inlineMembers]float32
		var big []float32
		if n > inlineMembers {
			big = make([]float32, n)
		}
		for i := range n {
			if big != nil {
				big[r.bigIdx[i]] = r.bigKm[i]
			} else {
				byMember[r.idx[i]] = r.km[i]
			}
		}
		km = func(m int) float32 {
			if big != nil {
				return big[m]
			}
			return byMember[m]
		}
	}
	var taken [inlineMembers]bool
	var bigTaken []bool
	if n > inlineMembers {
		bigTaken = make([]bool, n)
	}
	isTaken := func(m int) bool {
		if bigTaken != nil {
			return bigTaken[m]
		}
		return taken[m]
	}
	take := func(m int) {
		if bigTaken != nil {
			bigTaken[m] = true
		} else {
			taken[m] = true
		}
		order = append(order, int32(m))
	}
	for _, dc := range e.Datacenters {
		for m := range p.Members {
			if p.Members[m].Datacenter.Name == dc && !isTaken(m) {
				take(m)
				break
			}
		}
	}
	r.listed = len(order)
	if e.Rest {
		for i := range n {
			if m := r.member(i, n); !isTaken(m) {
				take(m)
			}
		}
	}
	r.allowed = len(order)
	// The fenced-out members follow, so that the ranking stays a
	// permutation; Resolve never looks past allowed.
	for i := range n {
		if m := r.member(i, n); !isTaken(m) {
			take(m)
		}
	}
	for i, m := range order {
		if r.bigIdx != nil {
			r.bigIdx[i] = m
			if r.located {
				r.bigKm[i] = km(int(m))
			}
		} else {
			r.idx[i] = uint8(m)
			if r.located {
				r.km[i] = km(int(m))
			}
		}
	}
}

// Len returns the number of ranked members.
func (r Ranking) Len() int { return r.n }

// Candidates returns how many of the ranked members may answer (a map
// entry without "*" fences the others out) and how many of those are the
// entry's own listed datacenters.
func (r Ranking) Candidates() (allowed, listed int) { return r.allowed, r.listed }

// candidates is Candidates for a pool of n members, with the zero Ranking
// (or one of another pool) meaning every member in configuration order.
func (r *Ranking) candidates(n int) (allowed, listed int) {
	if r.n != n {
		return n, n
	}
	return r.allowed, r.listed
}

// Entry returns the index of the map entry that ranked the client, or -1
// when no entry did (no map, or no entry matched and no default) or the
// ranking came from a Table, which does not keep it (rankings of different
// entries that order alike share a leaf, so that scopes stay widest).
func (r Ranking) Entry() int { return r.entry - 1 }

// Member returns the index into Pool.Members of the member ranked i-th
// (0 is the first choice). It panics if i is out of range.
func (r Ranking) Member(i int) int {
	if i < 0 || i >= r.n {
		panic("pick: Ranking.Member index out of range")
	}
	if r.bigIdx != nil {
		return int(r.bigIdx[i])
	}
	return int(r.idx[i])
}

// Distance returns the distance in kilometres from the client to the
// datacenter of the member ranked i-th, scaled by the member's bias as the
// ranking used it, and whether it is known. It is not
// known when the client had no coordinates, and for rankings from a Table,
// which are shared by every client of a network.
func (r Ranking) Distance(i int) (km float64, ok bool) {
	if !r.located || i < 0 || i >= r.n {
		return 0, false
	}
	if r.bigIdx != nil {
		return float64(r.bigKm[i]), true
	}
	return float64(r.km[i]), true
}

// Equal reports whether r and s rank the members in the same order,
// whatever their distances.
func (r Ranking) Equal(s Ranking) bool {
	if r.n != s.n || r.allowed != s.allowed || r.listed != s.listed {
		return false
	}
	for i := range r.n {
		if r.Member(i) != s.Member(i) {
			return false
		}
	}
	return true
}

// String returns the member indexes in rank order, such as "[2 0 1]".
// With a map entry, "/" follows the entry's own members when others
// ("*") come after them, and "|" precedes the members fenced out, as in
// "[2 / 0 | 1]".
func (r Ranking) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range r.n {
		switch {
		case i == r.allowed:
			b.WriteString(" | ")
		case i == r.listed:
			b.WriteString(" / ")
		case i > 0:
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(r.Member(i)))
	}
	b.WriteByte(']')
	return strings.Replace(b.String(), "[ ", "[", 1)
}

// member returns the index of the member ranked i-th for a pool of n
// members, falling back to configuration order when r is not a ranking of
// n members.
func (r *Ranking) member(i, n int) int {
	if r.n != n {
		return i
	}
	if r.bigIdx != nil {
		return int(r.bigIdx[i])
	}
	return int(r.idx[i])
}

// withoutDistances returns r without its distances, as stored in a Table.
func (r Ranking) withoutDistances() Ranking {
	r.located, r.entry = false, 0
	r.km = [inlineMembers]float32{}
	r.bigKm = nil
	return r
}

// appendKey appends r's member order to b, as an interning key.
func (r *Ranking) appendKey(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(r.allowed))
	b = binary.BigEndian.AppendUint32(b, uint32(r.listed))
	for i := range r.n {
		m := r.member(i, r.n)
		if r.n <= 256 {
			b = append(b, byte(m))
		} else {
			b = append(b, byte(m>>24), byte(m>>16), byte(m>>8), byte(m))
		}
	}
	return b
}
