package tomlcheck

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration reads a duration: a string with units ("30s", "1h30m", "2d",
// "1w", see ParseDuration) or an integer number of seconds.
func (t *Table) Duration(key string) (time.Duration, bool) {
	v, ok := t.Get(key)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		if n < 0 || n > math.MaxInt64/int64(time.Second) {
			t.Errorf(t.KeyPath(key), "duration %d out of range", n)
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	case string:
		d, err := ParseDuration(n)
		if err != nil {
			t.Errorf(t.KeyPath(key), "%v", err)
			return 0, false
		}
		return d, true
	default:
		t.Errorf(t.KeyPath(key), "duration must be a string with a unit (\"30s\") or an integer of seconds, not %s", typeName(v))
		return 0, false
	}
}

// ParseDuration parses a duration written as a sequence of numbers with
// units: ms, s, m, h, d (24h) and w (7d), e.g. "90s", "1h30m", "2w". A
// string of digits without a unit is an error, so that "30" is never taken
// for nanoseconds or seconds by accident.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, errors.New("empty duration")
	}
	var total time.Duration
	for in != "" {
		i := 0
		for i < len(in) && in[i] >= '0' && in[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("invalid duration %q: expected a number", s)
		}
		n, err := strconv.ParseInt(in[:i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %w", s, err)
		}
		in = in[i:]
		j := 0
		for j < len(in) && (in[j] < '0' || in[j] > '9') {
			j++
		}
		var unit time.Duration
		switch in[:j] {
		case "ms":
			unit = time.Millisecond
		case "s":
			unit = time.Second
		case "m":
			unit = time.Minute
		case "h":
			unit = time.Hour
		case "d":
			unit = 24 * time.Hour
		case "w":
			unit = 7 * 24 * time.Hour
		case "":
			return 0, fmt.Errorf("duration %q has no unit: write %q, or the integer %s for seconds", s, s+"s", s)
		default:
			return 0, fmt.Errorf("invalid duration %q: unknown unit %q (use ms, s, m, h, d, w)", s, in[:j])
		}
		if n > int64(math.MaxInt64/unit) || total > math.MaxInt64-time.Duration(n)*unit {
			return 0, fmt.Errorf("duration %q out of range", s)
		}
		total += time.Duration(n) * unit
		in = in[j:]
	}
	return total, nil
}
