package mmdb

import (
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
