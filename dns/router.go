package dns

import (
	"net/netip"

	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// Router decides what a geo-routed name (a zones.GSLB lookup outcome)
// answers for one client: it locates the client, ranks the pool's
// datacenters and picks addresses by health. *route.Router is the
// server's. The handler calls Route once per address family the query
// needs, from many goroutines at once; Route must not block on I/O and must
// not keep d after it returns.
type Router interface {
	// Route writes the whole decision for name, family fam and the client
	// to d, TTL and ECS scope included. d.Addrs is empty with capacity to
	// append to without allocating in the common case. client is the ECS
	// address when the query carried an ECS option with a source prefix
	// longer than 0, else the packet's source address; sourceBits is that
	// source prefix length, 0 without ECS.
	Route(name *zones.Name, fam pick.Family, client netip.Addr, sourceBits int, d *pick.Decision)
}

// decisions is what the Router decided for one query: one decision for A
// and AAAA (and for other types, which answer a CNAME member's CNAME or
// nothing), two for ANY (IPv4 then IPv6).
type decisions struct {
	d   [2]pick.Decision
	n   int          // decisions made
	any []netip.Addr // the addresses of both families, for ANY
}

// reset empties ds for reuse, keeping the capacity of the address buffers
// and dropping the references to pools (a pooled scratch must not keep an
// old zone set alive). Route overwrites a decision whole.
func (ds *decisions) reset() {
	for i := range ds.n { // Route overwrites the rest; only drop what was used
		ds.d[i].Pool = nil
	}
	ds.n, ds.any = 0, ds.any[:0]
}

// outcome is the answer of a geo-routed name for the query type.
type outcome struct {
	kind  pick.Outcome // Addresses, CNAME, NoData or ServFail
	addrs []netip.Addr // for Addresses: A and AAAA records, each only where the query type asks
	cname string       // for CNAME
	ttl   uint32
	scope int
}

// route asks the router for name's answer to a query of type qtype: A
// from the IPv4 decision and AAAA from the IPv6 one; ANY gets both (the
// shorter TTL, the longer scope); any other type gets the CNAME when the
// client's datacenter is a CNAME member (a CNAME owns its name for every
// type), else no data.
func (ds *decisions) route(rt Router, name *zones.Name, qtype uint16, client netip.Addr, bits int) outcome {
	fam := pick.IPv4
	if qtype == zones.TypeAAAA {
		fam = pick.IPv6
	}
	d := ds.decide(rt, name, fam, client, bits)
	o := outcome{kind: d.Outcome, addrs: d.Addrs, cname: d.CNAME, ttl: d.TTL, scope: d.Scope}
	switch qtype {
	case zones.TypeA, zones.TypeAAAA:
	case zones.TypeANY:
		if o.kind != pick.Addresses {
			break
		}
		d6 := ds.decide(rt, name, pick.IPv6, client, bits)
		if d6.Outcome != pick.Addresses {
			break
		}
		ds.any = append(append(ds.any[:0], d.Addrs...), d6.Addrs...)
		o.addrs = ds.any
		o.ttl, o.scope = min(o.ttl, d6.TTL), max(o.scope, d6.Scope)
	default:
		if o.kind != pick.CNAME && o.kind != pick.ServFail {
			o.kind, o.addrs = pick.NoData, nil
		}
	}
	return o
}

// decide makes the next decision.
func (ds *decisions) decide(rt Router, name *zones.Name, fam pick.Family, client netip.Addr, bits int) *pick.Decision {
	d := &ds.d[ds.n]
	ds.n++
	if d.Addrs == nil {
		d.Addrs = make([]netip.Addr, 0, 16)
	}
	rt.Route(name, fam, client, bits, d)
	return d
}
