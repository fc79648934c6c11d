package route_test

import (
	"encoding/binary"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/gslb/gslb/geo/mmdb"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/route"
	"github.com/gslb/gslb/zones"
)

// TestScopesAgainstBruteForce routes every address of 10.0.0.0/14 in the
// misaligned sample databases (City and ASN networks that do not line up)
// through pools with a map of ASN, CIDR and continent entries, by table,
// and checks each answer against a brute-force evaluation (a database
// lookup, RankClient and Resolve for that one address) and each ECS scope
// against the brute-force answers of every address it covers.
func TestScopesAgainstBruteForce(t *testing.T) {
	dir := filepath.Join("..", "testdata", "geoip")
	db, err := mmdb.Open(filepath.Join(dir, "GeoIP2-City-Misaligned-Test.mmdb"), filepath.Join(dir, "GeoLite2-ASN-Misaligned-Test.mmdb"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := pick.NewMap("m", []pick.MapEntry{
		{Kind: pick.MatchASN, Key: "64500", Datacenters: []string{"sin"}},               // 10.1.0.0/16, over four City networks
		{Kind: pick.MatchASN, Key: "64498", Datacenters: []string{"iad"}, Rest: true},   // inside Frankfurt's /16
		{Kind: pick.MatchASN, Key: "64503", Datacenters: []string{"ams"}},               // 10.4.0.0/14, wider than the City networks
		{Kind: pick.MatchCIDR, Key: "10.0.128.0/20", Datacenters: []string{"sjc"}},      // inside Frankfurt's /16
		{Kind: pick.MatchCIDR, Key: "10.1.1.128/25", Datacenters: []string{"fra", "*"}}, // inside an ASN entry
		{Kind: pick.MatchContinent, Key: "EU", Datacenters: []string{"ams", "fra"}},
		{Kind: pick.MatchDefault, Datacenters: []string{"iad"}, Rest: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	dcs := []pick.Datacenter{
		{Name: "ams", Lat: 52.37, Lon: 4.90}, {Name: "fra", Lat: 50.11, Lon: 8.68}, {Name: "iad", Lat: 38.95, Lon: -77.45},
		{Name: "sjc", Lat: 37.34, Lon: -121.89}, {Name: "sin", Lat: 1.35, Lon: 103.82},
	}
	for _, policy := range []pick.Policy{pick.Nearest, pick.Sticky} {
		t.Run(policy.String(), func(t *testing.T) {
			p := &pick.Pool{Name: "p", Policy: policy, Map: m, UpFraction: 0.5}
			for i, dc := range dcs {
				p.Members = append(p.Members, pick.Member{Datacenter: dc, Weight: 1, Bias: []int{0, 30, 0, -20, 0}[i],
					V4: []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})}})
			}
			name := &zones.Name{Name: "www.example.", TTL: 30, DegradedTTL: 15, Pool: p}
			now := time.Unix(1_800_000_000, 0)
			r := route.New(route.Options{Geo: db, Now: func() time.Time { return now }, Rand: func() uint32 { return 0 }})
			r.BuildFor(p)

			const size = 1 << 18 // 10.0.0.0/14
			base := uint32(10 << 24)
			addr := func(off int) netip.Addr {
				var b [4]byte
				binary.BigEndian.PutUint32(b[:], base+uint32(off))
				return netip.AddrFrom4(b)
			}
			ref := make([]int, size) // brute force: the member each address gets
			for off := range ref {
				a := addr(off)
				d := pick.Resolve(p, pick.RankClient(a, db.Locate(a), p), pick.Query{Client: a, Now: now}, nil, nil)
				ref[off] = d.Member
			}
			runEnd := make([]int, size)
			runEnd[size-1] = size - 1
			for i := size - 2; i >= 0; i-- {
				runEnd[i] = i
				if ref[i] == ref[i+1] {
					runEnd[i] = runEnd[i+1]
				}
			}
			var d pick.Decision
			for off := 0; off < size; off++ {
				a := addr(off)
				r.Route(name, pick.IPv4, a, 32, &d)
				if d.Member != ref[off] {
					t.Fatalf("%s: Route = %s, brute force %s", a, d.Datacenter(), p.Members[ref[off]].Datacenter.Name)
				}
				if d.Scope < 14 {
					t.Fatalf("%s: scope /%d reaches outside the range checked", a, d.Scope)
				}
				n := 1 << (32 - d.Scope)
				start := off &^ (n - 1)
				if runEnd[start] < start+n-1 {
					t.Fatalf("%s: scope /%d covers %s, which gets %s, not %s", a, d.Scope, addr(runEnd[start]+1),
						p.Members[ref[runEnd[start]+1]].Datacenter.Name, d.Datacenter())
				}
				// Skip to the end of the scope: the rest of it was just checked
				// to get the same answer, and Route gives it the same scope.
				if n > 1 {
					off = start + n - 1
				}
			}
		})
	}
}
