package mmdb

import (
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/gslb/gslb/geo"
	"github.com/oschwald/maxminddb-golang/v2"
)

// Snapshot is one loaded version of the databases. It is immutable and safe
// for concurrent use; it stays valid (and keeps its memory) for as long as
// it is referenced, even after a newer Snapshot replaced it.
type Snapshot struct {
	gen      uint64
	city     *maxminddb.Reader
	asn      *maxminddb.Reader // nil without an ASN database
	cityFile fileStamp
	asnFile  fileStamp
	replaced chan struct{} // closed by Reload when a newer Snapshot is published
	logger   *slog.Logger

	// Decoded records by data offset; see offsetCache.
	cityCache *offsetCache[geo.Location]
	asnCache  *offsetCache[asnRecord]
}

// Generation numbers the Snapshots of a DB: 1 for the one Open loaded, one
// more for each successful Reload.
func (s *Snapshot) Generation() uint64 { return s.gen }

// Replaced returns a channel that is closed when a newer Snapshot has been
// published. Take a Snapshot, build what depends on it, then wait on its
// Replaced: no reload can be missed that way.
func (s *Snapshot) Replaced() <-chan struct{} { return s.replaced }

// Info describes a Snapshot's databases, for logs and `gslb check`.
type Info struct {
	Generation uint64
	City       FileInfo
	ASN        FileInfo // zero when there is no ASN database
}

// FileInfo describes one loaded database file.
type FileInfo struct {
	Path      string
	Type      string    // the database_type metadata, e.g. "GeoIP2-City"
	BuildTime time.Time // the build_epoch metadata
	IPVersion uint      // 4: IPv4 only; 6: IPv6 and IPv4
	NodeCount uint      // search tree nodes
	Size      int64     // bytes
}

// Info describes the databases of s.
func (s *Snapshot) Info() Info {
	in := Info{Generation: s.gen, City: fileInfo(s.city, s.cityFile)}
	if s.asn != nil {
		in.ASN = fileInfo(s.asn, s.asnFile)
	}
	return in
}

func fileInfo(r *maxminddb.Reader, f fileStamp) FileInfo {
	return FileInfo{
		Path:      f.path,
		Type:      r.Metadata.DatabaseType,
		BuildTime: r.Metadata.BuildTime().UTC(),
		IPVersion: r.Metadata.IPVersion,
		NodeCount: r.Metadata.NodeCount,
		Size:      f.size,
	}
}

func (s *Snapshot) logAttrs() []any {
	in := s.Info()
	attrs := []any{"generation", in.Generation,
		"city", in.City.Path, "city_type", in.City.Type, "city_built", in.City.BuildTime}
	if in.ASN.Path != "" {
		attrs = append(attrs, "asn", in.ASN.Path, "asn_type", in.ASN.Type, "asn_built", in.ASN.BuildTime)
	}
	return attrs
}

// Verify runs the full structural verification of the mmdb format on both
// databases. It reads every record: seconds on a full-size City database.
func (s *Snapshot) Verify() error {
	if err := s.city.Verify(); err != nil {
		return fmt.Errorf("verify city database %s: %w: %w", s.cityFile.path, ErrInvalid, err)
	}
	if s.asn != nil {
		if err := s.asn.Verify(); err != nil {
			return fmt.Errorf("verify asn database %s: %w: %w", s.asnFile.path, ErrInvalid, err)
		}
	}
	return nil
}

// Locate returns what the databases say about addr. It never fails: when
// the City database has no record for addr (or the lookup or decoding
// fails) the result is the unknown location, the zero geo.Location, whatever
// the ASN database says.
//
// IPv4-mapped, 6to4 and Teredo addresses are looked up by the IPv4 address
// they carry (geo.Canonical). Private and reserved addresses are looked up
// like any other; a real database has no record for them.
//
// Network is a prefix of addr's own family that contains addr and in which
// every address gets the same Location: the City network, narrowed to the
// ASN database's network when that is longer (matched or not, since the ASN
// fields may change inside the City network), then translated back to the
// IPv6 address for embedded IPv4 (geo.Embedding.OuterPrefix). For an IPv4
// address in an IPv6 database it is an IPv4 prefix.
func (s *Snapshot) Locate(addr netip.Addr) geo.Location {
	if !addr.IsValid() {
		return geo.Location{}
	}
	canon, emb := geo.Canonical(addr)
	res := s.city.Lookup(canon)
	if !res.Found() {
		return geo.Location{}
	}
	network := familyPrefix(canon, res.Prefix())
	if !network.IsValid() {
		return geo.Location{}
	}
	loc, ok := s.cityCache.get(res.Offset())
	if !ok {
		var rec cityRecord
		if err := res.Decode(&rec); err != nil {
			return geo.Location{}
		}
		loc = rec.location()
		s.cityCache.put(res.Offset(), loc)
	}
	if s.asn != nil {
		ares := s.asn.Lookup(canon)
		if ares.Err() == nil {
			if p := familyPrefix(canon, ares.Prefix()); p.IsValid() && p.Bits() > network.Bits() {
				network = p
			}
			if ares.Found() {
				a, ok := s.asnCache.get(ares.Offset())
				if !ok {
					a, ok = s.decodeASN(ares)
				}
				if ok {
					loc.ASN, loc.ASOrg = a.asn, a.org
				}
			}
		}
	}
	loc.Network = emb.OuterPrefix(addr, network)
	return loc
}

// decodeASN decodes and caches the ASN record of res. It is a function of
// its own so that the record escapes to the heap only on a cache miss.
func (s *Snapshot) decodeASN(res maxminddb.Result) (asnRecord, bool) {
	var a asnRecord
	if res.Decode(&a) != nil {
		return asnRecord{}, false
	}
	s.asnCache.put(res.Offset(), a)
	return a, true
}

// zeroV4 is all of IPv4.
var zeroV4 = netip.PrefixFrom(netip.IPv4Unspecified(), 0)

// familyPrefix returns p, a network reported for a lookup of addr, as a
// masked prefix of addr's family. maxminddb reports an IPv4 lookup that
// ended above the IPv4 subtree of an IPv6 database (a record for a network
// wider than ::/96) as an IPv6 prefix; it covers all of IPv4.
func familyPrefix(addr netip.Addr, p netip.Prefix) netip.Prefix {
	if !p.IsValid() {
		return netip.Prefix{}
	}
	if addr.Is4() && !p.Addr().Is4() {
		return zeroV4
	}
	return p.Masked()
}
