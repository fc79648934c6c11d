// Package route answers gslb's geo-routed names for one client. It joins
// what the pure selection step (pick) needs from the edges: the
// client's location from the current GeoIP snapshot, the pool's ranking from
// a precomputed per-pool table (exact ECS scopes, one trie walk per query),
// and the current health snapshot. The server and `gslb explain` both call
// it, so explain shows exactly what the server answers.
//
// Tables are built in the background whenever the zone set or the GeoIP
// database changes; until a pool's table is ready its queries are ranked
// directly from the database lookup, with a scope no wider than the matched
// database network — correct, only less widely cacheable.
package route
