package route_test

import (
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/geo/mmdb"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/route"
	"github.com/gslb/gslb/zones"
)

type fixedHealth struct{ s *health.Snapshot }

func (f fixedHealth) Snapshot() *health.Snapshot { return f.s }

func example(t testing.TB) (*zones.Set, *mmdb.DB) {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "testdata", "example", "gslb.toml"))
	if err != nil {
		t.Fatal(err)
	}
	st := zones.NewStore(cfg, dns.ParseRecord, nil, nil)
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	db, err := mmdb.Open(cfg.GeoIP.City, cfg.GeoIP.ASN, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st.Current(), db
}

func gslbName(t testing.TB, set *zones.Set, name string) *zones.Name {
	t.Helper()
	for _, n := range set.Zone("example.com.").Names() {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("no GSLB name %s", name)
	return nil
}

func TestRoute(t *testing.T) {
	set, db := example(t)
	www := gslbName(t, set, "www.example.com.")
	tests := []struct {
		client string
		bits   int
		fam    pick.Family
		dc     string
		scope  int
	}{
		{"192.0.2.1", 24, pick.IPv4, "ams", -1},           // Amsterdam
		{"192.0.2.70", 26, pick.IPv4, "fra", -1},          // Frankfurt
		{"198.51.100.1", 24, pick.IPv4, "iad", -1},        // Ashburn
		{"198.51.100.130", 32, pick.IPv4, "sjc", -1},      // San Jose
		{"203.0.113.1", 24, pick.IPv4, "sin", -1},         // Singapore
		{"203.0.113.130", 24, pick.IPv4, "syd", -1},       // Sydney: a CNAME member
		{"2001:db8:7::1", 48, pick.IPv6, "sjc", -1},       // San Jose over IPv6
		{"2001:db8:9::1", 48, pick.IPv6, "iad", -1},       // São Paulo: gru has no IPv6, next is iad
		{"::ffff:203.0.113.1", 120, pick.IPv4, "sin", -1}, // IPv4-mapped
		{"10.1.2.3", 24, pick.IPv4, "ams", -1},            // private: unknown, configuration order
	}
	for _, mode := range []string{"direct", "table"} {
		r := route.New(route.Options{Geo: db, Now: func() time.Time { return time.Unix(0, 0) }, Rand: func() uint32 { return 0 }})
		r.Update(set)
		if mode == "table" {
			r.Rebuild()
		}
		for _, tt := range tests {
			var a pick.Decision
			r.Route(www, tt.fam, netip.MustParseAddr(tt.client), tt.bits, &a)
			got := a.Datacenter()
			if got == "" {
				got = "-"
			}
			if a.Pool != www.Pool || a.Reason != pick.ReasonFirst {
				t.Errorf("%s: Route(%s/%d) pool %v reason %v, want %s, first", mode, tt.client, tt.bits, a.Pool, a.Reason, www.Pool.Name)
			}
			if got != tt.dc {
				t.Errorf("%s: Route(%s/%d, %v) = %s (%v), want %s", mode, tt.client, tt.bits, tt.fam, got, a.Outcome, tt.dc)
			}
			if a.TTL != 30 {
				t.Errorf("%s: TTL = %d, want 30", mode, a.TTL)
			}
		}
	}
}

// TestScopeIsSafe checks, for every client of the documentation ranges, that
// every address inside the returned scope gets the same datacenter.
func TestScopeIsSafe(t *testing.T) {
	set, db := example(t)
	www := gslbName(t, set, "www.example.com.")
	r := route.New(route.Options{Geo: db, Rand: func() uint32 { return 0 }})
	r.Update(set)
	r.Rebuild()
	for _, base := range []string{"192.0.2.0", "198.51.100.0", "203.0.113.0"} {
		b := netip.MustParseAddr(base).As4()
		for i := 0; i < 256; i += 5 {
			b[3] = byte(i)
			client := netip.AddrFrom4(b)
			var a pick.Decision
			r.Route(www, pick.IPv4, client, 32, &a)
			scope := netip.PrefixFrom(client, a.Scope).Masked()
			if a.Scope < 8 {
				t.Fatalf("%s: scope %d suspiciously wide", client, a.Scope)
			}
			for _, probe := range []netip.Addr{scope.Addr(), lastAddr(scope)} {
				var p pick.Decision
				if r.Route(www, pick.IPv4, probe, 32, &p); p.Member != a.Member {
					t.Errorf("%s scope %s: %s gets member %d, want %d", client, scope, probe, p.Member, a.Member)
				}
			}
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func TestRouteFailover(t *testing.T) {
	set, db := example(t)
	api := gslbName(t, set, "api.example.com.")
	down := health.NewSnapshot(map[health.Target]health.Status{
		{Check: "self", Addr: netip.MustParseAddr("127.0.0.3")}: health.Down,
	}, nil)
	r := route.New(route.Options{Geo: db, Health: fixedHealth{down}, Rand: func() uint32 { return 0 }})
	r.Update(set)
	r.Rebuild()
	var a pick.Decision
	r.Route(api, pick.IPv4, netip.MustParseAddr("198.51.100.1"), 24, &a)
	if got := a.Datacenter(); got != "ams" || a.Reason != pick.ReasonFailover || a.TTL != 10 {
		t.Errorf("Ashburn client with iad down: %s reason=%v ttl=%d, want ams, failover, ttl 10", got, a.Reason, a.TTL)
	}
	e := r.Explain(api, pick.IPv4, netip.MustParseAddr("198.51.100.1"), 24)
	if !e.FromTable || e.Location.City != "Ashburn" || e.Trace.Members[0].Datacenter != "iad" || e.Trace.Members[0].Up {
		t.Errorf("Explain = %+v", e)
	}
}

// wwwRouter returns a router over the example with its tables built, and
// its name www.example.com.
func wwwRouter(t testing.TB) (*route.Router, *zones.Name) {
	t.Helper()
	set, db := example(t)
	r := route.New(route.Options{Geo: db})
	r.Update(set)
	r.Rebuild()
	return r, gslbName(t, set, "www.example.com.")
}

func BenchmarkRoute(b *testing.B) {
	r, www := wwwRouter(b)
	client := netip.MustParseAddr("203.0.113.7")
	d := pick.Decision{Addrs: make([]netip.Addr, 0, 8)}
	b.ReportAllocs()
	for b.Loop() {
		r.Route(www, pick.IPv4, client, 24, &d)
	}
}

// TestTablesInfo: the tables' description says when they are current: not
// before the first build, yes after it, not after a GeoIP reload until the
// next build.
func TestTablesInfo(t *testing.T) {
	set, db := example(t)
	r := route.New(route.Options{Geo: db})
	r.Update(set)
	if info := r.Tables(); info.Current || info.Tables != 0 || !info.Built.IsZero() {
		t.Errorf("before a build: Tables() = %+v, want nothing, not current", info)
	}
	r.Rebuild()
	info := r.Tables()
	if !info.Current || info.Tables < 1 || info.Pools < info.Tables || info.Bytes <= 0 || info.Built.IsZero() || info.Took <= 0 {
		t.Errorf("after a build: Tables() = %+v, want current tables with bytes, a time and a duration", info)
	}
	if err := db.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := r.Tables(); got.Current || got.Tables != info.Tables {
		t.Errorf("after a GeoIP reload: Tables() = %+v, want the same tables, not current", got)
	}
	r.Rebuild()
	if got := r.Tables(); !got.Current || got.Built.Before(info.Built) {
		t.Errorf("after the rebuild: Tables() = %+v, want current, built after %v", got, info.Built)
	}
}
