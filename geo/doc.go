// Package geo owns the description of where a client is (Location), the
// great-circle distance between two points on the earth (Distance), and the
// rule by which an IPv6 address that carries an IPv4 address (IPv4-mapped,
// 6to4, Teredo) is located by that IPv4 address (Canonical).
//
// It imports only the standard library and does no I/O; reading GeoIP
// databases is the job of geo/mmdb.
package geo
