package pick

import "net/netip"

// selectMode is which addresses of the chosen member step 3 may answer.
type selectMode uint8

const (
	selectUp         selectMode = iota // up addresses (the normal case)
	selectNotDrained                   // every address not drained (fail-open)
	selectAll                          // every address (fail-open, all drained)
)

// selectAnswer is step 3: it fills d with the answer of member m (in state
// st): its CNAME, or the addresses mode selects, ordered by the pool's
// address policy, at most limit of them (0: all).
func selectAnswer(d *Decision, p *Pool, m int, st *memberState, q *Query, mode selectMode, limit int) {
	mem := &p.Members[m]
	if st.cname {
		d.Outcome, d.CNAME = CNAME, mem.CNAME
		return
	}
	d.Outcome = Addresses
	count := st.nUp
	switch mode {
	case selectNotDrained:
		count = st.nAddrs - st.nDrained
	case selectAll:
		count = st.nAddrs
	}
	switch p.AddressPolicy {
	case WeightedAddresses:
		d.Addrs = appendOrdered(d.Addrs, p, mem, q, st, mode, count, 0, limit)
	case StickyAddresses:
		subnet, scope := q.Subnet(p.stickyPrefixes())
		d.MinScope = max(d.MinScope, scope)
		d.Addrs = appendOrdered(d.Addrs, p, mem, q, st, mode, count, subnetHash(subnet), limit)
	default:
		d.Addrs = appendRotated(d.Addrs, p, mem, q, st, mode, count, limit)
	}
}

// maxOrdered is the most addresses of one family the weighted and sticky
// address policies order; the zones package refuses more.
const maxOrdered = 64

// appendOrdered appends to dst up to limit (0: all) of the count addresses of
// mem that mode selects, in the order of the weighted or sticky address
// policy: a weighted random draw without replacement, or, when client is
// not 0, the highest weighted rendezvous scores of the client's subnet
// hash first. Address weights of 0 count as 1.
func appendOrdered(dst []netip.Addr, p *Pool, mem *Member, q *Query, st *memberState, mode selectMode, count int, client uint64, limit int) []netip.Addr {
	want := answerCount(count, limit)
	addrs, ws := mem.Addrs(q.Family), mem.Weights(q.Family)
	weight := func(i int) uint32 {
		if i < len(ws) && ws[i] > 0 {
			return ws[i]
		}
		return 1
	}
	n := min(len(addrs), maxOrdered)
	var taken uint64
	for k := range want {
		best := -1
		if client != 0 {
			var bestScore float64
			for i := range n {
				if taken&(1<<i) != 0 || !selected(p, mem, i, addrs[i], q, st, mode) {
					continue
				}
				if score := rendezvousScore(saltAddr(client, addrs[i]), weight(i)); best < 0 || score > bestScore {
					best, bestScore = i, score
				}
			}
		} else {
			var total uint64
			for i := range n {
				if taken&(1<<i) == 0 && selected(p, mem, i, addrs[i], q, st, mode) {
					total += uint64(weight(i))
				}
			}
			x := uint64(unit(nextRand(q.Rand, k)) * float64(total))
			for i := range n {
				if taken&(1<<i) != 0 || !selected(p, mem, i, addrs[i], q, st, mode) {
					continue
				}
				best = i
				if w := uint64(weight(i)); x < w {
					break
				} else {
					x -= w
				}
			}
		}
		if best < 0 {
			break
		}
		taken |= 1 << best
		dst = append(dst, addrs[best])
	}
	return dst
}

// appendRotated appends to dst up to limit (0: all) of the count addresses of
// mem that mode selects, starting at the (q.Rand mod count)-th and wrapping,
// so that successive queries rotate through them.
func appendRotated(dst []netip.Addr, p *Pool, mem *Member, q *Query, st *memberState, mode selectMode, count, limit int) []netip.Addr {
	if count <= 0 {
		return dst
	}
	want := answerCount(count, limit)
	off := int(q.Rand % uint32(count))
	addrs := mem.Addrs(q.Family)
	start := len(dst)
	// Two passes over the selected addresses: those from off onwards, then
	// those before off.
	k := 0
	for i, a := range addrs {
		if len(dst)-start == want {
			return dst
		}
		if !selected(p, mem, i, a, q, st, mode) {
			continue
		}
		if k >= off {
			dst = append(dst, a)
		}
		k++
	}
	k = 0
	for i, a := range addrs {
		if len(dst)-start == want || k >= off {
			break
		}
		if !selected(p, mem, i, a, q, st, mode) {
			continue
		}
		dst = append(dst, a)
		k++
	}
	return dst
}

// answerCount is how many of count addresses an answer holds when at most
// limit may (0: no limit).
func answerCount(count, limit int) int {
	if limit > 0 && limit < count {
		return limit
	}
	return count
}

// selected reports whether mode selects address a, the i-th of mem's
// addresses of the family. It uses what step 1 remembered in st for the
// first 64 addresses and judges the others again.
func selected(p *Pool, mem *Member, i int, a netip.Addr, q *Query, st *memberState, mode selectMode) bool {
	if mode == selectAll {
		return true
	}
	var up, drained bool
	if i < 64 {
		up, drained = st.upMask&(1<<i) != 0, st.drainMask&(1<<i) != 0
	} else {
		up, drained, _, _ = addrState(p, mem.Datacenter.Name, a, q)
	}
	if mode == selectNotDrained {
		return !drained
	}
	return up
}
