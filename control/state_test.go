package control_test

import (
	"context"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// TestStatusStates covers the state and reason of a pool's datacenter,
// and of each datacenter over its pools.
func TestStatusStates(t *testing.T) {
	a := netip.MustParseAddr
	ams := pick.Datacenter{Name: "ams", Lat: 52.37, Lon: 4.90}
	iad := pick.Datacenter{Name: "iad", Lat: 38.95, Lon: -77.45}
	sin := pick.Datacenter{Name: "sin", Lat: 1.35, Lon: 103.82}
	syd := pick.Datacenter{Name: "syd", Lat: -33.87, Lon: 151.21}
	pool := func(name string, members ...pick.Member) *pick.Pool {
		return &pick.Pool{Name: name, Check: "web", UpFraction: 0.5, RampUp: 10 * time.Minute, Members: members}
	}
	web := pool("web",
		pick.Member{Datacenter: ams, V4: []netip.Addr{a("192.0.2.10")}, V6: []netip.Addr{a("2001:db8::10")}},
		pick.Member{Datacenter: iad, V4: []netip.Addr{a("198.51.100.10"), a("198.51.100.11")}},
		pick.Member{Datacenter: sin, V4: []netip.Addr{a("203.0.113.10")}},
	)
	api := pool("api",
		pick.Member{Datacenter: ams, V4: []netip.Addr{a("192.0.2.20")}},
		pick.Member{Datacenter: sin, V4: []netip.Addr{a("203.0.113.20")}},
	)
	z := &zones.Zone{Origin: "example.com.", Pools: map[string]*pick.Pool{"web": web, "api": api}}

	mon := newFakeMonitor(true)
	set := func(addr string, d health.Detail) { mon.details[health.Target{Check: "web", Addr: a(addr)}] = d }
	set("192.0.2.10", health.Detail{Status: health.Up})
	set("2001:db8::10", health.Detail{Status: health.Down, Reason: "2 consecutive failures: connection refused"})
	set("198.51.100.10", health.Detail{Status: health.Down, Reason: "2 consecutive failures: timed out after 1s"})
	set("198.51.100.11", health.Detail{Status: health.Down})
	set("203.0.113.10", health.Detail{Status: health.Up, BackSince: now.Add(-150 * time.Second)})
	set("192.0.2.20", health.Detail{Status: health.Up})
	set("203.0.113.20", health.Detail{Status: health.Down})
	until := now.Add(2 * time.Hour)
	mon.SetOverride(health.Override{Pool: "api", Datacenter: "ams", Action: health.ForceDown, Until: until, Reason: "tests"})

	c := start(t, control.Config{
		Monitor: mon,
		Zones:   fixedZones{zones.NewSet([]*zones.Zone{z})},
		Datacenters: func() []pick.Datacenter {
			return []pick.Datacenter{syd, sin, iad, ams}
		},
	})
	doc, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		State control.State
		Why   string
		Until time.Time
		Ramp  float64
	}
	got := map[string]row{}
	for _, p := range doc.Pools {
		for _, d := range p.Datacenters {
			got[p.Pool+"/"+d.Datacenter] = row{d.State, d.Why, d.Until, d.Ramp}
		}
	}
	want := map[string]row{
		"web/ams": {control.StatePartial, "IPv4 up; IPv6: 0 of 1 addresses up (need 50%); 2001:db8::10: 2 consecutive failures: connection refused", time.Time{}, 0},
		"web/iad": {control.StateDown, "IPv4: 0 of 2 addresses up (need 50%); 198.51.100.10: 2 consecutive failures: timed out after 1s", time.Time{}, 0},
		"web/sin": {control.StateRamping, "ramping up: 25% of its clients back, all after 10m0s", time.Time{}, 0.25},
		"api/ams": {control.StateForcedDown, "forced down: tests", until, 0},
		"api/sin": {control.StateDown, "IPv4: 0 of 1 addresses up (need 50%); 203.0.113.20: down", time.Time{}, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pool datacenters:\n got %+v\nwant %+v", got, want)
	}
	wantDCs := []control.DatacenterSummary{
		{Name: "ams", Lat: 52.37, Lon: 4.90, State: control.StatePartial, Why: "forced-down in api; partial in web", Pools: 2},
		{Name: "iad", Lat: 38.95, Lon: -77.45, State: control.StateDown, Why: "down in web", Pools: 1},
		{Name: "sin", Lat: 1.35, Lon: 103.82, State: control.StatePartial, Why: "down in api; ramping in web", Pools: 2},
		{Name: "syd", Lat: -33.87, Lon: 151.21, State: control.StateUnused, Why: "in no pool", Pools: 0},
	}
	if !reflect.DeepEqual(doc.Datacenters, wantDCs) {
		t.Errorf("Datacenters =\n%+v\nwant\n%+v", doc.Datacenters, wantDCs)
	}
}

// TestStatusZonesAndGeoIP: a failing zone file is shown on its zone (the
// previous version serves) and in zone_errors; the GeoIP databases as given.
func TestStatusZonesAndGeoIP(t *testing.T) {
	built := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	fileErrs := []zones.FileError{
		{File: "zones/broken.toml", Errors: []string{"zones/broken.toml:2:1: records[0]: bad record"}},
		{File: "zones/example.com.toml", Serving: "example.com.", Errors: []string{"zones/example.com.toml:3:5: ttl: bad duration"}},
	}
	c := start(t, control.Config{
		Monitor:    newFakeMonitor(true),
		Zones:      testZones(),
		ZoneErrors: func() []zones.FileError { return fileErrs },
		GeoIP: func() []control.GeoIPDatabase {
			return []control.GeoIPDatabase{{Database: "city", Path: "city.mmdb", Type: "GeoIP2-City", Built: built}}
		},
	})
	doc, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc.ZoneErrors, fileErrs) {
		t.Errorf("ZoneErrors = %+v, want %+v", doc.ZoneErrors, fileErrs)
	}
	// Zones: example.com. with the errors of its file, then the file that
	// serves nothing, with serial 0.
	if len(doc.Zones) != 2 || !reflect.DeepEqual(doc.Zones[0].Errors, fileErrs[1].Errors) || doc.Zones[0].Error != fileErrs[1].Errors[0] ||
		doc.Zones[1].File != "zones/broken.toml" || doc.Zones[1].Serial != 0 || doc.Zones[1].Error != fileErrs[0].Errors[0] {
		t.Errorf("Zones = %+v, want example.com. with the errors of its file and broken.toml not served", doc.Zones)
	}
	if len(doc.GeoIP) != 1 || doc.GeoIP[0].Type != "GeoIP2-City" || !doc.GeoIP[0].Built.Equal(built) {
		t.Errorf("GeoIP = %+v", doc.GeoIP)
	}
}
