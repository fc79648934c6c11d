package dns

import (
	"cmp"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/internal/dnscode"
	"github.com/gslb/gslb/pick"
)

// Stats counts what a Server did since it was created. The query path
// counts in atomics indexed by small integers; Stats reads them, so that
// metrics are pulled at scrape time, never pushed per query.
type Stats struct {
	NoError     uint64 // replies with NOERROR (answers, NODATA, referrals)
	FormErr     uint64 // replies with FORMERR
	ServFail    uint64 // replies with SERVFAIL
	NXDomain    uint64 // replies with NXDOMAIN
	NotImp      uint64 // replies with NOTIMP
	Refused     uint64 // replies with REFUSED
	BadVers     uint64 // replies with BADVERS
	Truncated   uint64 // replies with TC set
	Dropped     uint64 // packets not answered: shorter than a header, or responses
	Panics      uint64 // queries whose handling panicked (answered SERVFAIL)
	TCPRejected uint64 // TCP connections closed at accept: no room (every connection busy) or stopping
	TapSent     uint64 // dnstap messages handed to the collector's connection
	TapDropped  uint64 // dnstap messages dropped: queue full, no collector, connection lost
	RRLSlipped  uint64 // responses RRL sent truncated (or BADCOOKIE) in place of the answer
	RRLDropped  uint64 // responses RRL dropped
	RRLDryRun   uint64 // responses RRL would have limited (dry run): sent whole

	SigMade     uint64 // DNSSEC signatures (RRSIG records) made
	SigHits     uint64 // RRsets of signed replies whose signatures came from the cache
	SigMisses   uint64 // RRsets of signed replies signed at query time (cache miss or refresh)
	SigFailures uint64 // queries answered SERVFAIL because a signature could not be made

	// Requests counts the answered queries by transport, address family
	// of the source and query type: every combination, zeros included.
	Requests []RequestCount
	// Responses counts the replies by rcode: the common rcodes always,
	// the others once counted.
	Responses []ResponseCount
	// Durations are the handling times of a random sample of the
	// queries (one in DurationSample), one histogram per transport.
	Durations []Histogram
	// Answers counts the geo-routed decisions by pool, datacenter and
	// reason; decisions without a reason (no member has addresses of the
	// family) are not counted.
	Answers []AnswerCount
	// TCPEvicted counts the idle TCP connections closed to make room for
	// a new one, by reason: "full" (MaxTCPConns reached) and "prefix"
	// (the new client's prefix had MaxTCPConnsPerPrefix).
	TCPEvicted []EvictedCount
	// TCPConns is the number of TCP connections open now.
	TCPConns int
}

// EvictedCount is the number of TCP connections evicted for one reason.
type EvictedCount struct {
	Reason string
	Count  uint64
}

// RequestCount is the number of queries answered over one transport
// ("udp", "tcp") from one address family (4, 6) for one query type: its
// mnemonic ("A", "MX") for the common types (countedTypes), "other" for
// the rest.
type RequestCount struct {
	Proto  string
	Family int
	Type   string
	Count  uint64
}

// ResponseCount is the number of replies with one rcode ("NOERROR",
// "NXDOMAIN", …).
type ResponseCount struct {
	Rcode string
	Count uint64
}

// Histogram is the distribution of the handling times of the timed
// queries of one transport: from the packet handed to the handler to the
// reply packed (socket reads and writes excluded).
type Histogram struct {
	Proto string
	Count uint64  // queries timed
	Sum   float64 // seconds
	// Bounds are the buckets' upper bounds in seconds; Buckets[i] is the
	// number of timed queries that took at most Bounds[i] (cumulative).
	Bounds  []float64
	Buckets []uint64
}

// AnswerCount is the number of geo-routed decisions of one pool answered
// by one datacenter for one reason (pick.Reason's String). Datacenter is ""
// when no member answers (all-down NODATA, SERVFAIL or the pool's CNAME).
type AnswerCount struct {
	Pool       string
	Datacenter string
	Reason     string
	Count      uint64
}

