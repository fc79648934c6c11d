// Package pick is the pure selection step of gslb: for one query it decides
// which datacenter answers and with which addresses, and can say why.
//
// It owns two questions, kept apart:
//
//   - Rank: where is the client, and in what order should the pool's
//     datacenters serve it? It depends only on the client's location and
//     the pool's policy (nearest: great-circle distance, ties and unknown
//     locations in configuration order).
//   - Resolve: given that ranking, the pool's members and a health snapshot,
//     which addresses (or CNAME) are answered? It applies probe statuses,
//     admin overrides (force-up, force-down, drain), the pool's up_fraction,
//     max_answers and when_all_down, and rotates the answered addresses.
//
// Table caches Rank over every network of a GeoIP database, merged into the
// widest prefixes with one ranking, so that the query path finds a client's
// ranking and its exact EDNS Client Subnet scope (ECSScope) in one trie walk.
//
// # Guarantees
//
// The package does no I/O and reads no clock and no global randomness: the
// time and a random value are arguments, so the same inputs always give the
// same answer, and `gslb explain` (which passes a Trace to Resolve) prints
// exactly the decision the server makes. It has no package-level mutable
// state; Pools and Tables are read-only once built and safe for concurrent
// use. On the query path nothing allocates: Rank (pools of up to 16
// members), Resolve (with a caller's buffer and no Trace) and Table.Lookup.
//
// A Table's ranking of a network is exactly Rank's for the network's
// location, and the scope it returns never covers an address that ranks
// differently.
//
// # Caveats
//
// Resolve trusts its Pool: the zones package validates configuration
// (UpFraction in (0, 1], a target for AllDownCNAME, at most one member per
// datacenter). Tables are built per pool datacenter list and must be rebuilt
// when the GeoIP database or the datacenters change.
package pick
