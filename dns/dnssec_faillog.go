package dns

import (
	"sync/atomic"
	"time"
)

// signFailLogInterval is the least time between two log lines about
// answers that could not be signed.
const signFailLogInterval = 30 * time.Second

// signFailLog decides when a signing failure is logged: the first at once,
// then at most one line per signFailLogInterval with the number of
// failures since the last line, so that a key that cannot sign does not
// write a line per query. It takes no lock.
type signFailLog struct {
	last atomic.Int64  // when the last line was logged, in nanoseconds; 0: never
	held atomic.Uint64 // failures since the last line
}

// note counts a failure at now and reports whether to log it, with the
// failures since the last line (this one included).
func (l *signFailLog) note(now time.Time) (log bool, n uint64) {
	l.held.Add(1)
	t := now.UnixNano()
	last := l.last.Load()
	if last != 0 && t-last < int64(signFailLogInterval) || !l.last.CompareAndSwap(last, t) {
		return false, 0
	}
	return true, l.held.Swap(0)
}
