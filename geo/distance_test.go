package geo

import (
	"math"
	"testing"
)

type point struct{ lat, lon float64 }

var (
	amsterdam    = point{52.3676, 4.9041}
	frankfurt    = point{50.1109, 8.6821}
	london       = point{51.5074, -0.1278}
	paris        = point{48.8566, 2.3522}
	newYork      = point{40.7128, -74.0060}
	losAngeles   = point{34.0522, -118.2437}
	sanFrancisco = point{37.7749, -122.4194}
	tokyo        = point{35.6762, 139.6503}
	sydney       = point{-33.8688, 151.2093}
	singapore    = point{1.3521, 103.8198}
)

// TestDistanceCities checks great-circle distances between city centres
// against published figures (e.g. distance calculators using the mean earth
// radius), within 1%.
func TestDistanceCities(t *testing.T) {
	tests := []struct {
		name string
		a, b point
		km   float64
	}{
		{"London-Paris", london, paris, 344},
		{"Amsterdam-Frankfurt", amsterdam, frankfurt, 364},
		{"NewYork-London", newYork, london, 5570},
		{"LosAngeles-NewYork", losAngeles, newYork, 3944},
		{"SanFrancisco-Tokyo", sanFrancisco, tokyo, 8270},
		{"Sydney-Singapore", sydney, singapore, 6300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.a.lat, tt.a.lon, tt.b.lat, tt.b.lon)
			if math.Abs(got-tt.km) > tt.km*0.01 {
				t.Errorf("Distance(%v, %v) = %.1f km, want %.0f km ±1%%", tt.a, tt.b, got, tt.km)
			}
			back := Distance(tt.b.lat, tt.b.lon, tt.a.lat, tt.a.lon)
			if math.Abs(got-back) > 1e-9 {
				t.Errorf("Distance not symmetric: %.9f one way, %.9f back", got, back)
			}
		})
	}
}

// TestDistanceExtremes checks the same point, antipodes and the date line.
func TestDistanceExtremes(t *testing.T) {
	half := math.Pi * EarthRadiusKM // half the circumference
	tests := []struct {
		name string
		a, b point
		km   float64
		tol  float64
	}{
		{"same point", london, london, 0, 1e-9},
		{"same point at a pole", point{90, 0}, point{90, 123}, 0, 1e-6},
		{"equator antipodes", point{0, 0}, point{0, 180}, half, 1e-6},
		{"pole to pole", point{90, 0}, point{-90, 0}, half, 1e-6},
		{"city antipodes", point{40.7128, -74.0060}, point{-40.7128, 105.9940}, half, 1e-6},
		{"nearly antipodal", point{0, 0}, point{0, 179.9999999}, half, 1e-3},
		{"across the date line", point{0, 179.5}, point{0, -179.5}, 2 * half / 360, 1e-6},
		{"one degree of latitude", point{10, 20}, point{11, 20}, 2 * half / 360, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.a.lat, tt.a.lon, tt.b.lat, tt.b.lon)
			if math.IsNaN(got) || math.Abs(got-tt.km) > tt.tol {
				t.Errorf("Distance(%v, %v) = %.9f km, want %.9f km", tt.a, tt.b, got, tt.km)
			}
		})
	}
}

func BenchmarkDistance(b *testing.B) {
	for b.Loop() {
		Distance(london.lat, london.lon, sydney.lat, sydney.lon)
	}
}
