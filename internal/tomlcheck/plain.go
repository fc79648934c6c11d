package tomlcheck

import "strings"

// A zone file of a million records is one TOML array of a million strings.
// BurntSushi/toml lexes each through a channel of tokens and boxes it in an
// interface: a quarter of the time it takes to load such a zone. The
// arrays a caller names (the plainArrays of Parse) are therefore read by
// the position scanner when they hold nothing but plain strings, and the
// decoder is given the document with their contents cut out (empty
// arrays); anything else in them leaves the array
// to the decoder. What the scanner takes is a subset of TOML it reads
// exactly, so the result is the decoder's (FuzzPlainArrays compares both).
//
// Plain here means: basic strings ("...") of printable ASCII or tabs
// whose only escapes are \" and \\, or literal strings ('...') of the
// same characters, separated by commas (one trailing comma allowed),
// with blanks, line ends (LF or CRLF) and comments of printable ASCII or
// tabs between them; the array is the value of a bare key at the top of
// the document.

// plainArray is an array of plain strings the scanner read.
type plainArray struct {
	key        string   // its key, at the top of the document
	start, end int      // the offsets of its contents, between the brackets
	elems      []string // its strings, parts of the document
}

// plainArray reads, from its '[', the array at key when it
// holds only plain strings, and records it. Otherwise it leaves the
// scanner where it was and returns false.
func (s *posScanner) plainArray(key string) bool {
	saved := *s
	// Sized once for one string a line (a million records: appending
	// would leave as much garbage again as the result).
	lines := strings.Count(s.src[s.off:], "\n") + 1
	elems := make([]string, 0, lines)
	lc := make([]linecol, 0, lines)
	s.next() // '['
	start := s.off
	want := true // an element or the end may come; after one, a comma or the end
	for {
		if !s.plainSpace() {
			*s = saved
			return false
		}
		if s.eof() {
			*s = saved
			return false
		}
		switch c := s.peek(); {
		case c == ']':
			end := s.off
			s.next()
			s.plain = append(s.plain, plainArray{key: key, start: start, end: end, elems: elems})
			if prev := s.out.elems[key]; len(prev) > 0 {
				lc = append(prev, lc...)
			}
			if len(lc) > 0 {
				s.out.elems[key] = lc
			}
			return true
		case c == ',' && !want && len(elems) > 0:
			s.next()
			want = true
		case (c == '"' || c == '\'') && want:
			pos := linecol{int32(s.line), int32(s.col)}
			str, ok := s.plainString()
			if !ok {
				*s = saved
				return false
			}
			elems = append(elems, str)
			lc = append(lc, pos)
			want = false
		default:
			*s = saved
			return false
		}
	}
}

// plainSpace skips blanks, line ends and comments between elements, and
// reports false on a byte a plain array may not have there.
func (s *posScanner) plainSpace() bool {
	for !s.eof() {
		switch c := s.peek(); c {
		case ' ', '\t', '\n':
			s.next()
		case '\r':
			if s.off+1 >= len(s.src) || s.src[s.off+1] != '\n' {
				return false
			}
			s.next()
		case '#':
			for !s.eof() && s.peek() != '\n' {
				if c := s.peek(); c == '\r' {
					if s.off+1 >= len(s.src) || s.src[s.off+1] != '\n' {
						return false
					}
				} else if !printable(c) {
					return false
				}
				s.next()
			}
		default:
			return true
		}
	}
	return true
}

// plainString reads a basic string of printable ASCII or tabs whose only
// escapes are \" and \\, or a literal string ('...') of the same
// characters, and returns its content: a part of the document when it
// has no escape.
func (s *posScanner) plainString() (string, bool) {
	quote := s.next()
	start := s.off
	if s.off+1 < len(s.src) && s.src[s.off] == quote && s.src[s.off+1] == quote {
		return "", false // a multi-line string
	}
	var b []byte // the content so far, once an escape was seen
	for !s.eof() {
		c := s.peek()
		switch {
		case c == quote:
			str := s.src[start:s.off]
			if b != nil {
				str = string(append(b, str...))
			}
			s.next()
			return str, true
		case c == '\\' && quote == '"':
			if s.off+1 >= len(s.src) {
				return "", false
			}
			e := s.src[s.off+1]
			if e != '"' && e != '\\' {
				return "", false
			}
			b = append(append(b, s.src[start:s.off]...), e)
			s.next()
			s.next()
			start = s.off
			continue
		case !printable(c):
			return "", false
		}
		s.next()
	}
	return "", false
}

// printable reports whether c is printable ASCII or a tab.
func printable(c byte) bool { return c == '\t' || c >= ' ' && c <= '~' }

// blank returns src without the contents of arrays, so that the decoder
// reads each as an empty array. Positions after them move, which does not
// matter: the decoder's problems are taken from the whole document (see
// Parse).
func blank(src string, arrays []plainArray) string {
	var b strings.Builder
	from := 0
	for _, a := range arrays {
		b.WriteString(src[from:a.start])
		from = a.end
	}
	b.WriteString(src[from:])
	return b.String()
}
