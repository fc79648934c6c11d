// Package mmdb owns gslb's GeoIP databases: it opens a City database (GeoIP2
// or GeoLite2 City, GeoIP2 Enterprise, DB-IP City, or a compatible mmdb with
// a flat layout such as IPinfo's) and an optional ASN database (GeoLite2 ASN,
// GeoIP2 ISP), answers Locate for the query path, walks every network for
// precomputed tables (Networks: the City database; NetworksWithASN: both,
// their boundaries intersected), and swaps in new files while serving.
//
// # Guarantees
//
// Locate never fails: a miss, an address of the wrong family for the
// database, or a record that does not decode is the unknown location (the
// zero geo.Location). It does not log, and it does not allocate: decoded
// records are cached per Snapshot by their offset in the database (many
// networks share one record), so a query costs the tree walk plus one atomic
// load, and only the first query for a record decodes it.
//
// The loaded databases form an immutable Snapshot published through an
// atomic pointer. Reload and Watch build the next Snapshot aside; if either
// file is missing, corrupt or of the wrong type, the old Snapshot keeps
// serving and the error (naming the file) is logged and returned. A
// Snapshot's Replaced channel is closed when a newer one takes its place, so
// that tables derived from it (for example ECS scope tables built from
// Networks) can be rebuilt.
//
// # Caveats
//
// Files are read into memory, not memory-mapped: a database costs its file
// size in heap (tens of megabytes for a full City database), twice during a
// reload. In exchange
// no reader is ever unmapped under a running query, and a file rewritten in
// place cannot change the bytes a Snapshot reads.
//
// IPv6 addresses that embed an IPv4 address (IPv4-mapped, 6to4, Teredo) are
// located by that IPv4 address, as geo.Canonical says; the Network reported
// is then the matching prefix of the original IPv6 address.
package mmdb
