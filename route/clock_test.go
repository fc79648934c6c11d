package route_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/route"
)

// TestRouteReadsClockOnlyWhenTimed checks that an override with an end is
// judged at the Router's clock (a drain of ams until noon sends an
// Amsterdam client elsewhere before noon and to ams after), and that
// without overrides and ramps the clock is not read at all.
func TestRouteReadsClockOnlyWhenTimed(t *testing.T) {
	set, db := example(t)
	www := gslbName(t, set, "www.example.com.")
	if www.Pool.RampUp > 0 {
		t.Fatalf("www's pool ramps up: the test needs one that does not")
	}
	noon := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	drain := health.Override{Datacenter: "ams", Action: health.Drain, Until: noon}
	client := netip.MustParseAddr("192.0.2.1") // Amsterdam
	tests := []struct {
		name      string
		overrides []health.Override
		now       time.Time
		dc        string
		reads     int
	}{
		{"no override", nil, noon.Add(-time.Hour), "ams", 0},
		{"drain in force", []health.Override{drain}, noon.Add(-time.Hour), "fra", 1},
		{"drain lapsed", []health.Override{drain}, noon.Add(time.Hour), "ams", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reads := 0
			r := route.New(route.Options{
				Geo:    db,
				Health: fixedHealth{health.NewSnapshot(nil, tt.overrides)},
				Now:    func() time.Time { reads++; return tt.now },
				Rand:   func() uint32 { return 0 },
			})
			r.Update(set)
			var d pick.Decision
			r.Route(www, pick.IPv4, client, 24, &d)
			if got := d.Datacenter(); got != tt.dc {
				t.Errorf("Route(%s) = %s (%v), want %s", client, got, d.Reason, tt.dc)
			}
			if reads != tt.reads {
				t.Errorf("the clock was read %d times, want %d", reads, tt.reads)
			}
		})
	}
}
