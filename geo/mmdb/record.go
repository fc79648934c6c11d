package mmdb

import (
	"strconv"
	"strings"

	"github.com/gslb/gslb/geo"
	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// maxSubdivisions is how many subdivision codes a Location keeps. GeoIP2
// records have at most two; more are skipped.
const maxSubdivisions = 4

// cityRecord is the part of a City record that a Location needs. It decodes
// itself from the database with a hand-written cursor walk instead of
// reflection into geoip2.City, which allocates maps for every names field:
// only the wanted fields are read, everything else is skipped, and strings
// come from the reader's string cache.
//
// It understands the GeoIP2/GeoLite2 City layout (also used by DB-IP), and
// flat layouts of top-level strings such as IPinfo's and ip-location-db's
// (country_code, continent_code, city, lat/lng or latitude/longitude, the
// coordinates as numbers or strings).
type cityRecord struct {
	continent  string
	country    string
	registered string // registered_country, used when country is absent
	city       string
	subdivs    [maxSubdivisions]string
	nsub       int
	lat, lon   float64
	hasLat     bool
	hasLon     bool
	radius     uint16
}

var _ mmdbdata.CursorUnmarshaler = (*cityRecord)(nil)

// location returns the Location that r describes, without Network.
func (r *cityRecord) location() geo.Location {
	loc := geo.Location{
		Continent:      r.continent,
		Country:        r.country,
		City:           r.city,
		AccuracyRadius: r.radius,
	}
	if loc.Country == "" {
		loc.Country = r.registered
	}
	if r.hasLat && r.hasLon && validCoordinates(r.lat, r.lon) {
		loc.Lat, loc.Lon, loc.HasCoordinates = r.lat, r.lon, true
	}
	if r.nsub > 0 {
		loc.Subdivisions = make([]string, r.nsub)
		copy(loc.Subdivisions, r.subdivs[:r.nsub])
	}
	return loc
}

func validCoordinates(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// UnmarshalMaxMindDBCursor decodes a City record.
func (r *cityRecord) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		key, val, ok := m.Next(next)
		if !ok {
			break
		}
		switch string(key) {
		case "continent":
			next, err = readCode(val, "code", &r.continent)
		case "continent_code":
			next, err = readString(val, &r.continent)
		case "country":
			next, err = readCode(val, "iso_code", &r.country)
		case "country_code":
			next, err = readString(val, &r.country)
		case "registered_country":
			next, err = readCode(val, "iso_code", &r.registered)
		case "city":
			next, err = readName(val, &r.city)
		case "subdivisions":
			next, err = r.readSubdivisions(val)
		case "location":
			next, err = r.readLocation(val)
		case "lat", "latitude":
			next, err = readNumber(val, &r.lat, &r.hasLat)
		case "lng", "lon", "longitude":
			next, err = readNumber(val, &r.lon, &r.hasLon)
		default:
			next, err = val.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	if r.country != "" && len(r.country) != 2 {
		// A flat layout's "country" may be a name rather than a code;
		// country_code, when present, has set the code instead.
		r.country = ""
	}
	return m.End()
}

// readCode reads a code: either a string, or the string at key of a map.
// Anything else is skipped.
func readCode(c mmdbdata.Cursor, key string, dst *string) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	switch kind {
	case mmdbdata.KindString:
		return readString(c, dst)
	case mmdbdata.KindMap:
		return readMapString(c, key, dst)
	}
	return c.Skip()
}

// readMapString reads the string at key of the map at c and skips the rest.
func readMapString(c mmdbdata.Cursor, key string, dst *string) (mmdbdata.Cursor, error) {
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		k, val, ok := m.Next(next)
		if !ok {
			break
		}
		if string(k) == key {
			next, err = readString(val, dst)
		} else {
			next, err = val.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return m.End()
}

// readName reads an English name: either a string, or names.en of a map.
func readName(c mmdbdata.Cursor, dst *string) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	switch kind {
	case mmdbdata.KindString:
		return readString(c, dst)
	case mmdbdata.KindMap:
	default:
		return c.Skip()
	}
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		k, val, ok := m.Next(next)
		if !ok {
			break
		}
		if string(k) == "names" {
			next, err = readCode(val, "en", dst)
		} else {
			next, err = val.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return m.End()
}

// readString reads a string, or skips a value of another kind.
func readString(c mmdbdata.Cursor, dst *string) (mmdbdata.Cursor, error) {
	s, next, err := c.ReadString()
	if err == nil {
		*dst = s
		return next, nil
	}
	if kind, kerr := c.Kind(); kerr == nil && kind != mmdbdata.KindString {
		return c.Skip()
	}
	return mmdbdata.Cursor{}, err
}

// readNumber reads a coordinate given as a float, an integer or a decimal
// string. A value that is none of these is skipped and leaves ok false.
func readNumber(c mmdbdata.Cursor, dst *float64, ok *bool) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	switch kind {
	case mmdbdata.KindFloat64, mmdbdata.KindFloat32:
		v, next, err := c.ReadFloat()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		*dst, *ok = v, true
		return next, nil
	case mmdbdata.KindUint16, mmdbdata.KindUint32, mmdbdata.KindUint64, mmdbdata.KindInt32:
		v, signed, next, err := c.ReadInteger()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		if signed {
			*dst = float64(int64(v))
		} else {
			*dst = float64(v)
		}
		*ok = true
		return next, nil
	case mmdbdata.KindString:
		s, next, err := c.ReadString()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		if v, perr := strconv.ParseFloat(strings.TrimSpace(s), 64); perr == nil {
			*dst, *ok = v, true
		}
		return next, nil
	}
	return c.Skip()
}

// readLocation reads latitude, longitude and accuracy_radius of a location
// map.
func (r *cityRecord) readLocation(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind != mmdbdata.KindMap {
		return c.Skip()
	}
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		k, val, ok := m.Next(next)
		if !ok {
			break
		}
		switch string(k) {
		case "latitude":
			next, err = readNumber(val, &r.lat, &r.hasLat)
		case "longitude":
			next, err = readNumber(val, &r.lon, &r.hasLon)
		case "accuracy_radius":
			var v uint64
			v, next, err = val.ReadUint()
			if err == nil {
				r.radius = uint16(min(v, 0xffff))
			}
		default:
			next, err = val.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	return m.End()
}

// readSubdivisions reads the iso_code of each map of the subdivisions array,
// most general first, keeping at most maxSubdivisions. Subdivisions without a
// code (DB-IP Lite has names only) are left out.
func (r *cityRecord) readSubdivisions(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	if kind != mmdbdata.KindSlice {
		return c.Skip()
	}
	s, err := c.Slice()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	for {
		_, val, ok := s.Next(next)
		if !ok {
			break
		}
		var code string
		next, err = readCode(val, "iso_code", &code)
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		if code != "" && r.nsub < maxSubdivisions {
			r.subdivs[r.nsub] = code
			r.nsub++
		}
	}
	return s.End()
}

// asnRecord is the part of an ASN record that a Location needs: GeoLite2 ASN
// and GeoIP2 ISP (autonomous_system_number, autonomous_system_organization)
// or IPinfo-like flat layouts (asn as a number or "AS123", as_name or name).
type asnRecord struct {
	asn uint32
	org string
}

var _ mmdbdata.CursorUnmarshaler = (*asnRecord)(nil)

// UnmarshalMaxMindDBCursor decodes an ASN record.
func (r *asnRecord) UnmarshalMaxMindDBCursor(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	m, err := c.Map()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	var next mmdbdata.Cursor
	var name string
	for {
		key, val, ok := m.Next(next)
		if !ok {
			break
		}
		switch string(key) {
		case "autonomous_system_number", "asn":
			next, err = r.readASN(val)
		case "autonomous_system_organization", "as_name":
			next, err = readString(val, &r.org)
		case "name":
			next, err = readString(val, &name)
		default:
			next, err = val.Skip()
		}
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
	}
	if r.org == "" {
		r.org = name
	}
	return m.End()
}

func (r *asnRecord) readASN(c mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := c.Kind()
	if err != nil {
		return mmdbdata.Cursor{}, err
	}
	switch kind {
	case mmdbdata.KindUint16, mmdbdata.KindUint32, mmdbdata.KindUint64, mmdbdata.KindInt32:
		v, _, next, err := c.ReadInteger()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		if v <= 0xffffffff {
			r.asn = uint32(v)
		}
		return next, nil
	case mmdbdata.KindString:
		s, next, err := c.ReadString()
		if err != nil {
			return mmdbdata.Cursor{}, err
		}
		s = strings.TrimPrefix(strings.TrimPrefix(s, "AS"), "as")
		if v, perr := strconv.ParseUint(s, 10, 32); perr == nil {
			r.asn = uint32(v)
		}
		return next, nil
	}
	return c.Skip()
}
