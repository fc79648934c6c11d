package route

import (
	"iter"
	"math"
	"net/netip"
	"slices"
	"strings"

	"github.com/gslb/gslb/geo"
)

// networkList is one walk of the GeoIP data, kept while several ranking
// tables are built from it: walking a database decodes every network's
// record and costs more than building a table from the walk, so tables
// built together share one walk instead of each walking the database.
// It holds 24 bytes per network (a GeoLite2-size City database:
// some 90 MB while the tables are built, then garbage) and each distinct
// location once.
type networkList struct {
	chunks [][]listedNetwork // of listChunk networks each (the last one fewer), so that growing never copies
	locs   []geo.Location    // distinct locations, Network unset
}

// listChunk is how many networks a chunk of a networkList holds.
const listChunk = 1 << 16

// listedNetwork is a network of the list: its address (IPv4 in the first
// four bytes), prefix length, family and location.
type listedNetwork struct {
	addr [16]byte
	bits uint8
	is4  bool
	loc  uint32 // index into networkList.locs
}

// placeKey is a location's coordinates (as bits, so that every value is
// a key) and AS: most locations of a database are told apart by it alone.
type placeKey struct {
	lat, lon uint64
	asn      uint32
	located  bool
}

// locationKey is what tells locations apart, Network aside.
type locationKey struct {
	continent, country, city, asOrg, subdivisions string
	lat, lon                                      float64
	hasCoordinates                                bool
	radius                                        uint16
	asn                                           uint32
}

// listNetworks walks networks once and keeps them. Invalid prefixes are
// left out (a table skips them anyway).
func listNetworks(networks iter.Seq2[netip.Prefix, geo.Location]) *networkList {
	l := &networkList{}
	ids := map[locationKey]uint32{}
	// Most places have a location of their own: find a location by its
	// coordinates and AS first, which hashes faster than every field.
	byPlace := map[placeKey]uint32{}
	var prev geo.Location
	prevID := uint32(0)
	for pfx, loc := range networks {
		if !pfx.IsValid() {
			continue
		}
		// Neighbouring networks often share a location: compare with the
		// previous one before building a key.
		id := prevID
		if len(l.chunks) == 0 || !sameLocation(loc, prev) {
			pk := placeKey{math.Float64bits(loc.Lat), math.Float64bits(loc.Lon), loc.ASN, loc.HasCoordinates}
			var ok bool
			if id, ok = byPlace[pk]; !ok || !sameLocation(loc, l.locs[id]) {
				k := locationKey{loc.Continent, loc.Country, loc.City, loc.ASOrg, strings.Join(loc.Subdivisions, "\x00"),
					loc.Lat, loc.Lon, loc.HasCoordinates, loc.AccuracyRadius, loc.ASN}
				if id, ok = ids[k]; !ok {
					id = uint32(len(l.locs))
					ids[k] = id
					stored := loc
					stored.Network = netip.Prefix{}
					l.locs = append(l.locs, stored)
				}
				if _, ok := byPlace[pk]; !ok {
					byPlace[pk] = id
				}
			}
			prev, prevID = loc, id
		}
		n := listedNetwork{bits: uint8(pfx.Bits()), is4: pfx.Addr().Is4(), loc: id}
		if n.is4 {
			a := pfx.Addr().As4()
			copy(n.addr[:], a[:])
		} else {
			n.addr = pfx.Addr().As16()
		}
		if len(l.chunks) == 0 || len(l.chunks[len(l.chunks)-1]) == listChunk {
			l.chunks = append(l.chunks, make([]listedNetwork, 0, listChunk))
		}
		last := &l.chunks[len(l.chunks)-1]
		*last = append(*last, n)
	}
	return l
}

// sameLocation reports whether a and b are the same location, Network
// aside.
func sameLocation(a, b geo.Location) bool {
	return a.Continent == b.Continent && a.Country == b.Country && a.City == b.City && a.ASOrg == b.ASOrg &&
		a.Lat == b.Lat && a.Lon == b.Lon && a.HasCoordinates == b.HasCoordinates &&
		a.AccuracyRadius == b.AccuracyRadius && a.ASN == b.ASN && slices.Equal(a.Subdivisions, b.Subdivisions)
}

// indexed yields the networks in the order they were walked, each with
// the index of its location in l.locs (whose Network is unset), for
// pick.BuildTableIndexed: a table ranks each location once instead of
// comparing a location per network.
func (l *networkList) indexed() iter.Seq2[netip.Prefix, int] {
	return func(yield func(netip.Prefix, int) bool) {
		for _, chunk := range l.chunks {
			for i := range chunk {
				if !yield(chunk[i].prefix(), int(chunk[i].loc)) {
					return
				}
			}
		}
	}
}

// prefix returns the network's prefix.
func (n *listedNetwork) prefix() netip.Prefix {
	var addr netip.Addr
	if n.is4 {
		addr = netip.AddrFrom4([4]byte(n.addr[:4]))
	} else {
		addr = netip.AddrFrom16(n.addr)
	}
	return netip.PrefixFrom(addr, int(n.bits))
}
