package monitor

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"time"

	"github.com/gslb/gslb/health"
)

// This file decides where in its interval each target is probed. Every
// target has a phase, a fixed offset in [0, interval) drawn from its
// identity, and is probed when the time since the monitor's epoch (New)
// minus its phase is a multiple of its interval: its ticks. The phases of
// many targets are spread evenly over the interval, so their probes are
// too, whenever and however many targets were added; a probe that started
// late (a stalled host, a wait for a probe slot) does not move the next
// one, which comes back to its tick, so a burst never persists.

// phaseSteps is how many places in its interval a target's phase may
// take, every/phaseSteps apart (about 10 ms for 5 s), so that the probes
// of the targets at one place start together. Spread one by one, 5,000
// tcp probes every 5 s woke the process 1,000 times a second and cost a
// quarter more CPU than in one burst (make bench-targets); in steps about
// ten start together 100 times a second, at the CPU of the burst, and
// the spread is as even at 100 ms.
const phaseSteps = 512

// phase returns the offset in [0, every) of the ticks of target t, from a
// hash of its check's name and its address: the same on every run, and
// even over many targets. SHA-256 is used for its mixing, not its
// strength: a cheaper hash such as FNV-1a leaves the top bits of inputs
// that differ in their last byte (127.1.0.1, 127.1.0.2, ...) nearly the
// same, and it is computed only when a target's probes (re)start.
func phase(t health.Target, every time.Duration) time.Duration {
	if every <= 0 {
		return 0
	}
	h := sha256.New()
	h.Write([]byte(t.Check))
	h.Write([]byte{0})
	addr, _ := t.Addr.MarshalBinary() // never fails
	h.Write(addr)
	sum := h.Sum(nil)
	step, _ := bits.Mul64(binary.BigEndian.Uint64(sum), phaseSteps)
	return time.Duration(step) * every / phaseSteps
}

// nextTick returns the first tick strictly after after: the first time
// epoch + phase + k·every, for an integer k, that is later than after.
// It is never more than every after after.
func nextTick(epoch, after time.Time, phase, every time.Duration) time.Time {
	since := after.Sub(epoch) - phase
	k := since / every
	if since < 0 && since%every != 0 {
		k-- // floor, not truncation toward zero
	}
	return epoch.Add(phase + (k+1)*every)
}

// firstProbe returns when the probe goroutine of a target started at now
// probes first. A target without a result (undecided: new, or its fresh
// persisted state is missing) is probed at once, for the first round and
// readiness. Any other (seeded from fresh persisted state, or rescheduled
// because its check changed or Run started again) is probed at its next
// tick, but never later than one interval after its last probe started
// (last, zero when unknown), and at once if that time has passed: a
// shorter interval, or a late probe. Either way the probes after that are
// on its ticks.
func firstProbe(now, epoch, last time.Time, undecided bool, phase, every time.Duration) time.Time {
	if undecided {
		return now
	}
	due := nextTick(epoch, now, phase, every)
	if last.IsZero() {
		return due
	}
	if bound := last.Add(every); bound.Before(due) {
		due = bound
	}
	if due.Before(now) {
		return now
	}
	return due
}
