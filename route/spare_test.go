package route_test

import (
	"iter"
	"net/netip"
	"runtime"
	"testing"

	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/internal/procs"
	"github.com/gslb/gslb/route"
)

// procsSeen is a GeoSource that notes GOMAXPROCS whenever a table build
// walks its networks.
type procsSeen struct {
	route.GeoSource
	seen []int
}

func (p *procsSeen) Networks() iter.Seq2[netip.Prefix, geo.Location] {
	p.seen = append(p.seen, runtime.GOMAXPROCS(0))
	return p.GeoSource.Networks()
}

func (p *procsSeen) NetworksWithASN() iter.Seq2[netip.Prefix, geo.Location] {
	p.seen = append(p.seen, runtime.GOMAXPROCS(0))
	return p.GeoSource.NetworksWithASN()
}

// With one processor, the builder gets a second one while it builds (so
// that the readers keep theirs), and gives it back after.
func TestTableBuildHoldsSpareProcessor(t *testing.T) {
	t.Setenv("GOMAXPROCS", "1")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	set, db := example(t)
	g := &procsSeen{GeoSource: db}
	r := route.New(route.Options{Geo: g, Spare: new(procs.Spare)})
	r.Update(set)
	r.Rebuild()
	if len(g.seen) == 0 {
		t.Fatal("no table was built")
	}
	for _, n := range g.seen {
		if n != 2 {
			t.Fatalf("GOMAXPROCS during the build = %v, want 2", g.seen)
		}
	}
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("GOMAXPROCS after the build = %d, want 1", n)
	}
	// Nothing to build: the processor is not raised.
	g.seen = nil
	r.Update(set)
	r.Rebuild()
	if len(g.seen) != 0 {
		t.Errorf("tables built again for the same set and data: %v", g.seen)
	}
}
