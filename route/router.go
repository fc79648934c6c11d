package route

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/geo/mmdb"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// GeoSource gives the current GeoIP snapshot; nil means no database.
type GeoSource interface {
	Snapshot() *mmdb.Snapshot
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
}

// Router answers GSLB names. Its methods are safe for concurrent use.
type Router struct {
	opts   Options
	log    *slog.Logger
	tables atomic.Pointer[tableSet]

	mu      sync.Mutex
	pending chan struct{} // wakes the table builder
	zones   *zones.Set    // the latest zone set given to Update
}

// tableSet is the tables built for one GeoIP snapshot and one zone set.
type tableSet struct {
	geo    *mmdb.Snapshot
	byPool map[*pick.Pool]*pick.Table
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

// Answer is the routing decision for one query.
type Answer struct {
	pick.Result
	TTL   uint32 // the name's TTL, or its degraded TTL for failover and all-down answers
	Scope int    // the ECS scope prefix length for the response
}

// Route answers name for a client. client is the ECS address (or the
// packet's source address), sourceBits the ECS source prefix length (0 when
// the query had no ECS). dst is a buffer for the addresses (capacity
// Pool.MaxAnswers avoids allocation).
func (r *Router) Route(name *zones.Name, fam pick.Family, client netip.Addr, sourceBits int, dst []netip.Addr) Answer {
	ranking, scope := r.rank(name.Pool, client, sourceBits)
	res := pick.Resolve(name.Pool, ranking, r.query(fam), dst, nil)
	return r.answer(name, res, scope)
}

func (r *Router) query(fam pick.Family) pick.Query {
	q := pick.Query{Family: fam, Now: r.opts.Now(), Rand: r.opts.Rand()}
	if r.opts.Health != nil {
		q.Health = r.opts.Health.Snapshot()
	}
	return q
}

func (r *Router) answer(name *zones.Name, res pick.Result, scope int) Answer {
	a := Answer{Result: res, TTL: name.TTL, Scope: scope}
	if res.Degraded {
		a.TTL = name.DegradedTTL
	}
	return a
}

// rank returns the client's ranking for the pool and the ECS scope.
func (r *Router) rank(p *pick.Pool, client netip.Addr, sourceBits int) (pick.Ranking, int) {
	if len(p.Members) < 2 {
		return pick.Ranking{}, 0 // nothing to rank: the answer is the same for everyone
	}
	ts := r.tables.Load()
	if t, ok := ts.byPool[p]; ok && r.current(ts) {
		// Lookup ranks IPv4-mapped, 6to4 and Teredo clients by the IPv4
		// address inside and gives the scope in the client's own family.
		ranking, bits := t.Lookup(client)
		return ranking, pick.ECSScope(sourceBits, bits)
	}
	canon, emb := geo.Canonical(client)
	// No table yet: rank from the database lookup; the scope is the
	// matched network (or the whole address when nothing matched, since
	// the extent of the unknown space around it is not known here).
	snap := r.geoSnapshot()
	if snap == nil {
		return pick.Ranking{}, 0
	}
	loc := snap.Locate(canon)
	bits := canon.BitLen()
	if loc.Known() {
		bits = loc.Network.Bits()
	}
	return pick.Rank(loc, p), pick.ECSScope(sourceBits, emb.OuterBits(bits))
}

// current reports whether the tables were built from the GeoIP snapshot
// serving now.
func (r *Router) current(ts *tableSet) bool { return ts.geo == r.geoSnapshot() }

func (r *Router) geoSnapshot() *mmdb.Snapshot {
	if r.opts.Geo == nil {
		return nil
	}
	return r.opts.Geo.Snapshot()
}

// Update tells the router about a new zone set; the tables for its pools
// are built in the background by Run.
func (r *Router) Update(set *zones.Set) {
	r.mu.Lock()
	r.zones = set
	r.mu.Unlock()
	select {
	case r.pending <- struct{}{}:
	default:
	}
}

// Run builds ranking tables whenever the zone set or the GeoIP snapshot
// changes, until ctx ends.
func (r *Router) Run(ctx context.Context) {
	for {
		snap := r.geoSnapshot()
		r.rebuild(ctx, snap)
		var replaced <-chan struct{}
		if snap != nil {
			replaced = snap.Replaced()
		}
		select {
		case <-ctx.Done():
			return
		case <-r.pending:
		case <-replaced:
		}
	}
}

// BuildFor builds (or reuses) the table of one pool now, synchronously,
// and adds it to the tables in use: `gslb explain` needs one pool's table,
// not every pool's.
func (r *Router) BuildFor(p *pick.Pool) {
	snap := r.geoSnapshot()
	if snap == nil || len(p.Members) < 2 {
		return
	}
	old := r.tables.Load()
	next := &tableSet{geo: snap, byPool: map[*pick.Pool]*pick.Table{}}
	if old.geo == snap {
		for q, t := range old.byPool {
			next.byPool[q] = t
		}
	}
	next.byPool[p], _ = r.tableFor(p, snap, old, nil)
	r.tables.Store(next)
}

// Rebuild builds the tables of every pool now, synchronously (tests).
func (r *Router) Rebuild() { r.rebuild(context.Background(), r.geoSnapshot()) }

func (r *Router) rebuild(ctx context.Context, snap *mmdb.Snapshot) {
	r.mu.Lock()
	set := r.zones
	r.mu.Unlock()
	old := r.tables.Load()
	next := &tableSet{geo: snap, byPool: map[*pick.Pool]*pick.Table{}}
	if snap == nil || set == nil {
		r.tables.Store(next)
		return
	}
	start := time.Now()
	var built []*pick.Table
	fresh := 0
	for _, z := range set.Zones() {
		for _, p := range z.Pools {
			if ctx.Err() != nil {
				return
			}
			if len(p.Members) < 2 {
				continue
			}
			t, isNew := r.tableFor(p, snap, old, built)
			next.byPool[p] = t
			if !slices.Contains(built, t) {
				built = append(built, t)
				if isNew {
					fresh++
				}
			}
		}
	}
	r.tables.Store(next)
	if fresh > 0 {
		r.log.Info("ranking tables ready", "pools", len(next.byPool), "tables", len(built), "built", fresh, "took", time.Since(start).Round(time.Millisecond))
	}
}

// tableFor reuses a table that serves p (from this build or, for the same
// GeoIP snapshot, the previous one) or builds one (isNew).
func (r *Router) tableFor(p *pick.Pool, snap *mmdb.Snapshot, old *tableSet, built []*pick.Table) (t *pick.Table, isNew bool) {
	for _, t := range built {
		if t.Serves(p) {
			return t, false
		}
	}
	if old.geo == snap {
		for _, t := range old.byPool {
			if t.Serves(p) {
				return t, false
			}
		}
	}
	return pick.BuildTable(snap.Networks(), p), true
}
