package main

// country is one country of the large database (-large): its ISO 3166-1
// code, continent, an approximate centre and extent in degrees (cities are
// scattered around the centre within it), and a weight for its share of
// the address space of its registry region (roughly its real share of
// allocated IPv4 space; nobody should read more into it than that).
type country struct {
	Code      string
	Continent string
	Lat, Lon  float64
	Extent    float64
	Weight    int
}

// largeCountries is the fixed, ordered country table of the large
// database. Its order is part of the output: append, never reorder.
var largeCountries = []country{
	// North America (ARIN, and LACNIC for Mexico and Central America)
	{"US", "NA", 39.8, -98.6, 14, 1500},
	{"CA", "NA", 50.0, -95.0, 10, 80},
	{"MX", "NA", 23.6, -102.5, 6, 35},
	{"GT", "NA", 15.8, -90.2, 1.5, 3},
	{"CR", "NA", 9.9, -84.1, 1, 3},
	{"PA", "NA", 8.5, -80.8, 1, 3},
	{"DO", "NA", 18.7, -70.2, 1, 3},
	{"PR", "NA", 18.2, -66.5, 0.5, 3},
	{"JM", "NA", 18.1, -77.3, 0.5, 1},
	// South America (LACNIC)
	{"BR", "SA", -10.8, -52.9, 10, 90},
	{"AR", "SA", -34.0, -64.0, 8, 20},
	{"CL", "SA", -33.0, -71.0, 6, 12},
	{"CO", "SA", 4.6, -74.1, 4, 15},
	{"PE", "SA", -9.2, -75.0, 4, 6},
	{"VE", "SA", 7.1, -66.2, 4, 6},
	{"EC", "SA", -1.8, -78.2, 2, 4},
	{"UY", "SA", -32.5, -55.8, 1.5, 3},
	{"BO", "SA", -16.3, -63.6, 3, 2},
	{"PY", "SA", -23.4, -58.4, 2, 2},
	// Europe (RIPE NCC)
	{"DE", "EU", 51.2, 10.4, 3, 120},
	{"GB", "EU", 53.0, -1.5, 3, 120},
	{"FR", "EU", 46.6, 2.2, 3.5, 90},
	{"IT", "EU", 42.8, 12.5, 3.5, 50},
	{"NL", "EU", 52.1, 5.3, 1, 45},
	{"ES", "EU", 40.4, -3.7, 3.5, 30},
	{"RU", "EU", 55.8, 45.0, 15, 45},
	{"SE", "EU", 60.1, 18.6, 5, 25},
	{"PL", "EU", 51.9, 19.1, 2.5, 20},
	{"CH", "EU", 46.8, 8.2, 1, 20},
	{"BE", "EU", 50.5, 4.5, 1, 10},
	{"AT", "EU", 47.5, 14.6, 1.5, 10},
	{"NO", "EU", 61.0, 9.0, 4, 10},
	{"DK", "EU", 56.0, 10.0, 1.5, 10},
	{"FI", "EU", 62.0, 26.0, 3, 10},
	{"CZ", "EU", 49.8, 15.5, 1.5, 8},
	{"UA", "EU", 49.0, 31.4, 5, 10},
	{"RO", "EU", 45.9, 25.0, 2.5, 8},
	{"PT", "EU", 39.6, -8.0, 1.5, 6},
	{"IE", "EU", 53.2, -8.0, 1.2, 6},
	{"GR", "EU", 39.1, 22.0, 2, 5},
	{"HU", "EU", 47.2, 19.5, 1.5, 5},
	{"BG", "EU", 42.7, 25.5, 1.5, 4},
	{"RS", "EU", 44.0, 20.9, 1.5, 3},
	{"SK", "EU", 48.7, 19.7, 1, 3},
	{"LT", "EU", 55.2, 23.9, 1, 2},
	{"LV", "EU", 56.9, 24.6, 1, 2},
	{"EE", "EU", 58.6, 25.0, 1, 2},
	{"HR", "EU", 45.1, 15.2, 1, 2},
	{"SI", "EU", 46.1, 14.9, 0.5, 2},
	{"BY", "EU", 53.7, 28.0, 2.5, 3},
	{"IS", "EU", 64.9, -18.6, 1.5, 1},
	{"LU", "EU", 49.8, 6.1, 0.3, 1},
	// Middle East and Central Asia (RIPE NCC)
	{"TR", "AS", 39.0, 35.2, 4, 15},
	{"IR", "AS", 32.4, 53.7, 5, 12},
	{"SA", "AS", 23.9, 45.1, 6, 10},
	{"AE", "AS", 24.0, 54.0, 1.5, 6},
	{"IL", "AS", 31.4, 35.0, 1, 8},
	{"KZ", "AS", 48.0, 67.0, 8, 4},
	{"IQ", "AS", 33.2, 43.7, 3, 2},
	{"QA", "AS", 25.3, 51.2, 0.5, 1},
	{"KW", "AS", 29.3, 47.5, 0.5, 1},
	{"JO", "AS", 31.0, 36.0, 1, 1},
	{"GE", "AS", 42.3, 43.4, 1, 1},
	{"AZ", "AS", 40.1, 47.6, 1, 1},
	{"UZ", "AS", 41.4, 64.6, 4, 1},
	// Asia (APNIC)
	{"CN", "AS", 35.9, 104.2, 12, 350},
	{"JP", "AS", 36.2, 138.3, 4, 190},
	{"KR", "AS", 36.5, 127.9, 1.5, 110},
	{"IN", "AS", 21.0, 78.0, 8, 40},
	{"TW", "AS", 23.7, 121.0, 1, 35},
	{"HK", "AS", 22.3, 114.2, 0.3, 12},
	{"SG", "AS", 1.35, 103.8, 0.2, 8},
	{"ID", "AS", -2.5, 118.0, 10, 15},
	{"TH", "AS", 15.9, 101.0, 4, 10},
	{"VN", "AS", 14.1, 108.3, 5, 15},
	{"MY", "AS", 4.2, 102.0, 4, 7},
	{"PH", "AS", 12.9, 121.8, 4, 6},
	{"PK", "AS", 30.4, 69.3, 5, 4},
	{"BD", "AS", 23.7, 90.4, 2, 3},
	{"LK", "AS", 7.9, 80.8, 1, 1},
	{"NP", "AS", 28.4, 84.1, 2, 1},
	{"MN", "AS", 46.9, 103.8, 5, 1},
	{"KH", "AS", 12.6, 105.0, 1.5, 1},
	// Oceania (APNIC)
	{"AU", "OC", -25.3, 133.8, 12, 50},
	{"NZ", "OC", -41.0, 174.0, 3, 8},
	{"FJ", "OC", -17.7, 178.1, 1, 1},
	{"PG", "OC", -6.3, 145.0, 3, 1},
	// Africa (AFRINIC)
	{"ZA", "AF", -29.0, 24.0, 5, 20},
	{"EG", "AF", 26.8, 30.8, 4, 10},
	{"NG", "AF", 9.1, 8.7, 4, 6},
	{"KE", "AF", 0.0, 37.9, 3, 4},
	{"MA", "AF", 31.8, -7.1, 3, 5},
	{"DZ", "AF", 28.0, 1.7, 6, 4},
	{"TN", "AF", 34.0, 9.5, 1.5, 3},
	{"GH", "AF", 7.9, -1.0, 2, 2},
	{"TZ", "AF", -6.4, 34.9, 4, 2},
	{"UG", "AF", 1.4, 32.3, 2, 1},
	{"ET", "AF", 9.1, 40.5, 4, 1},
	{"CI", "AF", 7.5, -5.5, 2, 1},
	{"SN", "AF", 14.5, -14.5, 1.5, 1},
	{"AO", "AF", -11.2, 17.9, 4, 1},
	{"MZ", "AF", -18.7, 35.5, 4, 1},
	{"ZW", "AF", -19.0, 29.2, 2, 1},
	{"CM", "AF", 7.4, 12.4, 2.5, 1},
	{"SD", "AF", 12.9, 30.2, 5, 1},
}

// largeCountryNames extends countryNames for the large database; a code in
// neither is named by its code.
var largeCountryNames = map[string]string{
	"BG": "Bulgaria", "BY": "Belarus", "CZ": "Czechia", "DK": "Denmark",
	"FI": "Finland", "GR": "Greece", "HU": "Hungary", "NO": "Norway",
	"PT": "Portugal", "RO": "Romania", "TR": "Türkiye", "UA": "Ukraine",
	"CN": "China", "VN": "Vietnam", "TH": "Thailand", "MY": "Malaysia",
	"PH": "Philippines", "PK": "Pakistan", "IR": "Iran", "SA": "Saudi Arabia",
}
