package dns

import (
	"sync/atomic"

	mdns "github.com/miekg/dns"
)

// Stats counts what a Server did since it was created.
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
	TCPRejected uint64 // TCP connections closed at accept: over MaxTCPConns
	TapSent     uint64 // dnstap messages handed to the collector's connection
	TapDropped  uint64 // dnstap messages dropped: queue full, no collector, connection lost
}

// counters are the live counts behind Stats.
type counters struct {
	rcodes      [mdns.RcodeBadVers + 1]atomic.Uint64
	truncated   atomic.Uint64
	dropped     atomic.Uint64
	panics      atomic.Uint64
	tcpRejected atomic.Uint64
	tapSent     atomic.Uint64
	tapDropped  atomic.Uint64
}

func (c *counters) count(rcode int) {
	if rcode >= 0 && rcode < len(c.rcodes) {
		c.rcodes[rcode].Add(1)
	}
}

func (c *counters) snapshot() Stats {
	return Stats{
		NoError:     c.rcodes[mdns.RcodeSuccess].Load(),
		FormErr:     c.rcodes[mdns.RcodeFormatError].Load(),
		ServFail:    c.rcodes[mdns.RcodeServerFailure].Load(),
		NXDomain:    c.rcodes[mdns.RcodeNameError].Load(),
		NotImp:      c.rcodes[mdns.RcodeNotImplemented].Load(),
		Refused:     c.rcodes[mdns.RcodeRefused].Load(),
		BadVers:     c.rcodes[mdns.RcodeBadVers].Load(),
		Truncated:   c.truncated.Load(),
		Dropped:     c.dropped.Load(),
		Panics:      c.panics.Load(),
		TCPRejected: c.tcpRejected.Load(),
		TapSent:     c.tapSent.Load(),
		TapDropped:  c.tapDropped.Load(),
	}
}
