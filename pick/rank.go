package pick

import (
	"cmp"
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
// The zero Ranking, and a Ranking made for a pool with a different number of
// members, mean configuration order to Resolve.
type Ranking struct {
	n       int                    // members ranked
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
	return p.rankBy(p.rankKey(loc))
}

// rankKey is everything of a client's location that a pool's policy ranks
// by. Locations with equal keys get the same ranking: BuildTable ranks each
// distinct key once. Since Rank is rankBy(rankKey(loc)), the cache and the
// direct ranking cannot disagree.
type rankKey struct {
	lat, lon float64 // the client's coordinates, when located
	located  bool    // the policy ranks by coordinates and the client has them
}

// rankKey returns the key of loc under p's policy.
func (p *Pool) rankKey(loc geo.Location) rankKey {
	if p.Policy == Nearest && loc.HasCoordinates {
		return rankKey{lat: loc.Lat, lon: loc.Lon, located: true}
	}
	return rankKey{}
}

// rankBy ranks p's members for a client with key k: by distance when k is
// located, else in configuration order.
func (p *Pool) rankBy(k rankKey) Ranking {
	n := len(p.Members)
	if n > inlineMembers {
		return p.rankBig(k)
	}
	r := Ranking{n: n}
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
	r := Ranking{n: n, bigIdx: make([]int32, n)}
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

// Len returns the number of ranked members.
func (r Ranking) Len() int { return r.n }

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
	if r.n != s.n {
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
func (r Ranking) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range r.n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(r.Member(i)))
	}
	b.WriteByte(']')
	return b.String()
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
	r.located = false
	r.km = [inlineMembers]float32{}
	r.bigKm = nil
	return r
}

// appendKey appends r's member order to b, as an interning key.
func (r *Ranking) appendKey(b []byte) []byte {
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
