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
	if len(s.list) <= findScanMax {
		return s.scan(name)
	}
	return s.ancestors(name)
}

// ancestors is Find by looking name and each of its ancestors up.
func (s *Set) ancestors(name string) *Zone {
	for n := name; n != ""; n = parentName(n) {
		if z, ok := s.byOrigin[n]; ok {
			return z
		}
	}
	return nil
}

// findScanMax is the most zones a Set searches by comparing each origin
// with the end of the name (scan) rather than by looking each of the
// name's ancestors up in the map: for a few zones, a few comparisons cost
// less than hashing every ancestor (two lookups for www.example.com.).
const findScanMax = 8

// scan is Find by comparing name with every origin (inZone).
func (s *Set) scan(name string) *Zone {
	if name == "" {
		return nil
	}
	var best *Zone
	for _, z := range s.list {
		if (best == nil || len(z.Origin) > len(best.Origin)) && inZone(name, z.Origin) {
			best = z
		}
	}
	return best
}
