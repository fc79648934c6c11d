package route

import (
	"net/netip"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// Explanation is everything behind one routing decision, for `gslb explain`.
type Explanation struct {
	Client     netip.Addr    // the address as given
	SourceBits int           // the ECS source prefix length (0: none)
	Located    netip.Addr    // the address the client was located by
	Embedding  geo.Embedding // how Located was found inside Client
	Location   geo.Location  // what the GeoIP database says (zero: unknown or no database)
	FromTable  bool          // the ranking came from a precomputed table, as on the server's hot path
	Trace      pick.Trace    // every ranked datacenter, its health and why it was skipped
	Answer     Answer        // the decision, its TTL and ECS scope
}

// Explain decides like Route and records why.
func (r *Router) Explain(name *zones.Name, fam pick.Family, client netip.Addr, sourceBits int) Explanation {
	e := Explanation{Client: client, SourceBits: sourceBits}
	e.Located, e.Embedding = geo.Canonical(client)
	if snap := r.geoSnapshot(); snap != nil {
		e.Location = snap.Locate(e.Located)
	}
	ranking, scope := r.rank(name.Pool, client, sourceBits)
	ts := r.tables.Load()
	_, e.FromTable = ts.byPool[name.Pool]
	e.FromTable = e.FromTable && r.current(ts)
	// The same order with distances, for display: a table is a cache of
	// Rank, so the orders agree.
	if withKM := pick.Rank(e.Location, name.Pool); withKM.Equal(ranking) || len(name.Pool.Members) < 2 {
		ranking = withKM
	}
	res := pick.Resolve(name.Pool, ranking, r.query(fam), nil, &e.Trace)
	e.Answer = r.answer(name, res, scope)
	return e
}
