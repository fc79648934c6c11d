package pick

import (
	"fmt"
	"math"
	"testing"

	"github.com/gslb/gslb/geo"
)

func TestRank(t *testing.T) {
	p := webPool()
	tests := []struct {
		name string
		loc  geo.Location
		want string
	}{
		{"singapore", singapore, "sin ams iad"},
		{"frankfurt", frankfurt, "ams iad sin"},
		{"new york", newYork, "iad ams sin"},
		{"sydney", sydney, "sin iad ams"},
		{"tokyo", tokyo, "sin ams iad"},
		{"sao paulo", saoPaulo, "iad ams sin"},
		{"unknown location", geo.Location{}, "ams iad sin"},
		{"record without coordinates", noCoords, "ams iad sin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rank(tt.loc, p)
			if got := names(r, p); got != tt.want {
				t.Errorf("Rank(%s) = %s, want %s", tt.name, got, tt.want)
			}
			_, located := r.Distance(0)
			if located != tt.loc.HasCoordinates {
				t.Errorf("Rank(%s).Distance(0) ok = %v, want %v", tt.name, located, tt.loc.HasCoordinates)
			}
			prev := -1.0
			for i := range r.Len() {
				km, ok := r.Distance(i)
				if !ok {
					continue
				}
				if km < prev {
					t.Errorf("Rank(%s): distance %d = %.0f km after %.0f km", tt.name, i, km, prev)
				}
				prev = km
			}
		})
	}
}

func TestRankDistances(t *testing.T) {
	p := webPool()
	// Known great-circle distances, to within 1%.
	tests := []struct {
		name string
		loc  geo.Location
		dc   string
		want float64
	}{
		{"frankfurt", frankfurt, "ams", 365},
		{"new york", newYork, "iad", 353},
		{"singapore", singapore, "sin", 7.5},
		{"singapore", singapore, "ams", 10520},
	}
	for _, tt := range tests {
		r := Rank(tt.loc, p)
		found := false
		for i := range r.Len() {
			if p.Members[r.Member(i)].Datacenter.Name != tt.dc {
				continue
			}
			found = true
			km, ok := r.Distance(i)
			if !ok || math.Abs(km-tt.want) > tt.want/100+1 {
				t.Errorf("Rank(%s): distance to %s = %.1f km (ok %v), want %.1f km", tt.name, tt.dc, km, ok, tt.want)
			}
		}
		if !found {
			t.Errorf("Rank(%s) has no %s", tt.name, tt.dc)
		}
	}
}

func TestRankTies(t *testing.T) {
	east := Datacenter{Name: "east", Lat: 0, Lon: 10}
	west := Datacenter{Name: "west", Lat: 0, Lon: -10}
	twin := Datacenter{Name: "twin", Lat: 0, Lon: 10}
	far := Datacenter{Name: "far", Lat: 60, Lon: 0}
	tests := []struct {
		name string
		dcs  []Datacenter
		loc  geo.Location
		want string
	}{
		{"symmetric", []Datacenter{east, west, far}, city(0, 0), "east west far"},
		{"symmetric reversed", []Datacenter{west, east, far}, city(0, 0), "west east far"},
		{"same site", []Datacenter{far, twin, east}, city(1, 10), "twin east far"},
		{"same site reversed", []Datacenter{far, east, twin}, city(1, 10), "east twin far"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Pool{}
			for _, dc := range tt.dcs {
				p.Members = append(p.Members, Member{Datacenter: dc})
			}
			if got := names(Rank(tt.loc, p), p); got != tt.want {
				t.Errorf("Rank(%s) = %s, want %s", tt.name, got, tt.want)
			}
		})
	}
}

func TestRankLargePool(t *testing.T) {
	// More members than fit inline; every other one shares a site so that
	// ties must keep configuration order.
	p := &Pool{}
	for i := range 40 {
		lon := float64(i / 2)
		p.Members = append(p.Members, Member{Datacenter: Datacenter{Name: fmt.Sprint(i), Lon: lon}})
	}
	r := Rank(city(0, 100), p) // east of all: the largest longitude is nearest
	for i := range r.Len() {
		want := 38 - 2*(i/2) + i%2
		if got := r.Member(i); got != want {
			t.Fatalf("Rank(large).Member(%d) = %d, want %d (ranking %v)", i, got, want, r)
		}
	}
	r = Rank(geo.Location{}, p)
	for i := range r.Len() {
		if r.Member(i) != i {
			t.Fatalf("Rank(unknown, large).Member(%d) = %d, want %d", i, r.Member(i), i)
		}
	}
}

func TestRankDoesNotAllocate(t *testing.T) {
	p := webPool()
	var r Ranking
	if n := testing.AllocsPerRun(100, func() { r = Rank(frankfurt, p) }); n != 0 {
		t.Errorf("Rank allocates %v times per call, want 0", n)
	}
	_ = r
}

func TestRankingEqualAndString(t *testing.T) {
	p := webPool()
	a, b := Rank(frankfurt, p), Rank(berlin, p)
	if !a.Equal(b) {
		t.Errorf("Rank(frankfurt).Equal(Rank(berlin)) = false, want true")
	}
	if a.Equal(Rank(newYork, p)) {
		t.Errorf("Rank(frankfurt).Equal(Rank(newYork)) = true, want false")
	}
	if got := Rank(newYork, p).String(); got != "[1 0 2]" {
		t.Errorf("Rank(newYork).String() = %s, want [1 0 2]", got)
	}
}
