package zones

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// doc is one TOML file being checked: its generic values, the position of
// every key, and the problems found so far.
type doc struct {
	file string
	pos  positions
	errs *ErrorList
}

// parseTOML decodes src into generic values. A syntax error is added to errs
// with its position and nil is returned.
func parseTOML(file string, src []byte, errs *ErrorList) (*table, *doc) {
	d := &doc{file: file, errs: errs}
	var m map[string]any
	if _, err := toml.Decode(string(src), &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			errs.Add(Position{File: file, Line: pe.Position.Line, Col: pe.Position.Col}, "", "TOML syntax: %s", pe.Message)
		} else {
			errs.Add(Position{File: file}, "", "TOML: %v", err)
		}
		return nil, d
	}
	d.pos = scanPositions(src)
	return &table{doc: d, m: m, used: map[string]bool{}}, d
}

// table is one TOML table (or inline table) with the keys read from it
// recorded, so that the rest can be reported as unknown.
type table struct {
	*doc
	path []string
	m    map[string]any
	used map[string]bool
}

func (t *table) sub(key string) []string {
	return append(append([]string(nil), t.path...), key)
}

func (t *table) errorf(path []string, format string, args ...any) {
	t.errs.Add(t.pos.at(t.file, path), displayPath(path), format, args...)
}

// get returns the raw value of key and marks it used.
func (t *table) get(key string) (any, bool) {
	t.used[key] = true
	v, ok := t.m[key]
	return v, ok
}

// has reports whether key is present.
func (t *table) has(key string) bool {
	_, ok := t.m[key]
	return ok
}

// unknown reports every key of the table that was not read. hint, if not
// nil, explains a misplaced key.
func (t *table) unknown(hint func(key string) string) {
	var keys []string
	for k := range t.m {
		if !t.used[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		msg := "unknown key"
		if hint != nil {
			if h := hint(k); h != "" {
				msg += ": " + h
			}
		}
		t.errorf(t.sub(k), "%s", msg)
	}
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// str reads a string key.
func (t *table) str(key string) (string, bool) {
	v, ok := t.get(key)
	if !ok {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		t.errorf(t.sub(key), "must be a string, not %s", typeName(v))
		return "", false
	}
	return s, true
}

// required reports a missing key.
func (t *table) required(key string) {
	if !t.has(key) {
		t.errorf(t.path, "missing required key %q", key)
	}
}

// integer reads an integer key within [lo, hi].
func (t *table) integer(key string, lo, hi int64) (int64, bool) {
	v, ok := t.get(key)
	if !ok {
		return 0, false
	}
	n, isInt := v.(int64)
	if !isInt {
		t.errorf(t.sub(key), "must be an integer, not %s", typeName(v))
		return 0, false
	}
	if n < lo || n > hi {
		t.errorf(t.sub(key), "%d out of range [%d, %d]", n, lo, hi)
		return 0, false
	}
	return n, true
}

// float reads a number key within [lo, hi] (integers are accepted).
func (t *table) float(key string, lo, hi float64) (float64, bool) {
	v, ok := t.get(key)
	if !ok {
		return 0, false
	}
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case int64:
		f = float64(n)
	default:
		t.errorf(t.sub(key), "must be a number, not %s", typeName(v))
		return 0, false
	}
	if math.IsNaN(f) || f < lo || f > hi {
		t.errorf(t.sub(key), "%v out of range [%v, %v]", f, lo, hi)
		return 0, false
	}
	return f, true
}

// boolean reads a boolean key.
func (t *table) boolean(key string) (bool, bool) {
	v, ok := t.get(key)
	if !ok {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		t.errorf(t.sub(key), "must be true or false, not %s", typeName(v))
		return false, false
	}
	return b, true
}

// strings reads an array of strings, returning each element's path too.
func (t *table) strings(key string) ([]string, bool) {
	v, ok := t.get(key)
	if !ok {
		return nil, false
	}
	arr, isArr := v.([]any)
	if !isArr {
		t.errorf(t.sub(key), "must be an array of strings, not %s", typeName(v))
		return nil, false
	}
	out := make([]string, 0, len(arr))
	good := true
	for i, e := range arr {
		s, isStr := e.(string)
		if !isStr {
			t.errorf(append(t.sub(key), index(i)), "must be a string, not %s", typeName(e))
			good = false
			continue
		}
		out = append(out, s)
	}
	return out, good
}

// tableAt reads a sub-table.
func (t *table) tableAt(key string) (*table, bool) {
	v, ok := t.get(key)
	if !ok {
		return nil, false
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		t.errorf(t.sub(key), "must be a table, not %s", typeName(v))
		return nil, false
	}
	return &table{doc: t.doc, path: t.sub(key), m: m, used: map[string]bool{}}, true
}

// tables reads a table of tables ([name.X] sections), sorted by key.
func (t *table) tables(key string) ([]string, []*table) {
	outer, ok := t.tableAt(key)
	if !ok {
		return nil, nil
	}
	var names []string
	for k := range outer.m {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []*table
	var kept []string
	for _, n := range names {
		sub, ok := outer.tableAt(n)
		if !ok {
			continue
		}
		kept = append(kept, n)
		out = append(out, sub)
	}
	return kept, out
}

// tableArray reads an array of tables (inline or [[...]]).
func (t *table) tableArray(key string) ([]*table, bool) {
	v, ok := t.get(key)
	if !ok {
		return nil, false
	}
	var maps []map[string]any
	switch a := v.(type) {
	case []map[string]any:
		maps = a
	case []any:
		for i, e := range a {
			m, isMap := e.(map[string]any)
			if !isMap {
				t.errorf(append(t.sub(key), index(i)), "must be a table, not %s", typeName(e))
				return nil, false
			}
			maps = append(maps, m)
		}
	default:
		t.errorf(t.sub(key), "must be an array of tables, not %s", typeName(v))
		return nil, false
	}
	out := make([]*table, len(maps))
	for i, m := range maps {
		out[i] = &table{doc: t.doc, path: append(t.sub(key), index(i)), m: m, used: map[string]bool{}}
	}
	return out, true
}

// duration reads a duration: a string with units ("30s", "1h30m", "2d",
// "1w") or an integer number of seconds.
func (t *table) duration(key string) (time.Duration, bool) {
	v, ok := t.get(key)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		if n < 0 || n > math.MaxInt64/int64(time.Second) {
			t.errorf(t.sub(key), "duration %d out of range", n)
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	case string:
		d, err := ParseDuration(n)
		if err != nil {
			t.errorf(t.sub(key), "%v", err)
			return 0, false
		}
		return d, true
	default:
		t.errorf(t.sub(key), "duration must be a string with a unit (\"30s\") or an integer of seconds, not %s", typeName(v))
		return 0, false
	}
}

// MaxTTL is the largest TTL allowed (RFC 2181 section 8).
const MaxTTL = 1<<31 - 1

// ttl reads a duration key as a TTL in seconds.
func (t *table) ttl(key string) (uint32, bool) {
	d, ok := t.duration(key)
	if !ok {
		return 0, false
	}
	if d%time.Second != 0 {
		t.errorf(t.sub(key), "TTL %v is not a whole number of seconds", d)
		return 0, false
	}
	if s := d / time.Second; s > MaxTTL {
		t.errorf(t.sub(key), "TTL %d out of range [0, %d]", s, MaxTTL)
		return 0, false
	}
	return uint32(d / time.Second), true
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

// addr parses an IP address value.
func (t *table) addr(path []string, s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		t.errorf(path, "invalid IP address %q", s)
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
