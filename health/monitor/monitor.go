package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
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
	sem  chan struct{} // probe slots: MaxInFlight

	snap  atomic.Pointer[health.Snapshot]
	ready chan struct{} // closed once; see Ready
	kick  chan struct{} // wakes Run to publish and persist transitions (capacity 1)

	randMu sync.Mutex // guards opts.Rand

	// persistMu serializes store writes together with the decisions behind
	// them, so that a removal and a checkpoint cannot reorder. It is taken
	// before mu, never after.
	persistMu sync.Mutex

	mu         sync.Mutex
	targets    map[health.Target]*entry
	seeds      map[health.Target]health.State // persisted states, until the first SetTargets
	configured bool                           // SetTargets was called
	overrides  map[health.OverrideKey]health.Override
	pending    []change      // transitions not yet logged and persisted
	changed    chan struct{} // closed at the next publish
	readyDone  bool
	republish  bool            // an undecided target's probe changed its snapshot status
	runCtx     context.Context // non-nil while Run runs
	wg         sync.WaitGroup  // probe goroutines
}

// entry is the monitor's record of one target.
type entry struct {
	check   health.Check
	state   health.State
	seeded  bool               // state restored from the store at start
	gen     uint64             // incremented when the probe goroutine is replaced
	cancel  context.CancelFunc // stops the probe goroutine; nil when none runs
	delay   time.Duration      // wait before the first probe when the goroutine starts
	probes  uint64             // results observed
	saved   uint64             // probes when the state was last saved
	savedAt time.Time          // when it was last saved (Options.Now)
}

// change is a transition of one target, waiting to be logged and saved.
type change struct {
	target health.Target
	tr     health.Transition
}

// New returns a Monitor with no targets. When opts.Store is set it loads
// the persisted states (used to seed the targets of the first SetTargets)
// and the overrides (in the snapshot at once).
func New(opts Options) (*Monitor, error) {
	opts = opts.withDefaults()
	m := &Monitor{
		opts:      opts,
		log:       opts.Logger,
		sem:       make(chan struct{}, opts.MaxInFlight),
		ready:     make(chan struct{}),
		kick:      make(chan struct{}, 1),
		targets:   make(map[health.Target]*entry),
		overrides: make(map[health.OverrideKey]health.Override),
		changed:   make(chan struct{}),
	}
	if st := opts.Store; st != nil {
		seeds, err := st.LoadStates()
		if err != nil {
			return nil, fmt.Errorf("health monitor: load target states: %w", err)
		}
		m.seeds = seeds
		ovs, err := st.LoadOverrides()
		if err != nil {
			return nil, fmt.Errorf("health monitor: load overrides: %w", err)
		}
		for _, o := range ovs {
			m.overrides[o.Key()] = o
		}
	}
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

// Ready returns a channel closed once SetTargets has been called and every
// target has been probed at least once or seeded from fresh persisted
// state (the first round), or Options.MaxStartWait after Run started,
// whichever comes first. It stays closed, also across later SetTargets.
func (m *Monitor) Ready() <-chan struct{} { return m.ready }

// publishLocked builds a snapshot from the current states and overrides,
// publishes it and wakes Changed waiters. Callers hold mu, so snapshots are
// published in the order of the states they reflect.
func (m *Monitor) publishLocked() {
	ds := make(map[health.Target]health.Detail, len(m.targets))
	for t, e := range m.targets {
		ds[t] = e.state.Detail()
	}
	m.snap.Store(health.NewDetailedSnapshot(ds, slices.Collect(maps.Values(m.overrides))))
	close(m.changed)
	m.changed = make(chan struct{})
}

// jitter returns a random duration in [0, d).
func (m *Monitor) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	m.randMu.Lock()
	defer m.randMu.Unlock()
	return time.Duration(m.opts.Rand.Int64N(int64(d)))
}

