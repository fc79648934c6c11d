package main

// city is one real place of the sample database: real coordinates (degrees,
// WGS 84, city centre), ISO 3166-1 country, continent code, GeoIP2-style
// subdivision codes (the part after the hyphen of ISO 3166-2, most general
// first), English name, time zone and an accuracy radius in kilometres.
type city struct {
	Name      string
	Country   string
	Continent string
	Subdivs   []string
	Lat, Lon  float64
	Radius    uint16
	TimeZone  string
}

// cities is the fixed, ordered city table. Its order is part of the
// database's layout: city i (counting from 0) owns 2001:db8:1XX::/48 with XX
// = i in hex. Append new cities at the end so existing addresses keep their
// meaning.
var cities = []city{
	// Europe
	{"Amsterdam", "NL", "EU", []string{"NH"}, 52.3676, 4.9041, 20, "Europe/Amsterdam"},
	{"Frankfurt am Main", "DE", "EU", []string{"HE"}, 50.1109, 8.6821, 20, "Europe/Berlin"},
	{"London", "GB", "EU", []string{"ENG"}, 51.5074, -0.1278, 20, "Europe/London"},
	{"Paris", "FR", "EU", []string{"IDF", "75"}, 48.8566, 2.3522, 20, "Europe/Paris"},
	{"Madrid", "ES", "EU", []string{"MD", "M"}, 40.4168, -3.7038, 20, "Europe/Madrid"},
	{"Stockholm", "SE", "EU", []string{"AB"}, 59.3293, 18.0686, 20, "Europe/Stockholm"},
	{"Warsaw", "PL", "EU", []string{"14"}, 52.2297, 21.0122, 20, "Europe/Warsaw"},
	{"Milan", "IT", "EU", []string{"25", "MI"}, 45.4642, 9.1900, 20, "Europe/Rome"},
	{"Dublin", "IE", "EU", []string{"L", "D"}, 53.3498, -6.2603, 20, "Europe/Dublin"},
	{"Zurich", "CH", "EU", []string{"ZH"}, 47.3769, 8.5417, 20, "Europe/Zurich"},
	{"Vienna", "AT", "EU", []string{"9"}, 48.2082, 16.3738, 20, "Europe/Vienna"},
	{"Moscow", "RU", "EU", []string{"MOW"}, 55.7558, 37.6173, 50, "Europe/Moscow"},
	{"Manchester", "GB", "EU", []string{"ENG", "MAN"}, 53.4808, -2.2426, 20, "Europe/London"},
	{"Brussels", "BE", "EU", []string{"BRU"}, 50.8503, 4.3517, 20, "Europe/Brussels"},
	// North America
	{"Ashburn", "US", "NA", []string{"VA"}, 39.0438, -77.4874, 20, "America/New_York"},
	{"New York", "US", "NA", []string{"NY"}, 40.7128, -74.0060, 20, "America/New_York"},
	{"San Jose", "US", "NA", []string{"CA"}, 37.3382, -121.8863, 20, "America/Los_Angeles"},
	{"San Francisco", "US", "NA", []string{"CA"}, 37.7749, -122.4194, 20, "America/Los_Angeles"},
	{"Dallas", "US", "NA", []string{"TX"}, 32.7767, -96.7970, 20, "America/Chicago"},
	{"Chicago", "US", "NA", []string{"IL"}, 41.8781, -87.6298, 20, "America/Chicago"},
	{"Seattle", "US", "NA", []string{"WA"}, 47.6062, -122.3321, 20, "America/Los_Angeles"},
	{"Los Angeles", "US", "NA", []string{"CA"}, 34.0522, -118.2437, 20, "America/Los_Angeles"},
	{"Miami", "US", "NA", []string{"FL"}, 25.7617, -80.1918, 20, "America/New_York"},
	{"Atlanta", "US", "NA", []string{"GA"}, 33.7490, -84.3880, 20, "America/New_York"},
	{"Toronto", "CA", "NA", []string{"ON"}, 43.6532, -79.3832, 20, "America/Toronto"},
	{"Montreal", "CA", "NA", []string{"QC"}, 45.5017, -73.5673, 20, "America/Toronto"},
	{"Mexico City", "MX", "NA", []string{"CMX"}, 19.4326, -99.1332, 50, "America/Mexico_City"},
	// South America
	{"São Paulo", "BR", "SA", []string{"SP"}, -23.5505, -46.6333, 20, "America/Sao_Paulo"},
	{"Rio de Janeiro", "BR", "SA", []string{"RJ"}, -22.9068, -43.1729, 20, "America/Sao_Paulo"},
	{"Buenos Aires", "AR", "SA", []string{"C"}, -34.6037, -58.3816, 20, "America/Argentina/Buenos_Aires"},
	{"Santiago", "CL", "SA", []string{"RM"}, -33.4489, -70.6693, 20, "America/Santiago"},
	{"Bogotá", "CO", "SA", []string{"DC"}, 4.7110, -74.0721, 50, "America/Bogota"},
	{"Lima", "PE", "SA", []string{"LMA"}, -12.0464, -77.0428, 50, "America/Lima"},
	// Asia
	{"Singapore", "SG", "AS", nil, 1.3521, 103.8198, 10, "Asia/Singapore"},
	{"Tokyo", "JP", "AS", []string{"13"}, 35.6762, 139.6503, 20, "Asia/Tokyo"},
	{"Osaka", "JP", "AS", []string{"27"}, 34.6937, 135.5023, 20, "Asia/Tokyo"},
	{"Hong Kong", "HK", "AS", nil, 22.3193, 114.1694, 10, "Asia/Hong_Kong"},
	{"Seoul", "KR", "AS", []string{"11"}, 37.5665, 126.9780, 20, "Asia/Seoul"},
	{"Mumbai", "IN", "AS", []string{"MH"}, 19.0760, 72.8777, 50, "Asia/Kolkata"},
	{"Chennai", "IN", "AS", []string{"TN"}, 13.0827, 80.2707, 50, "Asia/Kolkata"},
	{"Dubai", "AE", "AS", []string{"DU"}, 25.2048, 55.2708, 20, "Asia/Dubai"},
	{"Tel Aviv", "IL", "AS", []string{"TA"}, 32.0853, 34.7818, 20, "Asia/Jerusalem"},
	{"Jakarta", "ID", "AS", []string{"JK"}, -6.2088, 106.8456, 50, "Asia/Jakarta"},
	{"Taipei", "TW", "AS", []string{"TPE"}, 25.0330, 121.5654, 20, "Asia/Taipei"},
	// Oceania
	{"Sydney", "AU", "OC", []string{"NSW"}, -33.8688, 151.2093, 20, "Australia/Sydney"},
	{"Melbourne", "AU", "OC", []string{"VIC"}, -37.8136, 144.9631, 20, "Australia/Melbourne"},
	{"Perth", "AU", "OC", []string{"WA"}, -31.9505, 115.8605, 20, "Australia/Perth"},
	{"Auckland", "NZ", "OC", []string{"AUK"}, -36.8485, 174.7633, 20, "Pacific/Auckland"},
	// Africa
	{"Johannesburg", "ZA", "AF", []string{"GP"}, -26.2041, 28.0473, 20, "Africa/Johannesburg"},
	{"Cape Town", "ZA", "AF", []string{"WC"}, -33.9249, 18.4241, 20, "Africa/Johannesburg"},
	{"Lagos", "NG", "AF", []string{"LA"}, 6.5244, 3.3792, 50, "Africa/Lagos"},
	{"Nairobi", "KE", "AF", []string{"30"}, -1.2921, 36.8219, 50, "Africa/Nairobi"},
	{"Cairo", "EG", "AF", []string{"C"}, 30.0444, 31.2357, 50, "Africa/Cairo"},
	// Antarctica
	{"McMurdo Station", "AQ", "AN", nil, -77.8419, 166.6863, 100, "Antarctica/McMurdo"},
}

