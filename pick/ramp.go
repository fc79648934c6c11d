package pick

import (
	"net/netip"
	"slices"
	"time"

	"github.com/gslb/gslb/health"
)

// rampSalt separates the ramp-up hash from the sticky and spill hashes.
const rampSalt = 0x72616d70 // "ramp"

// backSince returns when member mem of p came back up for q's family: from
// down (its probes) or drained or forced down (an override lifted). For an
// address member it is the time the k-th of its up addresses came back,
// k being the addresses up_fraction needs, so that a datacenter that
// stayed up while one address flapped is not ramping. The zero time means
// it has been up as long as anyone knows.
func backSince(p *Pool, mem *Member, q *Query) time.Time {
	dc := mem.Datacenter.Name
	if mem.CNAME != "" {
		return q.Health.LiftedAt(p.Name, dc, netip.Addr{}, q.Now)
	}
	addrs := mem.Addrs(q.Family)
	var inline [16]time.Time
	times := inline[:0]
	for _, a := range addrs {
		up, _, _, _ := addrState(p, dc, a, q)
		if !up {
			continue
		}
		at := q.Health.LiftedAt(p.Name, dc, a, q.Now)
		if p.Check != "" {
			if b := q.Health.BackSince(health.Target{Check: p.Check, Addr: a}); b.After(at) {
				at = b
			}
		}
		times = append(times, at)
	}
	if len(times) == 0 {
		return time.Time{}
	}
	need := int(p.UpFraction*float64(len(addrs)) + 1 - 1e-9) // ceil
	need = min(max(need, 1), len(times))
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	return times[need-1]
}

// rampShare returns the share of its clients a member that came back at
// back has taken back at now: 0 right after, growing linearly to 1 after
// p.RampUp. Without a ramp (RampUp 0, or no return known) it is 1.
func rampShare(p *Pool, back, now time.Time) float64 {
	if p.RampUp <= 0 || back.IsZero() {
		return 1
	}
	elapsed := now.Sub(back)
	if elapsed >= p.RampUp {
		return 1
	}
	if elapsed <= 0 {
		return 0
	}
	return float64(elapsed) / float64(p.RampUp)
}

// ramping is what a ramp check found for one member and client.
type ramping struct {
	share    float64 // the member's share of its clients, in [0, 1)
	admitted bool    // the client is in that share
	scope    int     // the ECS scope the hash of the client's subnet needs
}

// rampFor checks whether the member ranked i-th (up, in state st) is
// ramping up, and whether it takes this client yet: each client subnet has
// a stable place in [0, 1) and is admitted once the share passes it. ok is
// false when the member is not ramping.
func (ev *evaluation) rampFor(i int) (r ramping, ok bool) {
	p := ev.p
	if p.RampUp <= 0 {
		return r, false
	}
	mem := &p.Members[ev.member(i)]
	share := rampShare(p, backSince(p, mem, ev.q), ev.q.Now)
	if share >= 1 {
		return r, false
	}
	subnet, scope := ev.q.Subnet(p.stickyPrefixes())
	place := unit(saltString(subnetHash(subnet)^rampSalt, mem.Datacenter.Name))
	return ramping{share: share, admitted: place < share, scope: scope}, true
}

// RampShare returns the share of its clients that member i of p has taken
// back at q.Now for q.Family since it came back up (see Pool.RampUp): in
// [0, 1) while it ramps up, 1 when it does not (no RampUp, back for longer,
// or never away). The control API's status reads it.
func RampShare(p *Pool, i int, q Query) float64 {
	if p.RampUp <= 0 || i < 0 || i >= len(p.Members) {
		return 1
	}
	return rampShare(p, backSince(p, &p.Members[i], &q), q.Now)
}