// DurationSample is how many queries are answered per query timed, on
// average (each query is timed with probability 1/DurationSample): reading
// the clock twice costs more than the rest of the counting (about 150 ns
// on a virtual machine, a quarter of a cached answer), so durations are
// sampled while every other count is exact. A power of two.
const DurationSample = 32

// Transports, address families and the query types counted by name: the
// indexes of the request counters.
const (
	protoUDP = iota
	protoTCP
	numProtos
)

var protoNames = [numProtos]string{"udp", "tcp"}

// countedTypes are the query types that gslb_dns_requests_total counts
// under their own name; every other type counts as "other", so that the
// label's values are bounded.
var countedTypes = [...]uint16{
	mdns.TypeA, mdns.TypeAAAA, mdns.TypeANY, mdns.TypeCAA, mdns.TypeCNAME,
	mdns.TypeDNSKEY, mdns.TypeDS, mdns.TypeHTTPS, mdns.TypeMX, mdns.TypeNAPTR,
	mdns.TypeNS, mdns.TypePTR, mdns.TypeSOA, mdns.TypeSRV, mdns.TypeSVCB,
	mdns.TypeTXT, mdns.TypeAXFR, mdns.TypeIXFR,
}

const numTypes = len(countedTypes) + 1 // the last: other

// typeIndex returns the index of qtype in countedTypes, or that of other.
func typeIndex(qtype uint16) int {
	switch qtype {
	case mdns.TypeA:
		return 0
	case mdns.TypeAAAA:
		return 1
	}
	for i, t := range countedTypes {
		if t == qtype {
			return i
		}
	}
	return numTypes - 1
}

func typeName(i int) string {
	if i < len(countedTypes) {
		return mdns.TypeToString[countedTypes[i]]
	}
	return "other"
}

// durationBounds are the histogram's bucket bounds in nanoseconds.
var durationBounds = [...]int64{10e3, 25e3, 50e3, 100e3, 250e3, 500e3, 1e6, 2.5e6, 5e6, 10e6, 25e6, 50e6, 100e6}

// histogram counts durations into durationBounds' buckets.
type histogram struct {
	buckets [len(durationBounds) + 1]atomic.Uint64 // not cumulative; the last is +Inf
	sum     atomic.Uint64                          // nanoseconds
}

