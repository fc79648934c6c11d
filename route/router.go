package route

import (
	"github.com/gslb/gslb/internal/procs"
	"iter"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// GeoSource is the GeoIP data the router locates clients with; *mmdb.DB is
// one. Its methods read the data serving now and must be safe for
// concurrent use; Locate is called on the query path and must not block.
type GeoSource interface {
	// Locate returns what the data says about addr (the zero Location
	// when nothing matches).
	Locate(addr netip.Addr) geo.Location
	// Networks walks every network of the data with its location, in
	// address order; ranking tables are built from it.
	Networks() iter.Seq2[netip.Prefix, geo.Location]
	// NetworksWithASN is Networks split further where the AS numbers
	// change (a later, narrower network overrides what it covers), for
	// the tables of pools whose map has ASN entries.
	NetworksWithASN() iter.Seq2[netip.Prefix, geo.Location]
	// Replaced returns a channel that is closed when the data is replaced
	// by a newer version. The same channel identifies one version.
	Replaced() <-chan struct{}
}

// HealthSource gives the current health snapshot.
type HealthSource interface {
	Snapshot() *health.Snapshot
}

// Options configure a Router. The zero value works: no GeoIP database (every
// client unknown, configuration order), everything healthy, the wall clock,
// fast per-thread randomness.
type Options struct {
	Geo    GeoSource    // default: none
	Health HealthSource // default: every target Unknown (up)
	Logger *slog.Logger // default: discard
	Now    func() time.Time
	Rand   func() uint32
	// Spare lends the table builder a processor of its own while it
	// builds (see package procs); nil: none.
	Spare *procs.Spare
}

// Router answers GSLB names. Its methods are safe for concurrent use.
type Router struct {
	opts   Options
	log    *slog.Logger
	tables atomic.Pointer[tableSet]

	plans atomic.Pointer[planIndex] // decisions made ahead (plans.go)

	mu      sync.Mutex
	pending chan struct{} // wakes the table builder
	zones   *zones.Set    // the latest zone set given to Update
}

// New returns a Router.
func New(opts Options) *Router {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Uint32
	}
	r := &Router{opts: opts, log: opts.Logger.With("component", "route"), pending: make(chan struct{}, 1)}
	r.tables.Store(&tableSet{})
	return r
}

// Route decides what name answers for a client and writes the whole
// decision to d: pool, datacenter, reason, addresses or CNAME, TTL and ECS
// scope. client is the ECS address (or the packet's source address),
// sourceBits the ECS source prefix length (0 when the query had no ECS).
// The addresses are appended to d.Addrs[:0], so a d reused with enough
// capacity (Pool.MaxAnswers) makes Route allocation-free.
func (r *Router) Route(name *zones.Name, fam pick.Family, client netip.Addr, sourceBits int, d *pick.Decision) {
	p := name.Pool
	h := r.snapshot()
	if !h.Timed() { // the snapshot's part of pick.Plannable; indexPlans checked the pool's
		if pp := r.plansFor(r.tables.Load(), p); pp != nil {
			id, bits := 0, 0
			if pp.table != nil {
				id, bits = pp.table.LookupID(client)
			}
			*d = pp.plan(p, id, fam, h).Decide(r.opts.Rand(), d.Addrs)
			r.complete(name, d, sourceBits, bits)
			return
		}
	}
	ranking, bits := r.rank(p, client)
	*d = pick.Resolve(p, ranking, r.query(p, fam, client, h), d.Addrs, nil)
	r.complete(name, d, sourceBits, bits)
}

// snapshot returns the health snapshot in force (nil without a health
// source: everything Unknown).
func (r *Router) snapshot() *health.Snapshot {
	if r.opts.Health == nil {
		return nil
	}
	return r.opts.Health.Snapshot()
}

// query returns the pick.Query of a decision for pool p. The clock is
// read only when the decision can depend on it: when the health snapshot
// holds overrides (which end, or whose end ramps up) or p ramps up its
// members. Without those Query.Now is never looked at, and reading it was
// 1.5% of the server's CPU per geo-routed query under load.
func (r *Router) query(p *pick.Pool, fam pick.Family, client netip.Addr, h *health.Snapshot) pick.Query {
	q := pick.Query{Family: fam, Rand: r.opts.Rand(), Client: client, Health: h}
	if p.RampUp > 0 || q.Health.Timed() {
		q.Now = r.opts.Now()
	}
	return q
}

// complete sets the decision's TTL and ECS scope. rankBits is the prefix
// length around the client within which the ranking holds; the choice may
// need a narrower one (Decision.MinScope).
func (r *Router) complete(name *zones.Name, d *pick.Decision, sourceBits, rankBits int) {
	d.TTL = name.TTL
	if d.Degraded() {
		d.TTL = name.DegradedTTL
	}
	d.Scope = pick.ECSScope(sourceBits, max(rankBits, d.MinScope))
}

// rank returns the client's ranking for the pool and the prefix length
// around the client within which every address ranks the same.
func (r *Router) rank(p *pick.Pool, client netip.Addr) (pick.Ranking, int) {
	if !p.RanksByLocation() {
		return pick.Ranking{}, 0 // configuration order for everyone
	}
	ts := r.tables.Load()
	if t, ok := ts.byPool[p]; ok && r.current(ts) {
		// Lookup ranks IPv4-mapped, 6to4 and Teredo clients by the IPv4
		// address inside and gives the length in the client's own family.
		return t.Lookup(client)
	}
	// No table yet: rank from the database lookup; the ranking holds for
	// the matched network (or only for the address itself when nothing
	// matched, since the extent of the unknown space around it is not
	// known here).
	if r.opts.Geo == nil {
		return pick.Ranking{}, 0
	}
	canon, emb := geo.Canonical(client)
	loc := r.opts.Geo.Locate(canon)
	bits := canon.BitLen()
	// The ranking holds for the database network, unless a map CIDR lies
	// inside it: then only the address itself is known to rank alike.
	if loc.Known() && !p.Map.SplitsNetwork(loc.Network) {
		bits = loc.Network.Bits()
	}
	return pick.RankClient(canon, loc, p), emb.OuterBits(bits)
}
