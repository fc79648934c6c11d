package monitor

import (
	"context"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/probe"
)

// probeLoop probes one target every interval of its check, after an
// initial delay, until ctx ends. At most Options.MaxInFlight probes of all
// targets run at once, the slots shared fairly between checks (slots.go);
// a probe that waited for one over a tenth of its interval is counted and
// logged as delayed. A
// probe that failed on this host (probe.IsLocal) is no result: counted,
// logged, and the target keeps its state.
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
		waited, err := m.slots.acquire(ctx, t.Check)
		if err != nil {
			return // stopped while waiting for a slot
		}
		if w := time.Since(begin); waited && float64(w) > DelayedAfter*float64(every) {
			m.delayed(t.Check, w)
		}
		r, err := m.probeOnce(ctx, t, c)
		m.slots.release(t.Check)
		switch {
		case ctx.Err() != nil:
			return // stopped mid-probe: the result says nothing of the target
		case probe.IsLocal(err):
			m.localError(t, err)
		default:
			m.observe(t, gen, r)
		}
		timer.Reset(max(0, every-time.Since(begin)))
	}
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