// countryNames are the English names of the countries used above.
var countryNames = map[string]string{
	"AE": "United Arab Emirates", "AQ": "Antarctica", "AR": "Argentina",
	"AT": "Austria", "AU": "Australia", "BE": "Belgium", "BR": "Brazil",
	"CA": "Canada", "CH": "Switzerland", "CL": "Chile", "CO": "Colombia",
	"DE": "Germany", "EG": "Egypt", "ES": "Spain", "FR": "France",
	"GB": "United Kingdom", "HK": "Hong Kong", "ID": "Indonesia",
	"IE": "Ireland", "IL": "Israel", "IN": "India", "IT": "Italy",
	"JP": "Japan", "KE": "Kenya", "KR": "South Korea", "MX": "Mexico",
	"NG": "Nigeria", "NL": "Netherlands", "NZ": "New Zealand", "PE": "Peru",
	"PL": "Poland", "RU": "Russia", "SE": "Sweden", "SG": "Singapore",
	"TW": "Taiwan", "US": "United States", "ZA": "South Africa",
}

// continentNames are the English names of the continent codes.
var continentNames = map[string]string{
	"AF": "Africa", "AN": "Antarctica", "AS": "Asia", "EU": "Europe",
	"NA": "North America", "OC": "Oceania", "SA": "South America",
}

// countryOnly is a record with a country and continent but no city and no
// coordinates, as GeoIP databases have for networks they place only in a
// country.
type countryOnly struct {
	Country   string
	Continent string
}
