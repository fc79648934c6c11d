package dns

// nameCache is the query name a scratch last converted to presentation
// format, in wire format as sent and as the two strings presentation made
// of it. Traffic is mostly a few names asked again and again, and a pooled
// scratch mostly serves one reader: a query for the name before it (in the
// same case) reuses the strings, without converting the name again nor
// allocating a string for it (that was a sixth of a static answer's
// instructions, and its one allocation). The strings are immutable and may
// outlive the query, as those of a fresh conversion may.
type nameCache struct {
	wire        [maxNameWire]byte
	n           int // octets of wire in use; 0: empty
	name, lname string
}

// presentation returns presentation(wire), from the cache when wire is
// the name it holds, octet for octet.
func (c *nameCache) presentation(wire []byte) (name, lower string) {
	if c.n > 0 && c.n == len(wire) && string(c.wire[:c.n]) == string(wire) {
		return c.name, c.lname
	}
	name, lower = presentation(wire)
	if len(wire) <= len(c.wire) {
		c.n = copy(c.wire[:], wire)
		c.name, c.lname = name, lower
	}
	return name, lower
}
