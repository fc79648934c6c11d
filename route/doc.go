// Package route is gslb's GSLB engine: it answers a geo-routed name for one
// client with a whole pick.Decision. It joins what the pure selection step
// (package pick) needs from the edges: the client's location from a
// GeoSource (the GeoIP databases, behind an interface), the pool's ranking
// from a precomputed per-pool table (exact ECS scopes, one trie walk per
// query), and the current health snapshot; then it sets the decision's TTL
// (degraded_ttl for failover and all-down answers) and its ECS scope. The
// DNS server, `gslb explain` and the control API all call it, so each shows
// exactly what the server answers.
//
// Tables are built in the background whenever the zone set or the GeoIP
// data changes, one per distinct pick.Pool.TableKey; until a pool's table
// is ready its queries are ranked directly from the database lookup, with a
// scope no wider than the matched database network — correct, only less
// widely cacheable.
package route
