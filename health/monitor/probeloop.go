package monitor

import (
	"context"
	"time"

	"github.com/gslb/gslb/health"
)

// probeLoop probes one target every interval of its check, after an
// initial delay, until ctx ends. At most Options.MaxInFlight probes of all
// targets run at once.
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
