package monitor

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gslb/gslb/health"
)

// Monitor probes targets, runs their state machines and publishes
// snapshots. Create it with New; its methods are safe for concurrent use.
type Monitor struct {
	opts Options
	log  *slog.Logger

	// The published view (this file).
	snap atomic.Pointer[health.Snapshot]

	// Scheduling (schedule.go, probeloop.go, slots.go, limits.go).
	slots     *slots        // probe slots: MaxInFlight, shared fairly between checks
	stats     probeStats    // local errors and delayed probes (probestats.go)
	epoch     time.Time     // origin of every target's ticks (phase.go): when New ran
	startWait chan struct{} // wakes Run when MaxStartWait changes (capacity 1)

	// Readiness (ready.go).
	ready chan struct{} // closed once; see Ready

	// Transitions (transitions.go).
	kick chan struct{} // wakes Run to publish and persist transitions (capacity 1)

	// persistMu serializes store writes together with the decisions behind
	// them, so that a removal and a checkpoint cannot reorder. It is taken
	// before mu, never after.
	persistMu sync.Mutex
	logSeed   []health.OverrideEntry // the stored override log, until seedCluster (overridelog.go)
	savedLog  health.OverrideLog     // the override log as last written; guarded by persistMu

	// mu guards the fields below it; wg synchronizes itself.
	mu         sync.Mutex
	targets    map[health.Target]*entry               // targets.go
	seeds      map[health.Target]health.State         // persisted states, until the first SetTargets (persist.go)
	configured bool                                   // SetTargets was called
	overrides  map[health.OverrideKey]health.Override // overrides.go
	lifted     map[health.OverrideKey]health.Lifted   // lifted.go
	pending    []change                               // transitions not yet logged and persisted (transitions.go)
	republish  bool                                   // an undecided target's probe changed its snapshot status
	changed    chan struct{}                          // closed at the next publish
	readyDone  bool                                   // ready is closed
	effective  map[health.Target]health.Detail        // the last published view in a cluster (cluster.go)
	merged     map[health.Target]health.Merged        // and the votes behind it
	alone      bool                                   // the last merge had no live peer
	runCtx     context.Context                        // non-nil while Run runs
	wg         sync.WaitGroup                         // probe goroutines
}

// New returns a Monitor with no targets. When opts.Store is set it loads
// the persisted states (used to seed the targets of the first SetTargets),
// the overrides and the lifted overrides (in the snapshot at once).
func New(opts Options) (*Monitor, error) {
	opts = opts.withDefaults()
	m := &Monitor{
		opts:      opts,
		log:       opts.Logger,
		slots:     newSlots(opts.MaxInFlight),
		epoch:     time.Now(),
		startWait: make(chan struct{}, 1),
		ready:     make(chan struct{}),
		kick:      make(chan struct{}, 1),
		targets:   make(map[health.Target]*entry),
		overrides: make(map[health.OverrideKey]health.Override),
		lifted:    make(map[health.OverrideKey]health.Lifted),
		changed:   make(chan struct{}),
	}
	if err := m.load(); err != nil {
		return nil, err
	}
	m.seedCluster()
	m.mu.Lock()
	m.publishLocked()
	m.mu.Unlock()
	return m, nil
}

// Snapshot returns the current snapshot. It never returns nil and does not
// lock: call it once per query.
func (m *Monitor) Snapshot() *health.Snapshot { return m.snap.Load() }

// Changed returns a channel that is closed when the next snapshot is
// published. To wait for a condition without missing a change, take the
// channel before reading the snapshot.
func (m *Monitor) Changed() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.changed
}

// publishLocked builds a snapshot from the current states, overrides and
// lifted overrides, publishes it and wakes Changed waiters. Callers hold
// mu, so snapshots are published in the order of the states they reflect.
func (m *Monitor) publishLocked() {
	ds := make(map[health.Target]health.Detail, len(m.targets))
	for t, e := range m.targets {
		ds[t] = e.state.Detail()
	}
	ds = m.mergeLocked(ds)
	s := health.NewDetailedSnapshot(ds, slices.Collect(maps.Values(m.overrides)))
	m.snap.Store(s.WithLifted(m.liftedLocked(m.opts.Now())))
	close(m.changed)
	m.changed = make(chan struct{})
}

// Run probes the targets until ctx ends, then stops every probe, saves the
// states and returns nil. SetTargets may be called before and while Run
// runs. Run returns ErrRunning if the monitor is already running.
func (m *Monitor) Run(ctx context.Context) error {
	n, err := m.startProbes(ctx)
	if err != nil {
		return err
	}
	limit, _ := m.Slots()
	m.log.Info("health monitor started", "targets", n, "max_in_flight", limit)
	if m.opts.Cluster != nil {
		followed := make(chan struct{})
		go func() { defer close(followed); m.followCluster(ctx) }()
		defer func() { <-followed }()
	}

	started := time.Now()
	startWait := time.NewTimer(m.maxStartWait())
	defer startWait.Stop()
	checkpoint := time.NewTicker(m.opts.Checkpoint)
	defer checkpoint.Stop()
	purge := time.NewTicker(m.opts.PurgeInterval)
	defer purge.Stop()
	m.purge()
	m.flush()
	m.checkReady()

	for {
		select {
		case <-ctx.Done():
			m.stop()
			return nil
		case <-m.kick:
			m.flush()
		case <-startWait.C:
			m.startWaitOver()
		case <-m.startWait: // MaxStartWait changed (limits.go)
			startWait.Reset(max(0, m.maxStartWait()-time.Since(started)))
		case <-checkpoint.C:
			m.checkpoint(false)
		case <-purge.C:
			m.purge()
		}
	}
}

// stop ends every probe goroutine, then flushes and saves the states.
func (m *Monitor) stop() {
	m.stopProbes()
	m.flush()
	m.checkpoint(true)
	m.log.Info("health monitor stopped")
}
