package health

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// seq turns "++-+" into results: + success, - failure.
func seq(t0 time.Time, s string) []Result {
	rs := make([]Result, 0, len(s))
	for i, c := range s {
		r := Result{At: t0.Add(time.Duration(i+1) * time.Second), OK: c == '+'}
		if !r.OK {
			r.Error = "connect: connection refused"
		}
		rs = append(rs, r)
	}
	return rs
}

func TestStateObserve(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		start      Status
		rise, fall int
		probes     string
		want       Status
		wantTrans  string // statuses entered, e.g. "up,down"
	}{
		{"unknown stays before rise", Unknown, 2, 3, "+", Unknown, ""},
		{"unknown to up after rise", Unknown, 2, 3, "++", Up, "up"},
		{"unknown to down after fall", Unknown, 2, 3, "---", Down, "down"},
		{"unknown rise=1 fall=1 success", Unknown, 1, 1, "+", Up, "up"},
		{"unknown rise=1 fall=1 failure", Unknown, 1, 1, "-", Down, "down"},
		{"rise=1 fall=1 follows every probe", Unknown, 1, 1, "+-+", Up, "up,down,up"},
		{"zero thresholds count as 1", Unknown, 0, 0, "-", Down, "down"},
		{"alternating from unknown stays unknown", Unknown, 2, 2, "+-+-+-+-", Unknown, ""},
		{"alternating from up stays up", Up, 2, 2, "-+-+-+-+-+", Up, ""},
		{"alternating from down stays down", Down, 2, 2, "+-+-+-+-+-", Down, ""},
		{"intermittent one in five stays up", Up, 2, 2, "++++-++++-++++-++++-", Up, ""},
		{"intermittent from unknown goes up and stays", Unknown, 2, 3, "++++-++++-++++-", Up, "up"},
		{"up to down after fall", Up, 2, 3, "--+---", Down, "down"},
		{"up needs consecutive failures", Up, 2, 3, "--+--+--+", Up, ""},
		{"recovery after rise", Down, 3, 2, "++-+++", Up, "up"},
		{"down needs consecutive successes", Down, 3, 2, "++-++-++-", Down, ""},
		{"down then recovery then down", Up, 2, 2, "--++--", Down, "down,up,down"},
		{"up stays up on successes", Up, 2, 2, "++++", Up, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewState(t0)
			s.Status = tt.start
			var got []string
			for _, r := range seq(t0, tt.probes) {
				if tr, ok := s.Observe(r, tt.rise, tt.fall); ok {
					if tr.At != r.At || tr.To != s.Status || s.Since != r.At {
						t.Errorf("transition %+v, state since %v, want at %v", tr, s.Since, r.At)
					}
					got = append(got, tr.To.String())
				}
			}
			if s.Status != tt.want {
				t.Errorf("Observe(%q) status = %v, want %v", tt.probes, s.Status, tt.want)
			}
			if g := strings.Join(got, ","); g != tt.wantTrans {
				t.Errorf("Observe(%q) transitions = %q, want %q", tt.probes, g, tt.wantTrans)
			}
		})
	}
}

func TestStateReasonAndCounters(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewState(t0)
	var last Transition
	for _, r := range seq(t0, "++---") {
		if tr, ok := s.Observe(r, 2, 3); ok {
			last = tr
		}
	}
	if want := "3 consecutive failures: connect: connection refused"; last.Reason != want || s.Reason() != want {
		t.Errorf("reason = %q (State.Reason %q), want %q", last.Reason, s.Reason(), want)
	}
	if last.From != Up || last.To != Down {
		t.Errorf("transition %v -> %v, want up -> down", last.From, last.To)
	}
	if s.Failures != 3 || s.Successes != 0 || s.Last.OK || s.Last.Error == "" {
		t.Errorf("counters = %d/%d last %+v", s.Successes, s.Failures, s.Last)
	}
	if d := s.Detail(); d.Status != Down || !d.Since.Equal(t0.Add(5*time.Second)) || d.Reason != last.Reason {
		t.Errorf("Detail() = %+v", d)
	}
	for _, tc := range []struct {
		probes string
		rise   int
		want   string
	}{
		{"+", 1, "1 success"},
		{"++", 2, "2 consecutive successes"},
	} {
		s := NewState(t0)
		var got string
		for _, r := range seq(t0, tc.probes) {
			if tr, ok := s.Observe(r, tc.rise, 1); ok {
				got = tr.Reason
			}
		}
		if got != tc.want {
			t.Errorf("reason after %q = %q, want %q", tc.probes, got, tc.want)
		}
	}
	s = NewState(t0)
	if tr, _ := s.Observe(Result{At: t0, Error: "timeout"}, 1, 1); tr.Reason != "1 failure: timeout" {
		t.Errorf("reason = %q, want %q", tr.Reason, "1 failure: timeout")
	}
}

