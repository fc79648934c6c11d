package tomlcheck

import (
	"fmt"
	"strconv"
	"strings"
)

// Position is a place in a TOML file. Line and Col start at 1; a zero Line
// means the file as a whole.
type Position struct {
	File      string
	Line, Col int
}

// String returns "file:line:col", "file:line" or "file".
func (p Position) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// positions maps key paths of a TOML document to where their values start.
// BurntSushi/toml reports the position of syntax errors but not of keys, and
// it stops at the first type error; gslb decodes into generic values, checks
// them itself (to report every problem at once) and uses this index to say
// where each problem is. The scanner is lenient: it runs before the decoder
// (see plainArray), and its positions are used only for a document the
// decoder accepts; on any other it must merely stop.
//
// The elements of an array are kept apart, in a slice per array: a zone file
// of a million records has a million of them, which a map keyed by their
// paths would hold at ten times the cost.
type positions struct {
	keys  map[string]Position  // by pathKey of the key path
	elems map[string][]linecol // by pathKey of the array's path, in element order
}

// linecol is the position of an array element.
type linecol struct{ line, col int32 }

func newPositions() positions {
	return positions{keys: map[string]Position{}, elems: map[string][]linecol{}}
}

// pathKey joins key parts into an index key.
func pathKey(parts []string) string { return strings.Join(parts, "\x00") }

// set records the position of the value at path.
func (p positions) set(path []string, pos Position) {
	if n := len(path); n > 0 {
		if i, ok := index(path[n-1]); ok {
			k := pathKey(path[:n-1])
			if i == len(p.elems[k]) {
				p.elem(k, pos)
				return
			}
		}
	}
	p.keys[pathKey(path)] = pos
}

// elem records the position of the next element of the array at key.
func (p positions) elem(key string, pos Position) {
	p.elems[key] = append(p.elems[key], linecol{int32(pos.Line), int32(pos.Col)})
}

// at returns the position of the value at path, or of its nearest ancestor
// with a known position, or of the file.
func (p positions) at(file string, path []string) Position {
	for n := len(path); n > 0; n-- {
		if i, ok := index(path[n-1]); ok {
			if e := p.elems[pathKey(path[:n-1])]; i < len(e) {
				return Position{File: file, Line: int(e[i].line), Col: int(e[i].col)}
			}
		}
		if pos, ok := p.keys[pathKey(path[:n])]; ok {
			pos.File = file
			return pos
		}
	}
	return Position{File: file, Line: 1, Col: 1}
}

// index returns i when part is Index(i).
func index(part string) (int, bool) {
	if len(part) < 3 || part[0] != '[' || part[len(part)-1] != ']' {
		return 0, false
	}
	i, err := strconv.Atoi(part[1 : len(part)-1])
	return i, err == nil && i >= 0
}

// displayPath formats key parts as a key path: dotted, with array indexes
// in brackets and parts that are not bare keys quoted.
func displayPath(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if strings.HasPrefix(p, "[") {
			b.WriteString(p)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		if bareKey(p) {
			b.WriteString(p)
		} else {
			b.WriteString(strconv.Quote(p))
		}
	}
	return b.String()
}

func bareKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Index returns the "[i]" part of a key path that names element i of an
// array.
func Index(i int) string { return "[" + strconv.Itoa(i) + "]" }
