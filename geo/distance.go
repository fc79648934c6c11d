package geo

import "math"

// EarthRadiusKM is the mean radius of the earth used for distances.
const EarthRadiusKM = 6371.0088

// Distance returns the great-circle distance in kilometres between two points
// given in degrees, using the haversine formula.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := lat1*rad, lat2*rad
	dφ := (lat2 - lat1) * rad
	dλ := (lon2 - lon1) * rad
	a := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	if a > 1 {
		a = 1
	}
	return 2 * EarthRadiusKM * math.Asin(math.Sqrt(a))
}
