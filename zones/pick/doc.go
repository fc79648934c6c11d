// Package pick is the pure selection step of gslb. Rank orders a pool's
// datacenters for a client location; Resolve turns that ranking, the pool's
// members and a health snapshot into the addresses (or CNAME) to answer, with
// the reasons. It does no I/O and reads no clock or global randomness: time
// and randomness are parameters, so the same inputs always give the same
// answer, and `gslb explain` prints exactly the decision the server makes.
package pick
