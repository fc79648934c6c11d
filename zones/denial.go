package zones

import "slices"

// RRset returns the records of type t owned by name in the zone (not
// through a wildcard), or nil. Callers must not modify them.
func (z *Zone) RRset(name string, t uint16) []*Record {
	if n := z.nodes[name]; n != nil {
		return n.get(t)
	}
	return nil
}

// Types returns the types that name answers in the zone, in increasing
// order, as the type bitmap of an NSEC record at name lists them (without
// RRSIG and NSEC, which the signer adds): the name's own RRsets, or those
// of the wildcard that answers it when it does not exist; A and AAAA for a
// GSLB name. An empty non-terminal, and a name that does not exist and no
// wildcard answers, have none.
func (z *Zone) Types(name string) []uint16 {
	n := z.nodes[name]
	if n == nil {
		n = z.wildcardFor(name)
	}
	if n == nil {
		return nil
	}
	types := make([]uint16, 0, len(n.sets)+2)
	for _, s := range n.sets {
		types = append(types, s.typ)
	}
	if n.gslb != nil {
		types = append(types, TypeA, TypeAAAA)
		slices.Sort(types)
		types = slices.Compact(types)
	}
	return types
}

// Signed reports whether some zone of the set is signed (has DNSSEC keys
// loaded).
func (s *Set) Signed() bool { return s != nil && s.signed }
