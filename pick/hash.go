package pick

import (
	"math"
	"net/netip"
)

// The hashes of sticky choices are stable: the same in every process and on
// every node, so that a client keeps its datacenter across restarts and
// whichever of the zone's nameservers its resolver asks. They are FNV-1a
// over the inputs, finished with the splitmix64 mixer for an even spread.

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// mix64 is the splitmix64 finalizer.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// subnetHash hashes a client subnet (address and length).
func subnetHash(subnet netip.Prefix) uint64 {
	h := uint64(fnvOffset)
	a := subnet.Addr().As16()
	for _, b := range a {
		h = (h ^ uint64(b)) * fnvPrime
	}
	h = (h ^ uint64(subnet.Bits())) * fnvPrime
	return h
}

// saltString continues hash h with s.
func saltString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return mix64(h)
}

// saltAddr continues hash h with address a.
func saltAddr(h uint64, a netip.Addr) uint64 {
	b := a.As16()
	for _, x := range b {
		h = (h ^ uint64(x)) * fnvPrime
	}
	return mix64(h)
}

// unit maps a hash to a number in the open interval (0, 1).
func unit(h uint64) float64 {
	return (float64(h>>11) + 0.5) / (1 << 53)
}

// rendezvousScore is the weighted rendezvous (highest random weight) score
// of a candidate of weight w whose hash with the client is h: the candidate
// with the highest score wins, each with probability proportional to its
// weight, and removing a candidate moves only the clients it won.
func rendezvousScore(h uint64, w uint32) float64 {
	return float64(w) / -math.Log(unit(h))
}

// nextRand returns the i-th value of a deterministic sequence seeded by r,
// for choices that need more than one random value per query.
func nextRand(r uint32, i int) uint64 {
	return mix64(uint64(r)<<32 | uint64(uint32(i)))
}
