package monitor

import (
	"context"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/probe"
)

// probeLoop probes one target until ctx ends: first at first, then on
// its ticks (phase.go), every interval of its check at its phase, each
// probe due at the first tick after the start of the one before: within
// one interval of it, and a late probe does not move the next. At most Options.MaxInFlight probes of all
// targets run at once, the slots shared fairly between checks (slots.go);
// a probe that waited for one over a tenth of its interval is counted and
// logged as delayed. A probe that failed on this host (probe.IsLocal) is
// no result: counted, logged, and the target keeps its state.
func (m *Monitor) probeLoop(ctx context.Context, t health.Target, c health.Check, gen uint64, first time.Time, phase time.Duration) {
	defer m.wg.Done()
	due := first
	timer := time.NewTimer(time.Until(due))
	defer timer.Stop()
	every := interval(c)
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		begin := time.Now()
		waited, err := m.slots.acquire(ctx, t.Check)
		if err != nil {
			return // stopped while waiting for a slot
		}
		if w := time.Since(begin); waited && float64(w) > DelayedAfter*float64(every) {
			m.delayed(t.Check, w)
		}
		r, err := m.probeAside(ctx, t, c)
		m.slots.release(t.Check)
		switch {
		case ctx.Err() != nil:
			return // stopped mid-probe: the result says nothing of the target
		case probe.IsLocal(err):
			m.localError(t, err)
		default:
			m.observe(t, gen, begin, r)
		}
		// A timer never fires early; taking the later of the two keeps
		// a probe from being due again on the tick it just had.
		if begin.After(due) {
			due = begin
		}
		due = nextTick(m.epoch, due, phase, every)
		timer.Reset(time.Until(due))
	}
}

// probeAside is probeOnce on a goroutine of its own, which the probe loop
// waits for. A probe's call chain (a dial, a TLS handshake, an HTTP
// exchange) grows a goroutine's stack to 8 KB or more, and a stack shrinks
// only at a collection: run on the loop's goroutine, every target kept
// such a stack while it waited for its next tick (42 MB for 5,000
// targets). The loops now keep the small stack of waiting, and only the
// probes in flight (at most max_in_flight) have deep ones.
func (m *Monitor) probeAside(ctx context.Context, t health.Target, c health.Check) (health.Result, error) {
	type outcome struct {
		r   health.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		r, err := m.probeOnce(ctx, t, c)
		done <- outcome{r, err}
	}()
	o := <-done
	return o.r, o.err
}

// probeOnce runs one probe bounded by the check's timeout, and returns its
// result and error.
func (m *Monitor) probeOnce(ctx context.Context, t health.Target, c health.Check) (health.Result, error) {
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
	return r, err
}