// SetTargets replaces the set of targets with their checks. New targets
// start probing (at once, unless a fresh persisted state seeds them);
// removed targets stop and their stored state is deleted; kept targets
// keep their state, and are rescheduled when their check changed. The new
// snapshot is published before SetTargets returns. The first call also
// deletes the stored states of targets that are no longer configured.
func (m *Monitor) SetTargets(targets map[health.Target]health.Check) {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()

	m.mu.Lock()
	now := m.opts.Now()
	var removed []health.Target
	for t, e := range m.targets {
		if _, ok := targets[t]; !ok {
			m.stopLocked(e)
			delete(m.targets, t)
			removed = append(removed, t)
		}
	}
	fresh, stale := 0, 0
	for t := range m.seeds {
		if c, ok := targets[t]; !ok || c.Type == health.CheckNone {
			removed = append(removed, t)
		}
	}
	// Sorted, so that a seeded Options.Rand gives every target the same
	// offset on every run.
	for _, t := range slices.SortedFunc(maps.Keys(targets), health.Target.Compare) {
		c := targets[t]
		if e, ok := m.targets[t]; ok {
			if m.updateLocked(t, e, c, now) {
				removed = append(removed, t) // no longer probed: nothing to keep
			}
			continue
		}
		e := &entry{check: c, state: health.NewState(now)}
		switch seed, ok := m.seeds[t]; {
		case c.Type == health.CheckNone:
			e.state.Set(health.Up, now, "check type none")
		case ok && seed.Status != health.Unknown && !seed.Last.At.IsZero() && now.Sub(seed.Last.At) < m.opts.staleness(c):
			e.state, e.seeded, e.savedAt = seed, true, seed.Last.At
			e.delay = m.jitter(interval(c))
			fresh++
		case ok:
			stale++
		}
		m.targets[t] = e
		m.startLocked(t, e)
	}
	if !m.configured && (fresh > 0 || stale > 0) {
		m.log.Info("seeded target states from the state file", "fresh", fresh, "stale", stale)
	}
	m.seeds, m.configured = nil, true
	m.publishLocked()
	m.mu.Unlock()

	if st := m.opts.Store; st != nil && len(removed) > 0 {
		if err := st.DeleteStates(removed...); err != nil {
			m.log.Error("cannot delete the states of removed targets", "targets", len(removed), "err", err)
		}
	}
	m.checkReady()
	m.poke()
}

// updateLocked applies a possibly changed check to a kept target. Its
// state is kept; a changed check restarts its probes at a random offset.
// It reports whether the check became of type none (Up, never probed).
func (m *Monitor) updateLocked(t health.Target, e *entry, c health.Check, now time.Time) (none bool) {
	if reflect.DeepEqual(e.check, c) {
		return false
	}
	m.stopLocked(e)
	wasNone := e.check.Type == health.CheckNone
	e.check = c
	if c.Type == health.CheckNone {
		if tr, ok := e.state.Set(health.Up, now, "check type none"); ok {
			m.pending = append(m.pending, change{t, tr})
		}
		return !wasNone
	}
	e.delay = m.jitter(interval(c))
	m.startLocked(t, e)
	return false
}

// startLocked starts the probe goroutine of a target if Run is running and
// the target is probed at all.
func (m *Monitor) startLocked(t health.Target, e *entry) {
	if m.runCtx == nil || e.check.Type == health.CheckNone || e.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(m.runCtx)
	e.cancel = cancel
	e.gen++
	m.wg.Add(1)
	go m.probeLoop(ctx, t, e.check, e.gen, e.delay)
}

// stopLocked stops the probe goroutine of a target; a result it is about
// to deliver is dropped.
func (m *Monitor) stopLocked(e *entry) {
	if e.cancel != nil {
		e.cancel()
		e.cancel = nil
	}
	e.gen++
}

// probeLoop probes one target every interval of its check, after an
// initial delay, until ctx ends.
func (m *Monitor) probeLoop(ctx context.Context, t health.Target, c health.Check, gen uint64, delay time.Duration) {
	defer m.wg.Done()
	timer := time.NewTimer(delay)
	defer timer.Stop()
	every := interval(c)
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		begin := time.Now()
		select {
		case m.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		if ctx.Err() != nil { // stopped while waiting for a slot
			<-m.sem
			return
		}
		r := m.probeOnce(ctx, t, c)
		<-m.sem
		if ctx.Err() != nil {
			return // stopped mid-probe: the result says nothing of the target
		}
		m.observe(t, gen, r)
		timer.Reset(max(0, every-time.Since(begin)))
	}
}

// probeOnce runs one probe bounded by the check's timeout.
func (m *Monitor) probeOnce(ctx context.Context, t health.Target, c health.Check) health.Result {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	begin := time.Now()
	err := m.opts.Probe(ctx, c, t.Addr)
	r := health.Result{At: m.opts.Now(), OK: err == nil, Duration: time.Since(begin)}
	if err != nil {
		r.Error = err.Error()
		if r.Error == "" {
			r.Error = "probe failed"
		}
	}
	return r
}

// observe feeds a result to the target's state machine, unless the target
// was removed or rescheduled since the probe started.
func (m *Monitor) observe(t health.Target, gen uint64, r health.Result) {
	m.mu.Lock()
	e, ok := m.targets[t]
	if !ok || e.gen != gen {
		m.mu.Unlock()
		return
	}
	e.probes++
	before := e.state.Detail().Status
	tr, changed := e.state.Observe(r, e.check.Rise, e.check.Fall)
	if changed {
		m.pending = append(m.pending, change{t, tr})
	}
	// An undecided target's snapshot status follows its last probe (see
	// health.State.Detail): publish when that changes too.
	effective := !changed && e.state.Detail().Status != before
	if effective {
		m.republish = true
	}
	m.mu.Unlock()
	if changed || effective {
		m.poke()
	}
}

