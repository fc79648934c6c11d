package main

import (
	"net/netip"

	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/zones"
	"github.com/gslb/gslb/zones/pick"
	"github.com/gslb/gslb/zones/route"
)

// dnsRouter lets the DNS handler ask the route package for GSLB answers.
type dnsRouter struct{ r *route.Router }

var _ dns.Router = dnsRouter{}

// Route answers A from the IPv4 addresses and AAAA from the IPv6 ones; ANY
// gets both. Any other type gets the CNAME when the client's datacenter is a
// CNAME member (a CNAME owns its name for every type), else NODATA.
func (d dnsRouter) Route(q *dns.GSLBQuery, a *dns.GSLBAnswer) {
	client, bits := q.Client.Addr(), 0
	if q.ECS {
		bits = q.Client.Bits()
	}
	switch q.Qtype {
	case zones.TypeA:
		d.one(q, pick.IPv4, client, bits, a)
	case zones.TypeAAAA:
		d.one(q, pick.IPv6, client, bits, a)
	case zones.TypeANY:
		d.one(q, pick.IPv4, client, bits, a)
		if a.Outcome == dns.GSLBAddresses {
			v4 := *a
			v4.Addrs = append([]netip.Addr(nil), a.Addrs...) // a.Addrs is reused below
			d.one(q, pick.IPv6, client, bits, a)
			if a.Outcome == dns.GSLBAddresses {
				a.Addrs = append(v4.Addrs, a.Addrs...)
				a.TTL, a.Scope = min(a.TTL, v4.TTL), max(a.Scope, v4.Scope)
			} else {
				*a = v4
			}
		}
	default:
		d.one(q, pick.IPv4, client, bits, a)
		if a.Outcome != dns.GSLBCNAME && a.Outcome != dns.GSLBServFail {
			a.Outcome, a.Addrs = dns.GSLBNoData, a.Addrs[:0]
		}
	}
}

func (d dnsRouter) one(q *dns.GSLBQuery, fam pick.Family, client netip.Addr, bits int, a *dns.GSLBAnswer) {
	ans := d.r.Route(q.Name, fam, client, bits, a.Addrs[:0])
	a.TTL, a.Scope = ans.TTL, uint8(ans.Scope)
	switch ans.Outcome {
	case pick.Addresses:
		a.Outcome, a.Addrs = dns.GSLBAddresses, ans.Addrs
	case pick.CNAME:
		a.Outcome, a.CNAME = dns.GSLBCNAME, ans.CNAME
	case pick.NoData:
		a.Outcome = dns.GSLBNoData
	default:
		a.Outcome = dns.GSLBServFail
	}
}
