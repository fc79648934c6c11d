// Package pick is the pure selection step of gslb: for one query it decides
// which datacenter answers and with which addresses, and can say why.
//
// It owns two questions, kept apart:
//
//   - Rank: where is the client, and in what order should the pool's
//     datacenters serve it? It depends only on the client's location and
//     the pool's policy (nearest: great-circle distance, ties and unknown
//     locations in configuration order). What a policy reads of a location
//     is its rank key, which lives with the policy (rank.go).
//   - Resolve: given that ranking, the pool's members, a health snapshot,
//     the time, a random value and the client's address, what is answered?
//     In three steps, each a file: evaluate the members (health, overrides,
//     up_fraction: evaluate.go), choose the datacenter (the policy, or
//     when_all_down: choose.go), select its addresses (rotation,
//     max_answers: select.go). Policies plug into the choose and select
//     steps.
//
// The result is one Decision value carried whole to the wire, metrics and
// logs: pool, chosen member, Reason (first, failover, all-down), addresses
// or CNAME, the narrowest ECS scope the choice needs, and, filled by the
// engine (package route), the TTL and the ECS scope.
//
// Table caches Rank over every network of a GeoIP database, merged into the
// widest prefixes with one ranking, so that the query path finds a client's
// ranking and its exact EDNS Client Subnet scope (ECSScope) in one trie walk.
// Tables are keyed by Pool.TableKey: pools that rank alike share one.
//
// # Guarantees
//
// The package does no I/O and reads no clock and no global randomness: the
// time, a random value and the client are arguments, so the same inputs
// always give the same answer, and `gslb explain` (which passes a Trace to
// Resolve) prints exactly the decision the server makes. It has no
// package-level mutable state; Pools and Tables are read-only once built and
// safe for concurrent use. On the query path nothing allocates: Rank (pools
// of up to 16 members), Resolve (with a caller's buffer and no Trace) and
// Table.Lookup.
//
// A Table's ranking of a network is exactly Rank's for the network's
// location, and the scope it returns never covers an address that ranks
// differently.
//
// # Caveats
//
// Resolve trusts its Pool: the zones package validates configuration
// (UpFraction in (0, 1], a target for AllDownCNAME, at most one member per
// datacenter). Tables must be rebuilt when the GeoIP database or a pool's
// TableKey changes.
package pick
