package dns

import (
	"net/netip"

	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/route"
	"github.com/gslb/gslb/zones"
)

// GeoRouter is the Router of the server: it answers geo-routed names with a
// route.Router (GeoIP location, ranking tables, health) and translates its
// decisions into GSLB answers.
type GeoRouter struct{ R *route.Router }

var _ Router = GeoRouter{}

// Route answers A from the IPv4 addresses and AAAA from the IPv6 ones; ANY
// gets both. Any other type gets the CNAME when the client's datacenter is a
// CNAME member (a CNAME owns its name for every type), else NODATA.
func (d GeoRouter) Route(q *GSLBQuery, a *GSLBAnswer) {
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
		if a.Outcome == GSLBAddresses {
			v4 := *a
			v4.Addrs = append([]netip.Addr(nil), a.Addrs...) // a.Addrs is reused below
			d.one(q, pick.IPv6, client, bits, a)
			if a.Outcome == GSLBAddresses {
				a.Addrs = append(v4.Addrs, a.Addrs...)
				a.TTL, a.Scope = min(a.TTL, v4.TTL), max(a.Scope, v4.Scope)
			} else {
				*a = v4
			}
		}
	default:
		d.one(q, pick.IPv4, client, bits, a)
		if a.Outcome != GSLBCNAME && a.Outcome != GSLBServFail {
			a.Outcome, a.Addrs = GSLBNoData, a.Addrs[:0]
		}
	}
}

func (d GeoRouter) one(q *GSLBQuery, fam pick.Family, client netip.Addr, bits int, a *GSLBAnswer) {
	ans := d.R.Route(q.Name, fam, client, bits, a.Addrs[:0])
	a.TTL, a.Scope = ans.TTL, uint8(ans.Scope)
	switch ans.Outcome {
	case pick.Addresses:
		a.Outcome, a.Addrs = GSLBAddresses, ans.Addrs
	case pick.CNAME:
		a.Outcome, a.CNAME = GSLBCNAME, ans.CNAME
	case pick.NoData:
		a.Outcome = GSLBNoData
	default:
		a.Outcome = GSLBServFail
	}
}
