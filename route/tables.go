package route

import (
	"context"
	"iter"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/gslb/gslb/geo"

	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// tableSet is the ranking tables built for one version of the GeoIP data
// and one zone set.
type tableSet struct {
	geo    <-chan struct{} // the Replaced channel of the GeoIP version they were built from; nil: none
	byPool map[*pick.Pool]*pick.Table
	byKey  map[string]*pick.Table // the same tables by pick.Pool.TableKey
	built  time.Time              // when the set was published; zero: the empty set of New
	took   time.Duration          // building its fresh tables (0: all reused)
}

// TablesInfo describes the ranking tables in use, for metrics and logs.
type TablesInfo struct {
	Tables  int           // distinct tables (pools with the same pick.Pool.TableKey share one)
	Pools   int           // pools they serve
	Bytes   int           // memory the tables hold, approximately (pick.TableStats.Bytes summed)
	Current bool          // built from the GeoIP data serving now; false before the first build and while the tables are rebuilt after a GeoIP reload (queries are ranked by a database lookup meanwhile)
	Built   time.Time     // when the set in use was published; zero: none yet
	Took    time.Duration // how long building its new tables took (0: every table was reused)
}

// Tables describes the ranking tables in use.
func (r *Router) Tables() TablesInfo {
	ts := r.tables.Load()
	info := TablesInfo{Tables: len(ts.byKey), Pools: len(ts.byPool), Built: ts.built, Took: ts.took}
	info.Current = !ts.built.IsZero() && (r.opts.Geo == nil || r.current(ts))
	for _, t := range ts.byKey {
		info.Bytes += t.Stats().Bytes
	}
	return info
}

func newTableSet(geo <-chan struct{}) *tableSet {
	return &tableSet{geo: geo, byPool: map[*pick.Pool]*pick.Table{}, byKey: map[string]*pick.Table{}}
}

// current reports whether the tables were built from the GeoIP data serving
// now.
func (r *Router) current(ts *tableSet) bool {
	return r.opts.Geo != nil && ts.geo == r.opts.Geo.Replaced()
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

// Run builds ranking tables whenever the zone set or the GeoIP data
// changes, until ctx ends.
func (r *Router) Run(ctx context.Context) {
	for {
		var replaced <-chan struct{}
		if r.opts.Geo != nil {
			replaced = r.opts.Geo.Replaced()
		}
		r.rebuild(ctx, replaced)
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
	if r.opts.Geo == nil || !p.RanksByLocation() {
		return
	}
	replaced := r.opts.Geo.Replaced()
	old := r.tables.Load()
	next := newTableSet(replaced)
	if old.geo == replaced {
		for q, t := range old.byPool {
			next.byPool[q] = t
		}
		for k, t := range old.byKey {
			next.byKey[k] = t
		}
	}
	start := time.Now()
	next.add(p, r.opts.Geo)
	next.built, next.took = time.Now(), time.Since(start)
	r.tables.Store(next)
}

// Rebuild builds the tables of every pool now, synchronously (tests).
func (r *Router) Rebuild() {
	var replaced <-chan struct{}
	if r.opts.Geo != nil {
		replaced = r.opts.Geo.Replaced()
	}
	r.rebuild(context.Background(), replaced)
}

// rebuild builds the tables of every pool of the latest zone set for the
// GeoIP version identified by replaced, reusing the tables of the previous
// set that serve the same keys for the same version.
func (r *Router) rebuild(ctx context.Context, replaced <-chan struct{}) {
	r.mu.Lock()
	set := r.zones
	r.mu.Unlock()
	old := r.tables.Load()
	next := newTableSet(replaced)
	if r.opts.Geo == nil || set == nil {
		next.built = time.Now()
		r.tables.Store(next)
		return
	}
	var reuse map[string]*pick.Table // tables of the same GeoIP version, by key
	if old.geo == replaced {
		reuse = old.byKey
	}
	start := time.Now()
	var build []*pick.Pool // pools whose table is built fresh, one per key
	for _, z := range set.Zones() {
		for _, p := range z.Pools {
			if !p.RanksByLocation() {
				continue
			}
			key := p.TableKey()
			if t, ok := next.byKey[key]; ok {
				next.byPool[p] = t
				continue
			}
			if t, ok := reuse[key]; ok {
				next.byPool[p], next.byKey[key] = t, t
				continue
			}
			next.byKey[key] = nil // built below
			build = append(build, p)
		}
	}
	// Tables built together share one walk of each kind they need.
	walks := map[bool]int{} // with ASN -> tables that need that walk
	for _, p := range build {
		walks[usesASN(p)]++
	}
	lists := map[bool]*networkList{}
	tableOf := func(p *pick.Pool) *pick.Table {
		asn := usesASN(p)
		if walks[asn] < 2 {
			return pick.BuildTable(walkOf(r.opts.Geo, asn), p)
		}
		if lists[asn] == nil {
			lists[asn] = listNetworks(walkOf(r.opts.Geo, asn))
		}
		return pick.BuildTableIndexed(lists[asn].indexed(), lists[asn].locs, p)
	}
	if len(build) > 0 {
		defer r.opts.Spare.Hold()() // until the memory is released below
	}
	for _, p := range build {
		if ctx.Err() != nil {
			return
		}
		t0 := time.Now()
		t := tableOf(p)
		next.byKey[p.TableKey()] = t
		st := t.Stats()
		r.log.Debug("ranking table built", "pool", p.Name, "networks", st.Networks, "rankings", st.Rankings,
			"nodes4", st.Nodes4, "nodes6", st.Nodes6, "peak_nodes", st.PeakNodes, "bytes", st.Bytes,
			"took", time.Since(t0).Round(time.Millisecond))
	}
	for _, z := range set.Zones() {
		for _, p := range z.Pools {
			if _, ok := next.byPool[p]; !ok && p.RanksByLocation() {
				next.byPool[p] = next.byKey[p.TableKey()]
			}
		}
	}
	fresh := len(build)
	clear(lists)
	next.built = time.Now()
	if fresh > 0 {
		next.took = next.built.Sub(start)
	}
	r.tables.Store(next)
	if fresh > 0 {
		bytes := 0
		for _, t := range next.byKey {
			bytes += t.Stats().Bytes
		}
		r.log.Info("ranking tables ready", "pools", len(next.byPool), "tables", len(next.byKey), "built", fresh,
			"took", next.took.Round(time.Millisecond), "bytes", bytes)
		// The build's garbage (the walk, the builders and, unless a query
		// still holds them, the tables replaced) is most of the heap the
		// process has grown to: give it back to the operating system
		// now, rather than keep it for allocations that will not come
		// before the next build.
		debug.FreeOSMemory()
	}
}

// add gives p the table of its key in ts, building it when ts has none,
// and returns it.
func (ts *tableSet) add(p *pick.Pool, g GeoSource) *pick.Table {
	key := p.TableKey()
	t, ok := ts.byKey[key]
	if !ok {
		t = pick.BuildTable(walkOf(g, usesASN(p)), p)
		ts.byKey[key] = t
	}
	ts.byPool[p] = t
	return t
}

// usesASN reports whether p's table is built from the walk of the City and
// ASN databases together: its map's ASN entries split networks the City
// database does not.
func usesASN(p *pick.Pool) bool { return p.Map != nil && p.Map.UsesASN() }

// walkOf returns the walk of the GeoIP data a table is built from.
func walkOf(g GeoSource, asn bool) iter.Seq2[netip.Prefix, geo.Location] {
	if asn {
		return g.NetworksWithASN()
	}
	return g.Networks()
}