// poke wakes Run to handle pending transitions.
func (m *Monitor) poke() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// flush publishes, logs and saves the pending transitions as one batch.
func (m *Monitor) flush() {
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.Lock()
	batch, republish := m.pending, m.republish
	m.pending, m.republish = nil, false
	if len(batch) == 0 && !republish {
		m.mu.Unlock()
		return
	}
	m.publishLocked()
	now := m.opts.Now()
	save := make(map[health.Target]health.State, len(batch))
	for _, c := range batch {
		if e, ok := m.targets[c.target]; ok && e.check.Type != health.CheckNone {
			save[c.target] = e.state.Clone()
			e.saved, e.savedAt = e.probes, now
		}
	}
	m.mu.Unlock()

	for _, c := range batch {
		level := slog.LevelInfo
		if c.tr.To == health.Down {
			level = slog.LevelWarn
		}
		m.log.Log(context.Background(), level, "target "+c.tr.To.String(),
			"target", c.target.String(), "from", c.tr.From.String(), "to", c.tr.To.String(), "reason", c.tr.Reason)
	}
	if st := m.opts.Store; st != nil && len(save) > 0 {
		if err := st.SaveStates(save); err != nil {
			m.log.Error("cannot save target states", "targets", len(save), "err", err)
		}
	}
	m.checkReady()
}

// checkpoint saves the states that saw probes since they were last saved,
// all of them (all) or those whose last save is half their staleness limit
// old.
func (m *Monitor) checkpoint(all bool) {
	st := m.opts.Store
	if st == nil {
		return
	}
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.Lock()
	now := m.opts.Now()
	save := make(map[health.Target]health.State)
	for t, e := range m.targets {
		if e.check.Type == health.CheckNone || e.probes == e.saved {
			continue
		}
		if all || now.Sub(e.savedAt) >= m.opts.staleness(e.check)/2 {
			save[t] = e.state.Clone()
			e.saved, e.savedAt = e.probes, now
		}
	}
	m.mu.Unlock()
	if err := st.SaveStates(save); err != nil {
		m.log.Error("cannot checkpoint target states", "targets", len(save), "err", err)
	}
}

// checkReady closes Ready when SetTargets was called and every target has
// a status or a first probe result.
func (m *Monitor) checkReady() {
	m.mu.Lock()
	if m.readyDone || !m.configured {
		m.mu.Unlock()
		return
	}
	for _, e := range m.targets {
		if e.state.Status == health.Unknown && e.state.Last.At.IsZero() {
			m.mu.Unlock()
			return
		}
	}
	n := len(m.targets)
	m.mu.Unlock()
	m.markReady("first probe round done", n, 0)
}

// markReady closes Ready once.
func (m *Monitor) markReady(why string, targets, undecided int) {
	m.mu.Lock()
	if m.readyDone {
		m.mu.Unlock()
		return
	}
	m.readyDone = true
	close(m.ready)
	m.mu.Unlock()
	m.log.Info("health ready", "why", why, "targets", targets, "undecided", undecided)
}

// startWaitOver closes Ready when MaxStartWait has passed, counting the
// targets still undecided.
func (m *Monitor) startWaitOver() {
	m.mu.Lock()
	undecided := 0
	for _, e := range m.targets {
		if e.state.Status == health.Unknown && e.state.Last.At.IsZero() {
			undecided++
		}
	}
	n := len(m.targets)
	m.mu.Unlock()
	m.markReady("maximum start wait elapsed; targets never probed count as up", n, undecided)
}

// Run probes the targets until ctx ends, then stops every probe, saves the
// states and returns nil. SetTargets may be called before and while Run
// runs. Run returns ErrRunning if the monitor is already running.
func (m *Monitor) Run(ctx context.Context) error {
	m.mu.Lock()
	if m.runCtx != nil {
		m.mu.Unlock()
		return ErrRunning
	}
	m.runCtx = ctx
	for t, e := range m.targets {
		m.startLocked(t, e)
	}
	n := len(m.targets)
	m.mu.Unlock()
	m.log.Info("health monitor started", "targets", n, "max_in_flight", m.opts.MaxInFlight)

	startWait := time.NewTimer(m.opts.MaxStartWait)
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
		case <-checkpoint.C:
			m.checkpoint(false)
		case <-purge.C:
			m.purge()
		}
	}
}

