package route_test

import (
	"math"
	"testing"

	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/route"
)

func TestDiff(t *testing.T) {
	set, db := example(t)
	www := gslbName(t, set, "www.example.com.")
	same := route.Diff(www.Pool, www.Pool, db, db)
	for _, im := range same {
		if im.Moved != 0 || len(im.Changes) != 0 {
			t.Errorf("%v: the same pool moves %v %v", im.Family, im.Moved, im.Changes)
		}
	}
	// Move ams to Paris: some of ams's clients go to fra and back.
	moved := *www.Pool
	moved.Members = append([]pick.Member(nil), www.Pool.Members...)
	moved.Members[0].Datacenter.Lat, moved.Members[0].Datacenter.Lon = 48.86, 2.35
	for _, im := range route.Diff(www.Pool, &moved, db, db) {
		sum := 0.0
		for _, c := range im.Changes {
			if c.Share <= 0 || c.From == c.To || (c.From != "ams" && c.To != "ams") {
				t.Errorf("%v: change %+v, want moves to or from ams only", im.Family, c)
			}
			sum += c.Share
		}
		if im.Moved <= 0 || im.Moved > 1 || math.Abs(sum-im.Moved) > 1e-9 {
			t.Errorf("%v: moved %v, changes add up to %v", im.Family, im.Moved, sum)
		}
	}
	// A failover pool ranks everyone alike: reversing its order moves all.
	fo := &pick.Pool{Name: "fo", Policy: pick.Failover, Members: []pick.Member{www.Pool.Members[0], www.Pool.Members[1]}}
	rev := &pick.Pool{Name: "fo", Policy: pick.Failover, Members: []pick.Member{www.Pool.Members[1], www.Pool.Members[0]}}
	for _, im := range route.Diff(fo, rev, db, db) {
		if math.Abs(im.Moved-1) > 1e-9 || len(im.Changes) != 1 {
			t.Errorf("%v: reversed failover moves %v %v, want everything from ams to fra", im.Family, im.Moved, im.Changes)
		}
	}
}
