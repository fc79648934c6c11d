package zones

import (
	"time"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// MaxTTL is the largest TTL allowed (RFC 2181 section 8).
const MaxTTL = 1<<31 - 1

// ttl reads a duration key of t as a TTL in seconds.
func ttl(t *tomlcheck.Table, key string) (uint32, bool) {
	d, ok := t.Duration(key)
	if !ok {
		return 0, false
	}
	if d%time.Second != 0 {
		t.Errorf(t.KeyPath(key), "TTL %v is not a whole number of seconds", d)
		return 0, false
	}
	if s := d / time.Second; s > MaxTTL {
		t.Errorf(t.KeyPath(key), "TTL %d out of range [0, %d]", s, MaxTTL)
		return 0, false
	}
	return uint32(d / time.Second), true
}
