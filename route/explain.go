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
	RankBits   int           // the prefix length around the client within which the ranking holds
	Trace      pick.Trace    // every ranked datacenter, its health and why it was skipped
	Decision   pick.Decision // the decision, with its TTL and ECS scope
}

// Explain decides like Route and records why.
func (r *Router) Explain(name *zones.Name, fam pick.Family, client netip.Addr, sourceBits int) Explanation {
	e := Explanation{Client: client, SourceBits: sourceBits}
	e.Located, e.Embedding = geo.Canonical(client)
	if r.opts.Geo != nil {
		e.Location = r.opts.Geo.Locate(e.Located)
	}
	ranking, bits := r.rank(name.Pool, client)
	e.RankBits = bits
	ts := r.tables.Load()
	_, e.FromTable = ts.byPool[name.Pool]
	e.FromTable = e.FromTable && r.current(ts)
	// The same order with distances, for display: a table is a cache of
	// Rank, so the orders agree.
	if withKM := pick.RankClient(e.Located, e.Location, name.Pool); withKM.Equal(ranking) || !name.Pool.RanksByLocation() {
		ranking = withKM
	}
	h := r.snapshot()
	e.Decision = pick.Resolve(name.Pool, ranking, r.query(name.Pool, fam, client, h), nil, &e.Trace)
	r.complete(name, &e.Decision, sourceBits, bits)
	return e
}
