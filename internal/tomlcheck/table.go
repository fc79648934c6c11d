package tomlcheck

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// doc is one TOML file being checked: the position of every key and the
// problems found so far. Every Table of the file shares it.
type doc struct {
	file string
	pos  positions
	errs *ErrorList
}

// Parse decodes src, the contents of file, into generic values and returns
// its root table. A syntax error is added to errs with its position and nil
// is returned. Every problem the Table methods find later is added to errs.
//
// The arrays of plain strings at the top-level keys plainArrays are read
// without the decoder's per-string cost (see plainArray); the table holds
// them as a []string, which Strings returns as it is. The strings are
// parts of one copy of src: a caller keeping one keeps it all.
func Parse(file string, src []byte, errs *ErrorList, plainArrays ...string) *Table {
	text := string(src) // one copy for the decoder and the position scanner
	pos, plain := scanPositions(text, plainArrays)
	var m map[string]any
	var err error
	if len(plain) > 0 {
		if m, err = decode(blank(text, plain)); err == nil && !fill(m, plain) {
			err = errors.New("the decoder did not read the plain arrays as the scanner did")
		}
	}
	if len(plain) == 0 || err != nil {
		// No plain arrays, or a problem: the decoder reads the whole
		// document and says what it is.
		m, err = decode(text)
	}
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			errs.Add(Position{File: file, Line: pe.Position.Line, Col: pe.Position.Col}, "", "TOML syntax: %s", pe.Message)
		} else {
			errs.Add(Position{File: file}, "", "TOML: %v", err)
		}
		return nil
	}
	d := &doc{file: file, pos: pos, errs: errs}
	return &Table{doc: d, m: m, used: map[string]bool{}}
}

// decode decodes a TOML document into generic values.
func decode(text string) (map[string]any, error) {
	var m map[string]any
	_, err := toml.Decode(text, &m)
	return m, err
}

// fill puts the strings of each plain array into m, whose decoder read
// them as empty arrays (blank), and reports false, changing nothing, when
// it did not.
func fill(m map[string]any, plain []plainArray) bool {
	for _, a := range plain {
		if arr, ok := m[a.key].([]any); !ok || len(arr) != 0 {
			return false
		}
	}
	for _, a := range plain {
		m[a.key] = a.elems
	}
	return true
}

// Table is one TOML table (or inline table) being checked. It records the
// keys read from it, so that Unknown can report the rest. The getters
// (Str, Int, Duration, ...) return false and report a positioned problem
// when a key holds a value of the wrong type or out of range; they return
// false without a problem when the key is absent.
type Table struct {
	*doc
	path []string
	m    map[string]any
	used map[string]bool
}

func (t *Table) child(path []string, m map[string]any) *Table {
	return &Table{doc: t.doc, path: path, m: m, used: map[string]bool{}}
}

// File returns the name of the file the table is in.
func (t *Table) File() string { return t.file }

// Path returns the key path of the table (nil for the root).
func (t *Table) Path() []string { return slices.Clip(t.path) }

// KeyPath returns the key path of key in the table.
func (t *Table) KeyPath(key string) []string {
	return append(append([]string(nil), t.path...), key)
}

// Pos returns the position of the value at path, or of its nearest
// ancestor with a known position.
func (t *Table) Pos(path []string) Position { return t.pos.at(t.file, path) }

// ElemPos returns a function giving the position of element i of the array
// at key, as Pos(append(KeyPath(key), Index(i))) does, without building a
// path per element: for arrays of a million elements.
func (t *Table) ElemPos(key string) func(i int) Position {
	path := t.KeyPath(key)
	elems := t.pos.elems[pathKey(path)]
	return func(i int) Position {
		if i < len(elems) {
			return Position{File: t.file, Line: int(elems[i].line), Col: int(elems[i].col)}
		}
		return t.Pos(append(path, Index(i)))
	}
}

// Errorf reports a problem at the value of path.
func (t *Table) Errorf(path []string, format string, args ...any) {
	t.errs.Add(t.Pos(path), displayPath(path), format, args...)
}

