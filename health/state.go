package health

import (
	"strconv"
	"time"
)

// HistoryLen is how many recent probe results and how many recent
// transitions a State keeps.
const HistoryLen = 10

// Result is the outcome of one probe of a target.
type Result struct {
	At       time.Time     `json:"at"`              // when the probe ended
	OK       bool          `json:"ok"`              // the probe succeeded
	Error    string        `json:"error,omitempty"` // why it failed; "" on success
	Duration time.Duration `json:"duration_ns"`     // how long the probe took
}

// Transition is a change of a target's status, with a human reason such as
// "3 consecutive failures: connect: connection refused".
type Transition struct {
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// State is the rise/fall state machine of one target and what it remembers:
// the status and since when, when it last came back Up from Down, the
// consecutive successes and failures ending at the last result, the last
// result itself, and a short history of results and transitions.
//
// A target starts Unknown. From Unknown it goes Up after rise consecutive
// successes and Down after fall consecutive failures; from Up only fall
// consecutive failures take it Down; from Down only rise consecutive
// successes bring it Up. So with fall ≥ 2 a target failing one probe in five
// never goes down, and with rise ≥ 2 and fall ≥ 2 a target alternating pass
// and fail keeps its status.
//
// State is a plain value owned by one goroutine; Clone it before handing it
// to another.
type State struct {
	Status      Status       `json:"status"`
	Since       time.Time    `json:"since"`                 // when Status was entered (for Unknown: when tracking began)
	BackSince   time.Time    `json:"back_since,omitzero"`   // the last Down → Up transition, kept beyond Transitions; zero when none
	Successes   int          `json:"successes"`             // consecutive successes ending at Last
	Failures    int          `json:"failures"`              // consecutive failures ending at Last
	Last        Result       `json:"last,omitzero"`         // the last probe result; zero when never probed
	Results     []Result     `json:"results,omitempty"`     // at most HistoryLen recent results, oldest first
	Transitions []Transition `json:"transitions,omitempty"` // at most HistoryLen recent transitions, oldest first
}

// NewState returns the state of a target that starts being tracked at now:
// Unknown since now.
func NewState(now time.Time) State { return State{Since: now} }

// Observe feeds one probe result into the state machine with the given
// thresholds (values below 1 count as 1). It reports the transition when the
// status changed.
func (s *State) Observe(r Result, rise, fall int) (Transition, bool) {
	rise, fall = max(rise, 1), max(fall, 1)
	if r.OK {
		s.Successes++
		s.Failures = 0
	} else {
		s.Failures++
		s.Successes = 0
	}
	s.Last = r
	s.Results = appendBounded(s.Results, r)

	to := s.Status
	switch {
	case s.Status != Up && s.Successes >= rise:
		to = Up
	case s.Status != Down && s.Failures >= fall:
		to = Down
	}
	if to == s.Status {
		return Transition{}, false
	}
	t, _ := s.Set(to, r.At, s.reason())
	return t, true
}

// Set moves the state to status at the given time with a reason, as for a
// check of type none or an operator decision. It records and returns the
// transition; when the status does not change nothing is recorded and ok is
// false. A move from Down to Up also sets BackSince: the target came back.
func (s *State) Set(to Status, at time.Time, reason string) (t Transition, ok bool) {
	if to == s.Status {
		return Transition{}, false
	}
	t = Transition{From: s.Status, To: to, At: at, Reason: reason}
	if s.Status == Down && to == Up {
		s.BackSince = at
	}
	s.Status, s.Since = to, at
	s.Transitions = appendBounded(s.Transitions, t)
	return t, true
}

// reason explains the current counters, for a transition.
func (s *State) reason() string {
	if s.Successes > 0 {
		if s.Successes == 1 {
			return "1 success"
		}
		return strconv.Itoa(s.Successes) + " consecutive successes"
	}
	r := strconv.Itoa(s.Failures) + " consecutive failures"
	if s.Failures == 1 {
		r = "1 failure"
	}
	if s.Last.Error != "" {
		r += ": " + s.Last.Error
	}
	return r
}

// Reason returns the reason of the last transition, or "" when there was
// none.
func (s State) Reason() string {
	if len(s.Transitions) == 0 {
		return ""
	}
	return s.Transitions[len(s.Transitions)-1].Reason
}

// Detail returns what a Snapshot records of this state.
//
// Before rise or fall results have decided the status (Unknown), the last
// probe speaks for the target: a target whose first probe failed is Down to
// the snapshot, so that no client is sent to it while the state machine
// makes up its mind, and one whose probe passed is Up. A target never
// probed stays Unknown. BackSince is set only while the status is Up: an
// undecided target has not come back from anything.
func (s State) Detail() Detail {
	if s.Status == Unknown && !s.Last.At.IsZero() {
		d := Detail{Status: Up, Since: s.Last.At, Reason: "first probes passed; not yet decided by rise"}
		if !s.Last.OK {
			d.Status, d.Reason = Down, "last probe failed, not yet decided by fall: "+s.Last.Error
		}
		return d
	}
	d := Detail{Status: s.Status, Since: s.Since, Reason: s.Reason()}
	if s.Status == Up {
		d.BackSince = s.BackSince
	}
	return d
}

// Clone returns a copy of s that shares no memory with it.
func (s State) Clone() State {
	s.Results = append([]Result(nil), s.Results...)
	s.Transitions = append([]Transition(nil), s.Transitions...)
	return s
}

// appendBounded appends v, dropping the oldest elements beyond HistoryLen.
// It reuses the slice's array, so callers must own it.
func appendBounded[T any](s []T, v T) []T {
	if len(s) < HistoryLen {
		return append(s, v)
	}
	n := copy(s, s[len(s)-HistoryLen+1:])
	s = s[:n]
	return append(s, v)
}
