package mmdb

import (
	"encoding/binary"
	"iter"
	"log/slog"
	"net/netip"

	"github.com/gslb/gslb/geo"
	"github.com/oschwald/maxminddb-golang/v2"
)

// aliases are the IPv6 networks that geo.Canonical locates by IPv4 address;
// the walks skip database networks inside them.
var aliases = []netip.Prefix{
	netip.MustParsePrefix("::ffff:0:0/96"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("2002::/16"),
}

// Networks walks every network of the City database that has a record and
// yields it with its Location (Network set to the prefix; no ASN fields,
// since only the City database is walked: see NetworksWithASN). IPv4
// networks of an IPv6 database are yielded once, as IPv4 prefixes: the
// aliases of the IPv4 space at ::ffff:0:0/96, 2001::/32 (Teredo) and
// 2002::/16 (6to4), and any other network inside those three, are skipped,
// since Locate finds those addresses by their IPv4 address.
//
// The order is ascending address order within each family, all IPv4
// networks first (the IPv4 subtree of an IPv6 database sits at ::/96). The
// networks do not overlap. Adjacent networks are not merged even when their
// Locations are equal.
//
// A walk that meets a corrupt part of the search tree stops there, and
// records that do not decode are skipped; both are logged (at error level,
// naming the file) rather than yielded.
func (s *Snapshot) Networks() iter.Seq2[netip.Prefix, geo.Location] {
	return func(yield func(netip.Prefix, geo.Location) bool) {
		for p, loc := range walk(s.city, "city", s.cityFile.path, s.logger, decodeLocation) {
			loc.Network = p
			if !yield(p, loc) {
				return
			}
		}
	}
}

// NetworksWithASN walks the City and the ASN database together, for tables
// that depend on the ASN fields as well as on the City fields. Inserted in
// the order yielded into a table in which a network yielded later wins over
// the addresses it covers, the networks give every address the Location
// that Locate gives it, except that Network is the yielded prefix, which may
// be wider than the Network that Locate reports.
//
// Each City network is yielded with its Location, with the ASN fields of
// the ASN network that contains it (or none: ASN 0 and an empty ASOrg when
// no ASN network contains all of it), then each ASN network that lies
// strictly inside it, with the same City fields and that network's ASN
// fields. An ASN network over several City networks thus gives its ASN to
// each of them, and an ASN network inside a City network splits it. Address
// space with an ASN network but no City network yields nothing, since Locate
// knows nothing there.
//
// The conventions are those of Networks: IPv4 networks as IPv4 prefixes,
// nothing inside the aliases of the IPv4 space, IPv4 first and ascending
// address order within each family (a City network's first address may be
// the first address of the ASN network yielded after it). Without an ASN
// database it is Networks.
//
// Both databases are walked once, side by side, in address order. A walk of
// the City database that meets an error stops as Networks does; one of the
// ASN database stops the ASN fields there (the City networks that follow
// are yielded without them), and ASN records that do not decode count as
// absent; both are logged at error level, naming the file.
func (s *Snapshot) NetworksWithASN() iter.Seq2[netip.Prefix, geo.Location] {
	if s.asn == nil {
		return s.Networks()
	}
	return withASN(s.Networks(), walk(s.asn, "asn", s.asnFile.path, s.logger, decodeASNRecord))
}

// withASN merges two walks in address order: the networks of a City
// database with their Locations and those of an ASN database with their
// records, as NetworksWithASN describes. Each walk must yield networks that
// do not overlap, in ascending address order, IPv4 first.
//
// Networks of two prefix trees are either disjoint or one contains the
// other. So an ASN network that is not entirely before a City network
// either contains it, or lies inside it, or starts after it; the one cursor
// into the ASN walk only moves forward, and an ASN network that contains
// several City networks stays under the cursor until the last of them.
func withASN(city iter.Seq2[netip.Prefix, geo.Location], asns iter.Seq2[netip.Prefix, asnRecord]) iter.Seq2[netip.Prefix, geo.Location] {
	return func(yield func(netip.Prefix, geo.Location) bool) {
		next, stop := iter.Pull2(asns)
		defer stop()
		var (
			a    netip.Prefix // the ASN network under the cursor
			rec  asnRecord
			span treeSpan
			more bool // whether a is valid
		)
		advance := func() {
			if a, rec, more = next(); more {
				span = spanOf(a)
			}
		}
		advance()
		for c, loc := range city {
			cs := spanOf(c)
			for more && span.last.less(cs.first) {
				advance()
			}
			if more && !cs.first.less(span.first) && !span.last.less(cs.last) {
				// a contains c; it may contain the next City networks too.
				loc.ASN, loc.ASOrg = rec.asn, rec.org
				if !yield(c, loc) {
					return
				}
				continue
			}
			if !yield(c, loc) {
				return
			}
			// Every ASN network that starts inside c lies inside it.
			for more && !cs.last.less(span.first) {
				in := loc
				in.ASN, in.ASOrg, in.Network = rec.asn, rec.org, a
				if !yield(a, in) {
					return
				}
				advance()
			}
		}
	}
}

// treeSpan is a network as the range of addresses it covers in a search
// tree's 128-bit address space, where the IPv4 space is ::/96: there the
// networks that maxminddb reports as IPv4 prefixes and those it reports as
// IPv6 prefixes (including one wider than ::/96 that holds all of IPv4)
// compare in the order of the tree walk.
type treeSpan struct{ first, last uint128 }

type uint128 struct{ hi, lo uint64 }

func (x uint128) less(y uint128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

// spanOf returns the span of p, a valid prefix.
func spanOf(p netip.Prefix) treeSpan {
	b := p.Addr().As16()
	bits := p.Bits()
	if p.Addr().Is4() {
		b = [16]byte{12: b[12], 13: b[13], 14: b[14], 15: b[15]}
		bits += 96
	}
	x := uint128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
	var host uint128 // the host bits
	if bits < 64 {
		host = uint128{^uint64(0) >> bits, ^uint64(0)}
	} else {
		host = uint128{0, ^uint64(0) >> (bits - 64)} // 0 for bits == 128
	}
	return treeSpan{
		first: uint128{x.hi &^ host.hi, x.lo &^ host.lo},
		last:  uint128{x.hi | host.hi, x.lo | host.lo},
	}
}

// walk yields every network of r that has a record, in the tree's order,
// with its record as decode returns it, skipping the networks inside the
// aliases as Networks describes. Decoded records are cached by offset for
// the duration of the walk. A corrupt search tree stops the walk; a record
// that does not decode is skipped; both are logged at error level, naming
// the database by kind ("city" or "asn") and path.
func walk[T any](r *maxminddb.Reader, kind, path string, logger *slog.Logger,
	decode func(maxminddb.Result) (T, error)) iter.Seq2[netip.Prefix, T] {
	return func(yield func(netip.Prefix, T) bool) {
		undecodable := 0
		cache := newOffsetCache[T](networksCacheSlots)
		defer func() {
			if undecodable > 0 {
				logger.Error("walk "+kind+" database: records skipped", "file", path, "skipped", undecodable)
			}
		}()
		for res := range r.Networks() {
			if err := res.Err(); err != nil {
				logger.Error("walk "+kind+" database: stopped", "file", path, "error", err)
				return
			}
			p := res.Prefix()
			if !p.IsValid() || inAlias(p) {
				continue
			}
			v, ok := cache.get(res.Offset())
			if !ok {
				var err error
				if v, err = decode(res); err != nil {
					undecodable++
					continue
				}
				cache.put(res.Offset(), v)
			}
			if !yield(p, v) {
				return
			}
		}
	}
}

// decodeLocation decodes a City record into a Location without Network.
func decodeLocation(res maxminddb.Result) (geo.Location, error) {
	var rec cityRecord
	if err := res.Decode(&rec); err != nil {
		return geo.Location{}, err
	}
	return rec.location(), nil
}

// decodeASNRecord decodes an ASN record.
func decodeASNRecord(res maxminddb.Result) (asnRecord, error) {
	var a asnRecord
	err := res.Decode(&a)
	return a, err
}

// inAlias reports whether p is inside one of the aliases of the IPv4 space.
func inAlias(p netip.Prefix) bool {
	if !p.Addr().Is6() {
		return false
	}
	for _, a := range aliases {
		if p.Bits() >= a.Bits() && a.Contains(p.Addr()) {
			return true
		}
	}
	return false
}
