// Package geo owns the description of where a client is (Location) and the
// great-circle distance between two points on the earth. It imports only the
// standard library; reading GeoIP databases is the job of geo/mmdb.
package geo
