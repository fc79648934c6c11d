package route

import (
	"net/netip"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/geo/mmdb"
)

// TestNetworkList: a kept walk yields what the walk yielded, in order,
// with the location (Network aside) by index.
func TestNetworkList(t *testing.T) {
	dir := filepath.Join("..", "testdata", "geoip")
	db, err := mmdb.Open(filepath.Join(dir, "GeoIP2-City-Test.mmdb"), filepath.Join(dir, "GeoLite2-ASN-Test.mmdb"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, walk := range map[string]func() func(func(netip.Prefix, geo.Location) bool){
		"city":     func() func(func(netip.Prefix, geo.Location) bool) { return db.Networks() },
		"city+asn": func() func(func(netip.Prefix, geo.Location) bool) { return db.NetworksWithASN() },
	} {
		type network struct {
			pfx netip.Prefix
			loc geo.Location
		}
		var want, got []network
		for p, l := range walk() {
			want = append(want, network{p, l})
		}
		list := listNetworks(walk())
		for p, i := range list.indexed() {
			l := list.locs[i]
			l.Network = p
			got = append(got, network{p, l})
		}
		if len(want) < 100 {
			t.Fatalf("%s: only %d networks in the sample database", name, len(want))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the list yields %d networks that differ from the walk's %d", name, len(got), len(want))
		}
		if len(list.locs) >= len(want)/2 {
			t.Errorf("%s: %d distinct locations for %d networks: not shared", name, len(list.locs), len(want))
		}
	}
}