// stop ends every probe goroutine, then flushes and saves the states.
func (m *Monitor) stop() {
	m.mu.Lock()
	for _, e := range m.targets {
		m.stopLocked(e)
	}
	m.runCtx = nil
	m.mu.Unlock()
	m.wg.Wait()
	m.flush()
	m.checkpoint(true)
	m.log.Info("health monitor stopped")
}

// TargetState is the detailed state of one target, for the control API and
// `gslb status`.
type TargetState struct {
	Target   health.Target    `json:"target"`
	Type     health.CheckType `json:"type"`
	Interval time.Duration    `json:"interval_ns"`
	Seeded   bool             `json:"seeded"` // the state was restored from the state file at start
	State    health.State     `json:"state"`
}

// States returns the detailed state of every target, sorted by target.
func (m *Monitor) States() []TargetState {
	m.mu.Lock()
	out := make([]TargetState, 0, len(m.targets))
	for t, e := range m.targets {
		out = append(out, m.targetState(t, e))
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b TargetState) int { return a.Target.Compare(b.Target) })
	return out
}

// State returns the detailed state of one target and whether it is known.
func (m *Monitor) State(t health.Target) (TargetState, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.targets[t]
	if !ok {
		return TargetState{}, false
	}
	return m.targetState(t, e), true
}

// targetState copies an entry; callers hold mu.
func (m *Monitor) targetState(t health.Target, e *entry) TargetState {
	return TargetState{Target: t, Type: e.check.Type, Interval: interval(e.check), Seeded: e.seeded, State: e.state.Clone()}
}

// SetOverride validates o, saves it and publishes it, replacing any
// override with the same key. A zero Created is set to now. Nothing changes
// when saving fails.
func (m *Monitor) SetOverride(o health.Override) error {
	now := m.opts.Now()
	if o.Created.IsZero() {
		o.Created = now
	}
	if err := o.Validate(now); err != nil {
		return err
	}
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	if st := m.opts.Store; st != nil {
		if err := st.SaveOverride(o); err != nil {
			return fmt.Errorf("set override %s: %w", o.Key(), err)
		}
	}
	m.mu.Lock()
	m.overrides[o.Key()] = o
	m.publishLocked()
	m.mu.Unlock()
	m.log.Info("override set", "override", o.Key().String(), "action", o.Action.String(),
		"until", o.Until, "reason", o.Reason)
	return nil
}

// ClearOverride removes the override with key k (normalized as by
// health.KeyFor), from the store and then from the snapshot. It returns
// ErrNoOverride when there is none.
func (m *Monitor) ClearOverride(k health.OverrideKey) error {
	k = health.KeyFor(k.Pool, k.Datacenter, k.Addr)
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.Lock()
	_, ok := m.overrides[k]
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("clear override %s: %w", k, ErrNoOverride)
	}
	if st := m.opts.Store; st != nil {
		if err := st.DeleteOverride(k); err != nil {
			return fmt.Errorf("clear override %s: %w", k, err)
		}
	}
	m.mu.Lock()
	delete(m.overrides, k)
	m.publishLocked()
	m.mu.Unlock()
	m.log.Info("override cleared", "override", k.String())
	return nil
}

// Overrides returns the overrides in force now, sorted by key.
func (m *Monitor) Overrides() []health.Override {
	now := m.opts.Now()
	m.mu.Lock()
	var out []health.Override
	for _, o := range m.overrides {
		if o.Active(now) {
			out = append(out, o)
		}
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b health.Override) int { return a.Key().Compare(b.Key()) })
	return out
}

// purge removes lapsed overrides from the store and the snapshot.
func (m *Monitor) purge() {
	now := m.opts.Now()
	m.persistMu.Lock()
	defer m.persistMu.Unlock()
	m.mu.Lock()
	var lapsed []health.Override
	for _, o := range m.overrides {
		if !o.Active(now) {
			lapsed = append(lapsed, o)
		}
	}
	m.mu.Unlock()
	if len(lapsed) == 0 {
		return
	}
	var gone []health.OverrideKey
	for _, o := range lapsed {
		if st := m.opts.Store; st != nil {
			if err := st.DeleteOverride(o.Key()); err != nil {
				m.log.Error("cannot purge a lapsed override", "override", o.Key().String(), "err", err)
				continue
			}
		}
		gone = append(gone, o.Key())
		m.log.Info("override lapsed", "override", o.Key().String(), "action", o.Action.String(), "until", o.Until)
	}
	m.mu.Lock()
	for _, k := range gone {
		delete(m.overrides, k)
	}
	m.publishLocked()
	m.mu.Unlock()
}