// ErrorAt reports a problem at pos, without a key path.
func (t *Table) ErrorAt(pos Position, format string, args ...any) {
	t.errs.Add(pos, "", format, args...)
}

// ErrorCount returns the number of problems found so far in the file.
func (t *Table) ErrorCount() int { return len(*t.errs) }

// Present reports whether the table is in the file: Section returns an
// empty table, not present, for a key the file does not have.
func (t *Table) Present() bool { return t.m != nil }

// Get returns the raw value of key and marks it used.
func (t *Table) Get(key string) (any, bool) {
	t.used[key] = true
	v, ok := t.m[key]
	return v, ok
}

// Has reports whether key is present.
func (t *Table) Has(key string) bool {
	_, ok := t.m[key]
	return ok
}

// Use marks keys used without reading them, so that Unknown keeps quiet
// about them.
func (t *Table) Use(keys ...string) {
	for _, k := range keys {
		t.used[k] = true
	}
}

// Keys returns the keys of the table, sorted.
func (t *Table) Keys() []string {
	keys := make([]string, 0, len(t.m))
	for k := range t.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Unknown reports every key of the table that was not read. hint, if not
// nil, explains a misplaced key.
func (t *Table) Unknown(hint func(key string) string) {
	for _, k := range t.Keys() {
		if t.used[k] {
			continue
		}
		msg := "unknown key"
		if hint != nil {
			if h := hint(k); h != "" {
				msg += ": " + h
			}
		}
		t.Errorf(t.KeyPath(k), "%s", msg)
	}
}

// Required reports a missing key.
func (t *Table) Required(key string) {
	if !t.Has(key) {
		t.Errorf(t.path, "missing required key %q", key)
	}
}

// typeName names the TOML type of a decoded value for messages.
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
	case []any, []string, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// Str reads a string key.
func (t *Table) Str(key string) (string, bool) {
	v, ok := t.Get(key)
	if !ok {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		t.Errorf(t.KeyPath(key), "must be a string, not %s", typeName(v))
		return "", false
	}
	return s, true
}

// Int reads an integer key within [lo, hi].
func (t *Table) Int(key string, lo, hi int64) (int64, bool) {
	v, ok := t.Get(key)
	if !ok {
		return 0, false
	}
	n, isInt := v.(int64)
	if !isInt {
		t.Errorf(t.KeyPath(key), "must be an integer, not %s", typeName(v))
		return 0, false
	}
	if n < lo || n > hi {
		t.Errorf(t.KeyPath(key), "%d out of range [%d, %d]", n, lo, hi)
		return 0, false
	}
	return n, true
}

// Float reads a number key within [lo, hi] (integers are accepted).
func (t *Table) Float(key string, lo, hi float64) (float64, bool) {
	v, ok := t.Get(key)
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
		t.Errorf(t.KeyPath(key), "must be a number, not %s", typeName(v))
		return 0, false
	}
	if math.IsNaN(f) || f < lo || f > hi {
		t.Errorf(t.KeyPath(key), "%v out of range [%v, %v]", f, lo, hi)
		return 0, false
	}
	return f, true
}

// Bool reads a boolean key.
func (t *Table) Bool(key string) (bool, bool) {
	v, ok := t.Get(key)
	if !ok {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		t.Errorf(t.KeyPath(key), "must be true or false, not %s", typeName(v))
		return false, false
	}
	return b, true
}

// Strings reads an array of strings. Elements that are not strings are
// reported and left out, and the result is then false.
func (t *Table) Strings(key string) ([]string, bool) {
	v, ok := t.Get(key)
	if !ok {
		return nil, false
	}
	if strs, ok := v.([]string); ok { // a plain array (Parse)
		return strs, true
	}
	arr, isArr := v.([]any)
	if !isArr {
		t.Errorf(t.KeyPath(key), "must be an array of strings, not %s", typeName(v))
		return nil, false
	}
	out := make([]string, 0, len(arr))
	good := true
	for i, e := range arr {
		s, isStr := e.(string)
		if !isStr {
			t.Errorf(append(t.KeyPath(key), Index(i)), "must be a string, not %s", typeName(e))
			good = false
			continue
		}
		out = append(out, s)
	}
	return out, good
}