func (h *histogram) observe(d time.Duration) {
	i := 0
	for i < len(durationBounds) && int64(d) > durationBounds[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.sum.Add(uint64(max(d, 0)))
}

func (h *histogram) snapshot(proto string) Histogram {
	out := Histogram{Proto: proto, Bounds: make([]float64, len(durationBounds)), Buckets: make([]uint64, len(durationBounds))}
	var n uint64
	for i := range h.buckets {
		n += h.buckets[i].Load()
		if i < len(durationBounds) {
			out.Bounds[i] = float64(durationBounds[i]) / 1e9
			out.Buckets[i] = n
		}
	}
	out.Count = n
	out.Sum = float64(h.sum.Load()) / 1e9
	return out
}

// numRcodes bounds the rcodes counted: BADCOOKIE (23) is the largest gslb
// answers.
const numRcodes = mdns.RcodeBadCookie + 1

// counters are the live counts behind Stats.
type counters struct {
	// replies counts every reply once, by proto, family (0: IPv4, 1:
	// IPv6), query type and rcode: one atomic add per query gives both
	// the requests and the responses, summed when read.
	replies     [numProtos][2][numTypes][numRcodes]atomic.Uint64
	durations   [numProtos]histogram
	answers     answerCounts
	truncated   atomic.Uint64
	dropped     atomic.Uint64
	panics      atomic.Uint64
	tcpRejected atomic.Uint64
	tcpEvicted  [numEvictReasons]atomic.Uint64
	tapSent     atomic.Uint64
	tapDropped  atomic.Uint64
	rrlSlipped  atomic.Uint64
	rrlDropped  atomic.Uint64
	rrlDryRun   atomic.Uint64
	sigMade     atomic.Uint64 // RRSIGs made (dnssec_sign.go)
	sigHits     atomic.Uint64 // RRsets whose signatures came from the cache
	sigMisses   atomic.Uint64 // RRsets signed at query time (or waiting for another query signing them)
	sigFailures atomic.Uint64 // queries answered SERVFAIL: a signature could not be made
}

// reply counts a reply with rcode to a query of type qtype from src, and
// its duration since start unless start is zero (not timed).
func (c *counters) reply(qtype uint16, rcode int, src netip.Addr, tcp bool, start time.Time) {
	p, f := protoUDP, 0
	if tcp {
		p = protoTCP
	}
	if src.Is6() && !src.Is4In6() {
		f = 1
	}
	if rcode >= 0 && rcode < numRcodes {
		c.replies[p][f][typeIndex(qtype)][rcode].Add(1)
	}
	if !start.IsZero() {
		c.durations[p].observe(time.Since(start))
	}
}

// alwaysRcodes are the rcodes reported even when never answered.
const alwaysRcodes = mdns.RcodeRefused

func rcodeName(rc int) string {
	switch rc {
	case mdns.RcodeBadVers:
		return "BADVERS"
	case mdns.RcodeBadCookie:
		return "BADCOOKIE"
	}
	return dnscode.RcodeString(rc)
}

func (c *counters) snapshot() Stats {
	st := Stats{
		Truncated:   c.truncated.Load(),
		Dropped:     c.dropped.Load(),
		Panics:      c.panics.Load(),
		TCPRejected: c.tcpRejected.Load(),
		TapSent:     c.tapSent.Load(),
		TapDropped:  c.tapDropped.Load(),
		RRLSlipped:  c.rrlSlipped.Load(),
		RRLDropped:  c.rrlDropped.Load(),
		RRLDryRun:   c.rrlDryRun.Load(),
		SigMade:     c.sigMade.Load(),
		SigHits:     c.sigHits.Load(),
		SigMisses:   c.sigMisses.Load(),
		SigFailures: c.sigFailures.Load(),
		Answers:     c.answers.snapshot(),
		Requests:    make([]RequestCount, 0, numProtos*2*numTypes),
	}
	var rcodes [numRcodes]uint64
	for p := range c.replies {
		for f := range c.replies[p] {
			for t := range c.replies[p][f] {
				var n uint64
				for rc := range c.replies[p][f][t] {
					v := c.replies[p][f][t][rc].Load()
					n += v
					rcodes[rc] += v
				}
				st.Requests = append(st.Requests, RequestCount{Proto: protoNames[p], Family: 4 + 2*f, Type: typeName(t), Count: n})
			}
		}
	}
	for rc, n := range rcodes {
		if n > 0 || rc <= alwaysRcodes {
			st.Responses = append(st.Responses, ResponseCount{Rcode: rcodeName(rc), Count: n})
		}
	}
	st.NoError, st.FormErr, st.ServFail = rcodes[mdns.RcodeSuccess], rcodes[mdns.RcodeFormatError], rcodes[mdns.RcodeServerFailure]
	st.NXDomain, st.NotImp, st.Refused = rcodes[mdns.RcodeNameError], rcodes[mdns.RcodeNotImplemented], rcodes[mdns.RcodeRefused]
	st.BadVers = rcodes[mdns.RcodeBadVers]
	for i := range c.tcpEvicted {
		st.TCPEvicted = append(st.TCPEvicted, EvictedCount{Reason: evictReasonNames[i], Count: c.tcpEvicted[i].Load()})
	}
	for p := range c.durations {
		st.Durations = append(st.Durations, c.durations[p].snapshot(protoNames[p]))
	}
	return st
}

// numReasons bounds the reasons counted: pick.Reason values up to ramp.
const numReasons = int(pick.ReasonRamp) + 1

// answerCounts counts decisions per pool, member and reason without
// allocating on the query path: each pool (by pointer) gets a table of
// counter pointers on first use, and each counter, shared by every
// version of the pool with the same names, is created on its first
// count. A reload makes new pools; retire forgets the old ones, whose
// counts live on in the shared counters. A direct-mapped cache of the
// tables by pool address spares the common case the map's lookup.
type answerCounts struct {
	cache [64]atomic.Pointer[poolAnswers]
	pools sync.Map // *pick.Pool → *poolAnswers

	mu     sync.Mutex
	byName map[answerKey]*atomic.Uint64
}

type answerKey struct {
	pool, datacenter string
	reason           pick.Reason
}

// poolAnswers are one pool's counters: (member+1)*numReasons + reason,
// member -1 being "no member".
type poolAnswers struct {
	pool   *pick.Pool
	counts []atomic.Pointer[atomic.Uint64]
}

// slot returns p's entry of the cache. Pools do not move in memory: the
// address is a hash.
func (a *answerCounts) slot(p *pick.Pool) *atomic.Pointer[poolAnswers] {
	h := uintptr(unsafe.Pointer(p))
	return &a.cache[(h>>4^h>>10)%uintptr(len(a.cache))]
}

// table returns p's counter table, creating it.
func (a *answerCounts) table(p *pick.Pool) *poolAnswers {
	slot := a.slot(p)
	if pa := slot.Load(); pa != nil && pa.pool == p {
		return pa
	}
	v, ok := a.pools.Load(p)
	if !ok {
		v, _ = a.pools.LoadOrStore(p, &poolAnswers{pool: p, counts: make([]atomic.Pointer[atomic.Uint64], (len(p.Members)+1)*numReasons)})
	}
	pa := v.(*poolAnswers)
	slot.Store(pa)
	return pa
}

// count counts d unless it has no pool or no reason.
func (a *answerCounts) count(d *pick.Decision) {
	if d.Pool == nil || d.Reason == pick.ReasonNone || int(d.Reason) >= numReasons {
		return
	}
	pa := a.table(d.Pool)
	i := (d.Member+1)*numReasons + int(d.Reason)
	if i < 0 || i >= len(pa.counts) {
		return
	}
	c := pa.counts[i].Load()
	if c == nil {
		c = a.counter(answerKey{d.Pool.Name, d.Datacenter(), d.Reason})
		pa.counts[i].Store(c)
	}
	c.Add(1)
}

// counter returns the shared counter of k, creating it.
func (a *answerCounts) counter(k answerKey) *atomic.Uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byName == nil {
		a.byName = map[answerKey]*atomic.Uint64{}
	}
	c := a.byName[k]
	if c == nil {
		c = new(atomic.Uint64)
		a.byName[k] = c
	}
	return c
}

// retire forgets the pools that live does not report, so that the
// counters do not keep old zone sets alive. A query still answering from
// a retired pool adds it again.
func (a *answerCounts) retire(live func(*pick.Pool) bool) {
	for i := range a.cache {
		if pa := a.cache[i].Load(); pa != nil && !live(pa.pool) {
			a.cache[i].CompareAndSwap(pa, nil)
		}
	}
	a.pools.Range(func(k, _ any) bool {
		if !live(k.(*pick.Pool)) {
			a.pools.Delete(k)
		}
		return true
	})
}

// snapshot returns every counter, sorted by pool, datacenter and reason.
func (a *answerCounts) snapshot() []AnswerCount {
	a.mu.Lock()
	out := make([]AnswerCount, 0, len(a.byName))
	for k, c := range a.byName {
		out = append(out, AnswerCount{Pool: k.pool, Datacenter: k.datacenter, Reason: k.reason.String(), Count: c.Load()})
	}
	a.mu.Unlock()
	slices.SortFunc(out, func(x, y AnswerCount) int {
		return cmp.Or(cmp.Compare(x.Pool, y.Pool), cmp.Compare(x.Datacenter, y.Datacenter), cmp.Compare(x.Reason, y.Reason))
	})
	return out
}
