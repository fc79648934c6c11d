package route_test

import (
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/route"
)

// swappableHealth is a health source whose snapshot the test replaces, as
// the monitor does when a status changes.
type swappableHealth struct {
	s atomic.Pointer[health.Snapshot]
}

func (h *swappableHealth) Snapshot() *health.Snapshot { return h.s.Load() }

// TestPlansAgreeWithResolve: the decisions Route answers from plans (made
// once per ranking and snapshot) are those of a full evaluation (Explain
// never plans), for clients all over the sample database, both families,
// every rotation, and health snapshots that change between queries:
// statuses down and up again, an override in force (not planned), and
// back.
func TestPlansAgreeWithResolve(t *testing.T) {
	set, db := example(t)
	var rnd atomic.Uint32
	hs := &swappableHealth{}
	r := route.New(route.Options{Geo: db, Health: hs, Now: func() time.Time { return time.Unix(1e9, 0) },
		Rand: func() uint32 { return rnd.Load() }})
	r.Update(set)
	r.Rebuild()

	down := func(addrs ...string) *health.Snapshot {
		st := map[health.Target]health.Status{}
		for _, a := range addrs {
			st[health.Target{Check: "web", Addr: netip.MustParseAddr(a)}] = health.Down
			st[health.Target{Check: "self", Addr: netip.MustParseAddr(a)}] = health.Down
		}
		return health.NewSnapshot(st, nil)
	}
	drained := health.NewSnapshot(nil, []health.Override{{Datacenter: "ams", Action: health.Drain, Created: time.Unix(1e9-60, 0)}})
	snapshots := []*health.Snapshot{nil, down("192.0.2.10"), down("192.0.2.10", "192.0.2.11"), drained,
		down("127.0.0.3", "127.0.0.1"), nil}

	var clients []netip.Addr
	for _, base := range []string{"192.0.2.0", "198.51.100.0", "203.0.113.0", "10.0.0.0"} {
		b := netip.MustParseAddr(base).As4()
		for i := 0; i < 256; i += 17 {
			b[3] = byte(i)
			clients = append(clients, netip.AddrFrom4(b))
		}
	}
	for _, s := range []string{"2001:db8:7::1", "2001:db8:9::1", "::ffff:203.0.113.1", "2002:cb00:7101::1", "fd00::1"} {
		clients = append(clients, netip.MustParseAddr(s))
	}

	checked := 0
	for _, snap := range snapshots {
		hs.s.Store(snap)
		for _, n := range set.Zone("example.com.").Names() {
			for _, client := range clients {
				for _, fam := range []pick.Family{pick.IPv4, pick.IPv6} {
					for _, v := range []uint32{0, 1, 2, 5} {
						rnd.Store(v)
						d := pick.Decision{Addrs: make([]netip.Addr, 0, 1)}
						r.Route(n, fam, client, 24, &d)
						want := r.Explain(n, fam, client, 24).Decision
						if d.Outcome != want.Outcome || d.Member != want.Member || d.Reason != want.Reason ||
							!slices.Equal(d.Addrs, want.Addrs) || d.CNAME != want.CNAME || d.TTL != want.TTL || d.Scope != want.Scope {
							t.Fatalf("%s for %s (%v, rand %d, snapshot %d): Route = %+v, full evaluation %+v",
								n.Name, client, fam, v, slices.Index(snapshots, snap), d, want)
						}
						checked++
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}

// TestPlannedRouteDoesNotAllocate: once the plan of a client's ranking is
// made, routing allocates nothing.
func TestPlannedRouteDoesNotAllocate(t *testing.T) {
	r, www := wwwRouter(t)
	client := netip.MustParseAddr("203.0.113.7")
	d := pick.Decision{Addrs: make([]netip.Addr, 0, 8)}
	r.Route(www, pick.IPv4, client, 24, &d)
	if n := testing.AllocsPerRun(100, func() { r.Route(www, pick.IPv4, client, 24, &d) }); n != 0 {
		t.Errorf("Route allocates %v times", n)
	}
}
