// Package monitor schedules health probes and turns their results into the
// health.Snapshot that the query path reads. It owns the probe schedule,
// the per-target rise/fall state machines, admin overrides and the memory
// of lifted ones, start-up readiness, and what is written to the state
// store and when.
//
// # Use
//
//	m, err := monitor.New(monitor.Options{Store: st})   // st: a *store.Store, or nil
//	m.SetTargets(targets)                               // map[health.Target]health.Check
//	go m.Run(ctx)
//	<-m.Ready()                                         // optional: wait for a first view
//	snap := m.Snapshot()                                // on every query: lock-free
//
// SetTargets is called again on every reload with the full new set: new
// targets start probing, removed ones stop and their stored state is
// deleted, kept ones keep their state (even when their check's timing
// changed). A target is a check applied to an address, so one used by
// several pools is probed once.
//
// # Schedule
//
// Each target is probed every Interval of its check, on its ticks: at a
// fixed phase within the interval, drawn from a hash of its check's name
// and its address, so that the probes of many targets are spread evenly
// over the interval and stay so (phase.go). A target without a result
// (new, or without a usable persisted state) is probed at once, for the
// first round and readiness, and then on its ticks, the first within one
// interval. A target seeded from fresh persisted state, or whose check
// changed at a reload, is probed first at its tick (of the new interval),
// never later than one interval after its last probe (at once if that has
// passed). Each probe is due at the first tick after the start of the one
// before, so within one interval of it, and a probe that started late (a
// stalled host, a wait for a probe slot) does not move the next: bursts do
// not persist.
//
// At most Options.MaxInFlight probes run at a time, and the slots are shared
// fairly between checks (slots.go): one is kept for every check that holds
// none, and a freed slot goes to the waiting check that holds the fewest,
// so targets of one check that hang until their timeout cannot slow the
// probes of the others. A probe that waited for a slot over a tenth of its
// interval is counted as delayed (ProbeCounts) and logged, at most once per
// ProblemLogInterval and check. SetLimits changes MaxInFlight (and
// Staleness, MaxStartWait) while the monitor runs. Targets of checks of
// type none are never probed and are Up.
//
// A probe that failed on this host rather than on its target (probe.IsLocal:
// out of descriptors, buffers or local ports) is no result: the target
// keeps its state and its last result, the error is counted (ProbeCounts)
// and logged at most once per ProblemLogInterval.
//
// # Snapshots
//
// A new Snapshot is published (through an atomic pointer) when a status
// changes, when an override changes and on SetTargets; transitions that
// arrive together are published together. Every transition is logged once
// (component=health, with its reason) and persisted.
//
// Each target's Detail carries BackSince, the time of its last Down → Up
// transition (health.State.BackSince), for slow ramp-up: a target that
// started Unknown and went Up has none, and one whose persisted state was
// too stale to seed it starts Unknown without one.
//
// # Persistence and warm start
//
// The store is written on transitions, on override changes and removals,
// at checkpoints and when Run returns — never on every probe. What it
// keeps: each probed target's health.State (with BackSince, so a restart
// continues a ramp), the overrides, and the lifted overrides. A target's
// state is checkpointed when it saw probes since it was last saved and
// that save is half its staleness limit old (looked for every
// Options.Checkpoint), so even after a crash a restart finds it fresh. At
// start, the persisted state of a target seeds the snapshot when its last
// probe is younger than the staleness limit (Options.Staleness, default
// ten intervals of the target's check), so a restarted server answers
// with what it knew. Older states are dropped and the target starts
// Unknown. Store writes are serialized with the decisions behind them, so
// a removal and a checkpoint of the same target never reorder. A failed
// write is logged (key "error") and never stops the monitor: the state in
// memory stays authoritative, and later transitions and checkpoints write
// it again.
//
// # Readiness
//
// Ready is closed once SetTargets has been called and every target is
// decided (Up or Down, from fresh persisted state or from probes), or when
// Options.MaxStartWait has passed since Run started, whichever is first.
// Targets still Unknown then count as up, as selection treats Unknown.
//
// # Overrides
//
// SetOverride and ClearOverride persist first and then publish, so an
// override the API acknowledged survives a restart. An override with Until
// lapses by itself (Snapshot.Override checks it against the query's time);
// lapsed overrides are also purged from memory and the store periodically
// (Options.PurgeInterval).
//
// A drain or a force-down that stops applying is remembered as a
// health.Lifted, published in the snapshot's Lifted and kept in the store,
// so that slow ramp-up brings its datacenter or address back gradually,
// also across a restart. It ends when an operator clears it (At is the
// time of the clear, or its Until if it had lapsed already) or when the
// purge removes it after it lapsed (At is its Until). Force-ups are not
// remembered. There is at most one record per override key, the latest;
// setting an override of that key again deletes it. Records are forgotten
// Options.LiftedRetention after they ended (default 7 days, the longest
// ramp_up the configuration accepts): never published again, and deleted
// from the store at the next purge.
//
// # Cluster
//
// With Options.Cluster (a *cluster.Cluster of package health/cluster),
// the monitor hands its own view to the cluster at every publication and
// publishes the effective view instead: health.MergeQuorum under
// Options.Quorum over the verdicts of the live nodes (Merged gives the
// votes). It merges again at every cluster event and every
// Options.ClusterRefresh, publishing when a status or a vote count
// changed. SetOverride and ClearOverride also go through the cluster;
// the changes of other nodes are adopted (saved, published, lifted) as
// if made here. The cluster's override log is kept in the store with its
// exact stamps, clears included (written after each change of this node
// and at every cluster event), and seeds the cluster's log at start, so a
// node restarted alone keeps what it knew; for keys the stored log lacks,
// the stored overrides and lifted overrides seed it, stamped with their
// Created and end times, so newer changes from peers win over them. The
// persisted states stay this node's own.
//
// # Layout
//
// One concept per file:
//
//   - monitor.go: the Monitor type, New, Run and its loop, and the
//     publication of snapshots (Snapshot, Changed).
//   - targets.go: the record of each target and SetTargets, which adds,
//     keeps, reschedules and removes targets.
//   - schedule.go: when probe goroutines run (start and stop with Run and
//     with check changes).
//   - phase.go: when each target is probed: its phase, its ticks, and its
//     first probe.
//   - probeloop.go: the goroutine of one target, its timer, its probe slot
//     and one bounded probe.
//   - slots.go: the probe slots, shared fairly between checks.
//   - probestats.go: local errors and delayed probes, counted and logged.
//   - limits.go: SetLimits, the [health] settings a reload changes.
//   - transitions.go: results fed to the state machines, and the batch of
//     transitions published, logged and saved together.
//   - persist.go: what is read from and written to the store for target
//     states: the load, warm-start seeds, saves, checkpoints, deletions.
//   - ready.go: the first round and the maximum start wait.
//   - overrides.go: set, clear, list and purge overrides.
//   - lifted.go: which ended overrides are remembered as lifted, and for
//     how long.
//   - cluster.go: the effective view merged with the cluster's verdicts,
//     and overrides shared with other nodes.
//   - overridelog.go: the cluster's override log seeded from and kept in
//     the store.
//   - states.go: the detailed per-target view for the control API.
//   - options.go, errors.go: Options with their defaults, and the errors.
package monitor
