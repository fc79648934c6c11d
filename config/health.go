package config

import (
	"time"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// Health is the [health] table: limits of the health monitor.
type Health struct {
	MaxStartWait time.Duration // longest wait for the first probe round; default DefaultHealthMaxStartWait
	Staleness    time.Duration // persisted state older than this is ignored; default 0: 10 × the check's interval
	MaxInFlight  int           // probes running at once; default DefaultHealthMaxInFlight
}

func parseHealth(t *tomlcheck.Table, c *Config) {
	c.Health.MaxStartWait = DefaultHealthMaxStartWait
	c.Health.MaxInFlight = DefaultHealthMaxInFlight
	if d, ok := t.Duration("max_start_wait"); ok {
		c.Health.MaxStartWait = d
	}
	if d, ok := t.Duration("staleness"); ok {
		c.Health.Staleness = d
	}
	if n, ok := t.Int("max_in_flight", 1, 1<<16); ok {
		c.Health.MaxInFlight = int(n)
	}
	t.Unknown(nil)
}