// Table reads a sub-table.
func (t *Table) Table(key string) (*Table, bool) {
	v, ok := t.Get(key)
	if !ok {
		return nil, false
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		t.Errorf(t.KeyPath(key), "must be a table, not %s", typeName(v))
		return nil, false
	}
	return t.child(t.KeyPath(key), m), true
}

// Section reads a sub-table that may be absent: it returns an empty table
// at the key's path when the key is absent or (after reporting it) not a
// table, so that its keys take their defaults.
func (t *Table) Section(key string) *Table {
	if s, ok := t.Table(key); ok {
		return s
	}
	return t.child(t.KeyPath(key), nil)
}

// Tables reads a table of tables ([key.NAME] sections): the names, sorted,
// and their tables. Names whose value is not a table are reported and left
// out.
func (t *Table) Tables(key string) ([]string, []*Table) {
	outer, ok := t.Table(key)
	if !ok {
		return nil, nil
	}
	var names []string
	var out []*Table
	for _, n := range outer.Keys() {
		sub, ok := outer.Table(n)
		if !ok {
			continue
		}
		names = append(names, n)
		out = append(out, sub)
	}
	return names, out
}

// TableArray reads an array of tables (inline or [[key]]).
func (t *Table) TableArray(key string) ([]*Table, bool) {
	v, ok := t.Get(key)
	if !ok {
		return nil, false
	}
	var maps []map[string]any
	switch a := v.(type) {
	case []map[string]any:
		maps = a
	case []string: // a plain array (Parse)
		if len(a) > 0 {
			t.Errorf(append(t.KeyPath(key), Index(0)), "must be a table, not %s", typeName(a[0]))
			return nil, false
		}
	case []any:
		for i, e := range a {
			m, isMap := e.(map[string]any)
			if !isMap {
				t.Errorf(append(t.KeyPath(key), Index(i)), "must be a table, not %s", typeName(e))
				return nil, false
			}
			maps = append(maps, m)
		}
	default:
		t.Errorf(t.KeyPath(key), "must be an array of tables, not %s", typeName(v))
		return nil, false
	}
	out := make([]*Table, len(maps))
	for i, m := range maps {
		out[i] = t.child(append(t.KeyPath(key), Index(i)), m)
	}
	return out, true
}

// Addr parses s, the value at path, as an IP address without a zone. An
// IPv4-mapped IPv6 address is returned as IPv4.
func (t *Table) Addr(path []string, s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		t.Errorf(path, "invalid IP address %q", s)
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// Item is one element of an array whose elements may be strings or inline
// tables, such as `["192.0.2.10", { addr = "192.0.2.11", weight = 3 }]`.
type Item struct {
	Path  []string // the element's key path, for errors
	Str   string   // the element when it is a string
	Table *Table   // the element when it is a table; nil for a string
}

// Items reads an array of strings and tables. Other elements are reported
// and left out, and the result is then false.
func (t *Table) Items(key string) ([]Item, bool) {
	v, ok := t.Get(key)
	if !ok {
		return nil, false
	}
	var elems []any
	switch a := v.(type) {
	case []any:
		elems = a
	case []string: // a plain array (Parse)
		for _, e := range a {
			elems = append(elems, e)
		}
	case []map[string]any:
		for _, m := range a {
			elems = append(elems, m)
		}
	default:
		t.Errorf(t.KeyPath(key), "must be an array, not %s", typeName(v))
		return nil, false
	}
	out := make([]Item, 0, len(elems))
	good := true
	for i, e := range elems {
		path := append(t.KeyPath(key), Index(i))
		switch x := e.(type) {
		case string:
			out = append(out, Item{Path: path, Str: x})
		case map[string]any:
			out = append(out, Item{Path: path, Table: t.child(path, x)})
		default:
			t.Errorf(path, "must be a string or a table, not %s", typeName(e))
			good = false
		}
	}
	return out, good
}
