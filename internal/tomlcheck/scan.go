package tomlcheck

import (
	"slices"
	"strings"
)

// posScanner indexes the key positions of a TOML document that already
// parsed; see positions.
type posScanner struct {
	src       string
	off       int
	line, col int
	out       positions
	arrays    map[string]int // next index of each [[array of tables]]

	plainKeys []string     // top-level keys whose arrays of plain strings are read here
	plain     []plainArray // the arrays read
	quoted    bool         // the last key read had a quoted part
}

// scanPositions returns the position of every key of src, and the arrays
// of plain strings at plainKeys that it read (see plainArray).
func scanPositions(src string, plainKeys []string) (positions, []plainArray) {
	s := &posScanner{src: src, line: 1, col: 1, out: newPositions(), arrays: map[string]int{}, plainKeys: plainKeys}
	s.document()
	return s.out, s.plain
}

func (s *posScanner) eof() bool { return s.off >= len(s.src) }

func (s *posScanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.off]
}

func (s *posScanner) next() byte {
	c := s.src[s.off]
	s.off++
	if c == '\n' {
		s.line++
		s.col = 1
	} else {
		s.col++
	}
	return c
}

func (s *posScanner) here() Position { return Position{Line: s.line, Col: s.col} }

// skipSpace skips blanks; with newlines, also line ends and comments.
func (s *posScanner) skipSpace(newlines bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			s.next()
		case c == '#':
			for !s.eof() && s.peek() != '\n' {
				s.next()
			}
		case c == '\n' && newlines:
			s.next()
		default:
			return
		}
	}
}

func (s *posScanner) document() {
	var table []string
	for {
		s.skipSpace(true)
		if s.eof() {
			return
		}
		if s.peek() == '[' {
			pos := s.here()
			s.next()
			array := s.peek() == '['
			if array {
				s.next()
			}
			s.skipSpace(false)
			table = s.key()
			if array {
				k := pathKey(table)
				i := s.arrays[k]
				s.arrays[k] = i + 1
				table = append(table, Index(i))
			}
			s.out.set(table, pos)
			for !s.eof() && s.peek() != '\n' {
				s.next()
			}
			continue
		}
		start := s.off
		k := s.key()
		s.skipSpace(false)
		if s.peek() != '=' || s.off == start {
			// not a key/value line: skip it rather than loop forever
			for !s.eof() && s.peek() != '\n' {
				s.next()
			}
			continue
		}
		s.next()
		s.skipSpace(false)
		if table == nil && len(k) == 1 && !s.quoted && s.peek() == '[' && slices.Contains(s.plainKeys, k[0]) {
			pos := s.here()
			if s.plainArray(k[0]) {
				s.out.set(k, pos)
				continue
			}
		}
		s.value(append(append([]string(nil), table...), k...))
	}
}

// key reads a dotted key.
func (s *posScanner) key() []string {
	var parts []string
	s.quoted = false
	for !s.eof() {
		s.skipSpace(false)
		switch s.peek() {
		case '"':
			s.quoted = true
			parts = append(parts, s.basicString())
		case '\'':
			s.quoted = true
			parts = append(parts, s.literalString())
		default:
			start := s.off
			for !s.eof() && bareKey(string(s.peek())) {
				s.next()
			}
			if s.off == start {
				return parts
			}
			parts = append(parts, s.src[start:s.off])
		}
		s.skipSpace(false)
		if s.peek() != '.' {
			return parts
		}
		s.next()
	}
	return parts
}

func (s *posScanner) value(path []string) {
	s.out.set(path, s.here())
	s.body(path)
}

// body reads the value at path whose position is recorded.
func (s *posScanner) body(path []string) {
	switch {
	case strings.HasPrefix(s.src[s.off:], `"""`):
		s.multiline(`"""`, true)
	case strings.HasPrefix(s.src[s.off:], `'''`):
		s.multiline(`'''`, false)
	case s.peek() == '"':
		s.basicString()
	case s.peek() == '\'':
		s.literalString()
	case s.peek() == '[':
		s.next()
		key := pathKey(path)
		for i := 0; ; i++ {
			s.skipSpace(true)
			if s.eof() || s.peek() == ']' {
				break
			}
			from := s.off
			// An element's path is built only for an array or table
			// within: a long array of strings costs a slice entry each.
			s.out.elem(key, s.here())
			if c := s.peek(); c == '[' || c == '{' {
				s.body(append(append([]string(nil), path...), Index(i)))
			} else {
				s.body(nil)
			}
			s.skipSpace(true)
			if s.peek() == ',' {
				s.next()
			}
			if s.off == from {
				break // a document the decoder refuses (Parse scans first): stop, not loop
			}
		}
		if !s.eof() {
			s.next()
		}
	case s.peek() == '{':
		s.next()
		for {
			s.skipSpace(false)
			if s.eof() || s.peek() == '}' || s.peek() == '\n' {
				break
			}
			k := s.key()
			s.skipSpace(false)
			if s.peek() != '=' {
				break
			}
			s.next()
			s.skipSpace(false)
			s.value(append(append([]string(nil), path...), k...))
			s.skipSpace(false)
			if s.peek() == ',' {
				s.next()
			}
		}
		if !s.eof() && s.peek() == '}' {
			s.next()
		}
	default:
		for !s.eof() && !strings.ContainsRune(",]}\n#", rune(s.peek())) {
			s.next()
		}
	}
}

// basicString reads a "string" and returns its unescaped-enough content (as
// a key it only needs to match the decoder's keys for common cases). A
// string without escapes is returned as a part of the source, not a copy.
func (s *posScanner) basicString() string {
	s.next()
	start := s.off
	for !s.eof() {
		switch s.peek() {
		case '"':
			str := s.src[start:s.off]
			s.next()
			return str
		case '\\':
			return s.escapedString(start)
		case '\n':
			return s.src[start:s.off]
		}
		s.next()
	}
	return s.src[start:s.off]
}

// escapedString reads the rest of a basic string from its first escape;
// start is where its content began.
func (s *posScanner) escapedString(start int) string {
	var b strings.Builder
	b.WriteString(s.src[start:s.off])
	for !s.eof() {
		c := s.next()
		switch c {
		case '"':
			return b.String()
		case '\\':
			if !s.eof() {
				e := s.next()
				switch e {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(e)
				}
			}
		case '\n':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (s *posScanner) literalString() string {
	s.next()
	start := s.off
	for !s.eof() && s.peek() != '\'' && s.peek() != '\n' {
		s.next()
	}
	str := s.src[start:s.off]
	if !s.eof() && s.peek() == '\'' {
		s.next()
	}
	return str
}

func (s *posScanner) multiline(delim string, escapes bool) {
	for range 3 {
		s.next()
	}
	for !s.eof() {
		if strings.HasPrefix(s.src[s.off:], delim) {
			for range 3 {
				s.next()
			}
			// a closing delimiter may be followed by up to two quote characters
			for !s.eof() && s.peek() == delim[0] {
				s.next()
			}
			return
		}
		if escapes && s.peek() == '\\' {
			s.next()
		}
		if !s.eof() {
			s.next()
		}
	}
}
