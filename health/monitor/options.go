package monitor

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/probe"
)

// Defaults of Options.
const (
	DefaultMaxInFlight   = 64
	DefaultMaxStartWait  = 10 * time.Second
	DefaultCheckpoint    = time.Second
	DefaultPurgeInterval = time.Minute
	// DefaultLiftedRetention is how long a lifted drain or force-down is
	// remembered by default: one week, the longest ramp_up the
	// configuration accepts.
	DefaultLiftedRetention = 7 * 24 * time.Hour
	// DefaultInterval is used for a check whose Interval is not positive.
	DefaultInterval = 5 * time.Second
	// StalenessIntervals is how many intervals of its check a persisted
	// state stays fresh enough to seed the snapshot, by default.
	StalenessIntervals = 10
)

// Store is what the monitor needs from persistent storage. *store.Store
// implements it.
type Store interface {
	LoadStates() (map[health.Target]health.State, error)
	SaveStates(states map[health.Target]health.State) error
	DeleteStates(targets ...health.Target) error
	LoadOverrides() ([]health.Override, error)
	// SaveOverride stores o and deletes the lifted record of its key.
	SaveOverride(o health.Override) error
	DeleteOverride(k health.OverrideKey) error
	LoadLifted() ([]health.Lifted, error)
	// LiftOverride deletes the override of l's key and stores l as the
	// lifted record of that key, replacing any older one.
	LiftOverride(l health.Lifted) error
	DeleteLifted(keys ...health.OverrideKey) error
	// LoadOverrideLog and SaveOverrideLog keep the cluster's override
	// log (used with Options.Cluster only).
	LoadOverrideLog() ([]health.OverrideEntry, error)
	SaveOverrideLog(entries []health.OverrideEntry, gone []health.OverrideKey) error
}

// ProbeFunc runs one probe of check c against addr and returns nil on
// success or why it failed. probe.Prober.Probe is one.
type ProbeFunc func(ctx context.Context, c health.Check, addr netip.Addr) error

// Options configure a Monitor. The zero value works: probes are real, state
// is kept in memory only, and the clock is the system's.
type Options struct {
	// Store persists states and overrides. Default nil: nothing persisted.
	Store Store
	// Probe runs one probe. Default: the Probe method of a new probe.Prober.
	Probe ProbeFunc
	// Logger receives transitions, override changes, readiness and store
	// errors. Default slog.Default(); the monitor adds component=health.
	Logger *slog.Logger
	// Now is the clock for result and transition times, staleness and
	// override expiry. Default time.Now. The schedule itself runs on real
	// timers.
	Now func() time.Time
	// MaxInFlight bounds the probes running at once, shared fairly
	// between checks: while every slot is busy, a freed slot goes to the
	// waiting check that holds the fewest. Default 64. SetLimits changes
	// it (and Staleness, MaxStartWait) while the monitor runs.
	MaxInFlight int
	// Staleness is how old (since its last probe) a persisted state may be
	// to seed the snapshot at start. Default 0: ten intervals of the
	// target's check.
	Staleness time.Duration
	// MaxStartWait is how long after Run starts Ready is closed at the
	// latest. Default 10s.
	MaxStartWait time.Duration
	// Checkpoint is how often the monitor looks for states to checkpoint. A
	// state is saved again when it saw probes since it was last saved and
	// that save is half its staleness limit old, so that a restart even
	// after a crash finds it fresh; all states are saved when Run returns.
	// Default 1s.
	Checkpoint time.Duration
	// PurgeInterval is the period at which lapsed overrides are removed,
	// and lifted ones older than LiftedRetention forgotten. Default 1m.
	PurgeInterval time.Duration
	// LiftedRetention is how long a drain or a force-down that stopped
	// applying (cleared, or lapsed) is remembered in the snapshot's Lifted
	// and in the store, counted from when it ended. Slow ramp-up reads it:
	// a datacenter back from a drain takes its clients back over its
	// pool's ramp_up from that time. Default 7 days, the longest ramp_up
	// the configuration accepts; a shorter retention ends longer ramps
	// early.
	LiftedRetention time.Duration
	// Cluster, when set, shares this node's verdicts and overrides with
	// other gslb nodes: the snapshot holds the effective view that the
	// quorum merge makes of the live nodes' verdicts, override changes go
	// through the cluster and those of other nodes are adopted (see
	// cluster.go). Default nil: this node's view alone.
	Cluster Cluster
	// Quorum is the rule of the merge. Default health.QuorumMajority.
	Quorum health.Quorum
	// ClusterRefresh is how often the effective view is merged again
	// without a cluster event. Default DefaultClusterRefresh.
	ClusterRefresh time.Duration
}

// withDefaults returns o with its zero fields filled in.
func (o Options) withDefaults() Options {
	if o.Probe == nil {
		p := new(probe.Prober)
		o.Probe = p.Probe
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	o.Logger = o.Logger.With("component", "health")
	if o.Now == nil {
		o.Now = time.Now
	}
	o = o.withLimitDefaults()
	if o.Checkpoint <= 0 {
		o.Checkpoint = DefaultCheckpoint
	}
	if o.PurgeInterval <= 0 {
		o.PurgeInterval = DefaultPurgeInterval
	}
	if o.LiftedRetention <= 0 {
		o.LiftedRetention = DefaultLiftedRetention
	}
	if o.ClusterRefresh <= 0 {
		o.ClusterRefresh = DefaultClusterRefresh
	}
	return o
}

// withLimitDefaults returns o with the zero fields of its Limits filled in.
func (o Options) withLimitDefaults() Options {
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.MaxStartWait <= 0 {
		o.MaxStartWait = DefaultMaxStartWait
	}
	if o.Staleness < 0 {
		o.Staleness = 0
	}
	return o
}

// interval returns the probe period of a check.
func interval(c health.Check) time.Duration {
	if c.Interval > 0 {
		return c.Interval
	}
	return DefaultInterval
}

// staleness returns how old a persisted state of a target of check c may
// be to seed the snapshot.
func (o Options) staleness(c health.Check) time.Duration {
	if o.Staleness > 0 {
		return o.Staleness
	}
	return StalenessIntervals * interval(c)
}
