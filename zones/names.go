package zones

import "strings"

// Domain names here are absolute, lower case, in presentation format, with
// backslash escapes as miekg/dns writes them ("a\.b.example."). These helpers
// respect escapes when they look for label boundaries.

// labelStarts appends the offset of every label of name (the root name has
// none) and returns the result. For "a.b." it gives [0, 2]. A name in
// presentation format is at most 1,020 octets (4 × 255): offsets fit 16 bits.
func labelStarts(name string, dst []uint16) []uint16 {
	if name == "." || name == "" {
		return dst
	}
	dst = append(dst, 0)
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '\\':
			i++ // skip the escaped byte (or the first digit of \DDD)
		case '.':
			if i+1 < len(name) {
				dst = append(dst, uint16(i+1))
			}
		}
	}
	return dst
}

// countLabels returns the number of labels in name.
func countLabels(name string) int {
	var buf [128]uint16
	return len(labelStarts(name, buf[:0]))
}

// parentName returns name without its first label; the parent of a
// one-label name is ".", and "." has no parent ("").
func parentName(name string) string {
	if name == "." || name == "" {
		return ""
	}
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '\\':
			i++
		case '.':
			if i+1 < len(name) {
				return name[i+1:]
			}
			return "."
		}
	}
	return "."
}

// inZone reports whether name is origin or below it.
func inZone(name, origin string) bool {
	if origin == "." {
		return true
	}
	if !strings.HasSuffix(name, origin) {
		return false
	}
	if len(name) == len(origin) {
		return true
	}
	// the byte before the suffix must be an unescaped dot
	i := len(name) - len(origin) - 1
	if name[i] != '.' {
		return false
	}
	slashes := 0
	for j := i - 1; j >= 0 && name[j] == '\\'; j-- {
		slashes++
	}
	return slashes%2 == 0
}

// fqdn lower-cases name and makes it absolute relative to origin ("@" is the
// origin itself).
func fqdn(name, origin string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	switch {
	case name == "@":
		return origin
	case strings.HasSuffix(name, ".") && !strings.HasSuffix(name, `\.`):
		return name
	case origin == ".":
		return name + "."
	default:
		return name + "." + origin
	}
}
