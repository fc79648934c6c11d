package monitor

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gslb/gslb/health"
)

// ProblemLogInterval is how often at most the monitor logs each kind of
// probe problem that can repeat on every probe (local errors, delayed
// probes): the first at once, then one line per interval with the count
// since the last line.
const ProblemLogInterval = 30 * time.Second

// DelayedAfter is the share of its check's interval a probe may wait for
// a slot before it counts as delayed: a tenth.
const DelayedAfter = 0.1

// ProbeCount is what the probes of one check met that is not a result of
// their targets, since the monitor started.
type ProbeCount struct {
	Check string
	// LocalErrors counts probes that failed for a reason of this host
	// (probe.IsLocal: out of descriptors, buffers or ports): no result,
	// their targets kept their state.
	LocalErrors uint64
	// Delayed counts probes that found every slot busy at their time
	// (Options.MaxInFlight) and waited for one longer than DelayedAfter of
	// their check's interval.
	Delayed uint64
}

// probeStats counts local errors and delayed probes by check and decides
// when they are logged.
type probeStats struct {
	mu     sync.Mutex
	counts map[string]*ProbeCount
	local  throttle             // local errors, of every check
	late   map[string]*throttle // delayed probes, by check
}

// throttle lets a repeated problem through at once, then at most once per
// ProblemLogInterval, counting the ones held back.
type throttle struct {
	last    time.Time // when it was last let through; zero: never
	held    uint64    // occurrences since then
	longest time.Duration
}

// note counts one occurrence at now that took d (a wait; 0 when none) and
// reports whether to log it, with the occurrences and the longest d since
// the last line (this one included).
func (t *throttle) note(now time.Time, d time.Duration) (log bool, n uint64, longest time.Duration) {
	t.held++
	t.longest = max(t.longest, d)
	if !t.last.IsZero() && now.Sub(t.last) < ProblemLogInterval {
		return false, 0, 0
	}
	n, longest = t.held, t.longest
	t.last, t.held, t.longest = now, 0, 0
	return true, n, longest
}

// countLocked returns the counts of check, created when missing.
func (s *probeStats) countLocked(check string) *ProbeCount {
	if s.counts == nil {
		s.counts = map[string]*ProbeCount{}
	}
	c, ok := s.counts[check]
	if !ok {
		c = &ProbeCount{Check: check}
		s.counts[check] = c
	}
	return c
}

// localError counts a probe of t that failed on this host, and logs it
// when the throttle lets it through. The target keeps its state.
func (m *Monitor) localError(t health.Target, err error) {
	s := &m.stats
	s.mu.Lock()
	s.countLocked(t.Check).LocalErrors++
	log, n, _ := s.local.note(m.opts.Now(), 0)
	s.mu.Unlock()
	if log {
		m.log.Warn("probe failed on this host, not on its target: no result, the target keeps its state",
			"target", t.String(), "error", err, "local_errors", n, "every", ProblemLogInterval)
	}
}

// delayed counts a probe of check that waited for a slot, and logs it when
// the check's throttle lets it through, with the check that holds the most
// slots.
func (m *Monitor) delayed(check string, waited time.Duration) {
	s := &m.stats
	s.mu.Lock()
	s.countLocked(check).Delayed++
	if s.late == nil {
		s.late = map[string]*throttle{}
	}
	th, ok := s.late[check]
	if !ok {
		th = &throttle{}
		s.late[check] = th
	}
	log, n, longest := th.note(m.opts.Now(), waited)
	s.mu.Unlock()
	if log {
		limit, used, busiest := m.slots.state()
		m.log.Warn("probes delayed: every probe slot was busy (max_in_flight)",
			"check", check, "delayed", n, "longest_wait", longest.Round(time.Millisecond),
			"max_in_flight", limit, "in_flight", used, "busiest_check", busiest, "every", ProblemLogInterval)
	}
}

// ProbeCounts returns the local errors and delayed probes of every check
// that had any since the monitor started, sorted by check. Counts of
// removed checks are kept.
func (m *Monitor) ProbeCounts() []ProbeCount {
	s := &m.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ProbeCount, 0, len(s.counts))
	for _, k := range slices.Sorted(maps.Keys(s.counts)) {
		out = append(out, *s.counts[k])
	}
	return out
}

// Slots returns the probe slots (MaxInFlight, as last set) and how many
// are in use.
func (m *Monitor) Slots() (limit, inUse int) {
	limit, inUse, _ = m.slots.state()
	return limit, inUse
}
