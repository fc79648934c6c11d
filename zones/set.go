package zones

import "sort"

// Set is the immutable collection of zones served at one moment. The query
// path loads one Set per query from an atomic pointer and never sees a Set
// change under it.
type Set struct {
	byOrigin map[string]*Zone
	list     []*Zone // sorted by origin
	signed   bool    // some zone has DNSSEC keys
}

// NewSet returns a Set of the zones. Origins must be distinct.
func NewSet(zones []*Zone) *Set {
	s := &Set{byOrigin: make(map[string]*Zone, len(zones))}
	for _, z := range zones {
		s.byOrigin[z.Origin] = z
		s.list = append(s.list, z)
		s.signed = s.signed || (z.DNSSEC != nil && z.DNSSEC.Signer != nil)
	}
	sort.Slice(s.list, func(i, j int) bool { return s.list[i].Origin < s.list[j].Origin })
	return s
}

// Zones returns the zones of the set, sorted by origin.
func (s *Set) Zones() []*Zone {
	if s == nil {
		return nil
	}
	return s.list
}

// Zone returns the zone with exactly this origin, or nil.
func (s *Set) Zone(origin string) *Zone {
	if s == nil {
		return nil
	}
	return s.byOrigin[origin]
}

// Find returns the zone that is authoritative for name: the one with the
// longest origin that name is in. It returns nil when no zone contains name.
// name must be absolute and lower case.
func (s *Set) Find(name string) *Zone {
	if s == nil || len(s.byOrigin) == 0 {
		return nil
	}
	for n := name; n != ""; n = parentName(n) {
		if z, ok := s.byOrigin[n]; ok {
			return z
		}
	}
	return nil
}