func TestStateHistoryBounded(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewState(t0)
	rs := seq(t0, strings.Repeat("+-", 20))
	for _, r := range rs {
		s.Observe(r, 1, 1)
	}
	if len(s.Results) != HistoryLen || len(s.Transitions) != HistoryLen {
		t.Fatalf("history %d results, %d transitions, want %d each", len(s.Results), len(s.Transitions), HistoryLen)
	}
	if got, want := s.Results[HistoryLen-1].At, rs[len(rs)-1].At; !got.Equal(want) {
		t.Errorf("newest result at %v, want %v", got, want)
	}
	if got, want := s.Results[0].At, rs[len(rs)-HistoryLen].At; !got.Equal(want) {
		t.Errorf("oldest result at %v, want %v", got, want)
	}
	c := s.Clone()
	s.Observe(Result{At: t0.Add(time.Hour), OK: true}, 1, 1)
	if c.Results[HistoryLen-1].At.Equal(t0.Add(time.Hour)) {
		t.Error("Clone shares its results with the original")
	}
}

func TestStateSet(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewState(t0)
	if _, ok := s.Set(Unknown, t0, "x"); ok {
		t.Error("Set to the same status reported a transition")
	}
	tr, ok := s.Set(Up, t0.Add(time.Second), "check type none")
	if !ok || tr.From != Unknown || tr.To != Up || s.Reason() != "check type none" {
		t.Errorf("Set(Up) = %+v, %v", tr, ok)
	}
}

func TestParseStatusAndAction(t *testing.T) {
	for _, st := range []Status{Unknown, Up, Down} {
		b, _ := st.MarshalText()
		var got Status
		if err := got.UnmarshalText(b); err != nil || got != st {
			t.Errorf("round trip of %v = %v, %v", st, got, err)
		}
	}
	if _, err := ParseStatus("sideways"); !errors.Is(err, ErrInvalidStatus) {
		t.Errorf("ParseStatus(sideways) error = %v, want ErrInvalidStatus", err)
	}
	for _, a := range []Action{ForceUp, ForceDown, Drain} {
		b, err := a.MarshalText()
		var got Action
		if err != nil || got.UnmarshalText(b) != nil || got != a {
			t.Errorf("round trip of %v = %v, %v", a, got, err)
		}
	}
	if _, err := Action(0).MarshalText(); !errors.Is(err, ErrInvalidAction) {
		t.Errorf("MarshalText(0) error = %v, want ErrInvalidAction", err)
	}
	if _, err := ParseAction("up"); !errors.Is(err, ErrInvalidAction) {
		t.Errorf("ParseAction(up) error = %v, want ErrInvalidAction", err)
	}
}

func TestStateBackSince(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) } // the i-th probe of seq
	tests := []struct {
		name   string
		probes string
		want   time.Time // State.BackSince
		detail time.Time // Detail().BackSince
	}{
		{"never probed", "", time.Time{}, time.Time{}},
		{"unknown to up is not a return", "+", time.Time{}, time.Time{}},
		{"down to up", "-+", at(2), at(2)},
		{"up down up", "+-+", at(3), at(3)},
		{"kept while up", "-++++", at(2), at(2)},
		{"hidden while down", "-+-", at(2), time.Time{}},
		{"the latest return", "-+-+", at(4), at(4)},
		{"outlives the bounded history", "-+" + strings.Repeat("+", 3*HistoryLen), at(2), at(2)},
		{"the last return after many", strings.Repeat("-+", 2*HistoryLen), at(4 * HistoryLen), at(4 * HistoryLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewState(t0)
			for _, r := range seq(t0, tt.probes) {
				s.Observe(r, 1, 1)
			}
			if !s.BackSince.Equal(tt.want) {
				t.Errorf("Observe(%q) BackSince = %v, want %v", tt.probes, s.BackSince, tt.want)
			}
			if got := s.Detail().BackSince; !got.Equal(tt.detail) {
				t.Errorf("Observe(%q) Detail().BackSince = %v, want %v", tt.probes, got, tt.detail)
			}
		})
	}

	// Set is a transition like any other: a check that becomes none brings
	// a down target back.
	s := NewState(t0)
	s.Set(Down, at(1), "3 consecutive failures")
	s.Set(Up, at(2), "check type none")
	if !s.BackSince.Equal(at(2)) {
		t.Errorf("Set(Down), Set(Up): BackSince = %v, want %v", s.BackSince, at(2))
	}
}
