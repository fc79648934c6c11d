package mmdb

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gslb/gslb/geo"
)

// The committed sample databases; see testdata/geoip/README.md.
const (
	sampleDir  = "../../testdata/geoip"
	sampleCity = sampleDir + "/GeoIP2-City-Test.mmdb"
	sampleASN  = sampleDir + "/GeoLite2-ASN-Test.mmdb"
	sampleDBIP = sampleDir + "/DBIP-City-Lite-Test.mmdb"
	sampleFlat = sampleDir + "/Flat-Location-Test.mmdb"
	// A City and ASN pair whose boundaries do not line up.
	misalignedCity = sampleDir + "/GeoIP2-City-Misaligned-Test.mmdb"
	misalignedASN  = sampleDir + "/GeoLite2-ASN-Misaligned-Test.mmdb"
)

// waitLimit bounds every wait for a reload; it is a failure deadline, not a
// readiness delay.
const waitLimit = 20 * time.Second

func mustOpen(t testing.TB, city, asn string) *DB {
	t.Helper()
	db, err := Open(city, asn, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replace puts data at path the way geoipupdate does: write a temporary
// file in the same directory, then rename it over path.
func replace(t testing.TB, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// copyTo copies the sample database src into dir under name.
func copyTo(t testing.TB, src, dir, name string) string {
	t.Helper()
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, readFile(t, src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// waitCity waits until db locates addr in city, following reloads through
// Snapshot.Replaced.
func waitCity(t testing.TB, db *DB, addr, city string) {
	t.Helper()
	a := netip.MustParseAddr(addr)
	deadline := time.After(waitLimit)
	for {
		s := db.Snapshot()
		if got := s.Locate(a).City; got == city {
			return
		}
		select {
		case <-s.Replaced():
		case <-deadline:
			t.Fatalf("Locate(%s).City = %q after %v, want %q", addr, db.Locate(a).City, waitLimit, city)
		}
	}
}

// logCapture is a slog handler that passes every record's message and
// attributes, as text, to a channel.
type logCapture struct {
	ch chan string
}

func newLogCapture() *logCapture { return &logCapture{ch: make(chan string, 256)} }

func (l *logCapture) logger() *slog.Logger { return slog.New(l) }

func (l *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCapture) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logCapture) WithGroup(string) slog.Handler            { return l }

func (l *logCapture) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	select {
	case l.ch <- b.String():
	default: // a test that does not read its logs must not block the code
	}
	return nil
}

// wait waits for a log message that contains all of parts.
func (l *logCapture) wait(t testing.TB, parts ...string) string {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case msg := <-l.ch:
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(msg, p)
			}
			if ok {
				return msg
			}
		case <-deadline:
			t.Fatalf("no log message with %q within %v", parts, waitLimit)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.mmdb")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	city := readFile(t, sampleCity)
	truncated := filepath.Join(dir, "truncated.mmdb")
	if err := os.WriteFile(truncated, city[:len(city)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.mmdb")

	tests := []struct {
		name      string
		city, asn string
		want      error
		file      string // the file the message must name
	}{
		{"no city path", "", sampleASN, ErrNoCityPath, ""},
		{"missing city", missing, "", fs.ErrNotExist, missing},
		{"missing asn", sampleCity, missing, fs.ErrNotExist, missing},
		{"garbage city", garbage, "", ErrInvalid, garbage},
		{"empty city", empty, "", ErrInvalid, empty},
		{"truncated city", truncated, "", ErrInvalid, truncated},
		{"garbage asn", sampleCity, garbage, ErrInvalid, garbage},
		{"directory as city", dir, "", ErrInvalid, dir},
		{"asn database as city", sampleASN, "", ErrDatabaseType, sampleASN},
		{"city database as asn", sampleCity, sampleCity, ErrDatabaseType, sampleCity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := Open(tt.city, tt.asn, nil)
			if err == nil {
				t.Fatalf("Open(%q, %q) = %v, nil; want error %v", tt.city, tt.asn, db, tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Open(%q, %q) error = %v, want errors.Is %v", tt.city, tt.asn, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.file) {
				t.Errorf("Open error %q does not name the file %s", err, tt.file)
			}
		})
	}
}

func TestOpenWrongTypeMessage(t *testing.T) {
	_, err := Open(sampleASN, "", nil)
	want := `open city database ` + sampleASN + `: type "GeoLite2-ASN" is not a City-compatible`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Open(ASN as city) error = %v, want prefix %q", err, want)
	}
}

func TestOpenVerify(t *testing.T) {
	db, err := Config{City: sampleCity, ASN: sampleASN, Verify: true}.Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Snapshot().Verify(); err != nil {
		t.Errorf("Verify() = %v", err)
	}
}

func TestInfo(t *testing.T) {
	db := mustOpen(t, sampleCity, sampleASN)
	in := db.Snapshot().Info()
	built := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if in.Generation != 1 || in.City.Type != "GeoIP2-City" || in.ASN.Type != "GeoLite2-ASN" ||
		!in.City.BuildTime.Equal(built) || in.City.IPVersion != 6 || in.City.Path != sampleCity ||
		in.City.Size != int64(len(readFile(t, sampleCity))) || in.City.NodeCount == 0 {
		t.Errorf("Info() = %+v", in)
	}
	if in := mustOpen(t, sampleCity, "").Snapshot().Info(); in.ASN != (FileInfo{}) {
		t.Errorf("Info().ASN without ASN database = %+v, want zero", in.ASN)
	}
}

// want is the expected Location of one address; Lat and Lon are compared to
// 1e-6 degrees.
type want struct {
	city, country, continent string
	subdivs                  []string
	lat, lon                 float64
	coords                   bool
	radius                   uint16
	asn                      uint32
	org                      string
	network                  string // "" for the unknown location
}

func check(t *testing.T, what string, got geo.Location, w want) {
	t.Helper()
	var wantNet netip.Prefix
	if w.network != "" {
		wantNet = netip.MustParsePrefix(w.network)
	}
	if got.City != w.city || got.Country != w.country || got.Continent != w.continent ||
		!slices.Equal(got.Subdivisions, w.subdivs) || got.HasCoordinates != w.coords ||
		math.Abs(got.Lat-w.lat) > 1e-6 || math.Abs(got.Lon-w.lon) > 1e-6 ||
		got.AccuracyRadius != w.radius || got.ASN != w.asn || got.ASOrg != w.org ||
		got.Network != wantNet || got.Known() != (w.network != "") {
		t.Errorf("%s = %+v,\nwant %+v", what, got, w)
	}
}

var (
	amsterdam = want{city: "Amsterdam", country: "NL", continent: "EU", subdivs: []string{"NH"},
		lat: 52.3676, lon: 4.9041, coords: true, radius: 20}
	sydney = want{city: "Sydney", country: "AU", continent: "OC", subdivs: []string{"NSW"},
		lat: -33.8688, lon: 151.2093, coords: true, radius: 20}
)

func with(w want, network string, asn uint32, org string) want {
	w.network, w.asn, w.org = network, asn, org
	return w
}

func TestLocate(t *testing.T) {
	db := mustOpen(t, sampleCity, sampleASN)
	cityOnly := mustOpen(t, sampleCity, "")
	const (
		eu   = "Example Networks Europe"
		apac = "Example Asia Pacific"
		v6   = "Example IPv6"
	)
	tests := []struct {
		addr     string
		want     want
		cityOnly string // Network without the ASN database, when it differs
	}{
		{"192.0.2.1", with(amsterdam, "192.0.2.0/26", 64496, eu), ""},
		{"192.0.2.63", with(amsterdam, "192.0.2.0/26", 64496, eu), ""},
		{"192.0.2.64", want{city: "Frankfurt am Main", country: "DE", continent: "EU", subdivs: []string{"HE"},
			lat: 50.1109, lon: 8.6821, coords: true, radius: 20, network: "192.0.2.64/26", asn: 64496, org: eu}, ""},
		{"192.0.2.200", want{city: "Paris", country: "FR", continent: "EU", subdivs: []string{"IDF", "75"},
			lat: 48.8566, lon: 2.3522, coords: true, radius: 20, network: "192.0.2.192/27", asn: 64497, org: "Example Transit"}, ""},
		{"198.51.100.10", want{city: "Ashburn", country: "US", continent: "NA", subdivs: []string{"VA"},
			lat: 39.0438, lon: -77.4874, coords: true, radius: 20, network: "198.51.100.0/26", asn: 64498, org: "Example Cloud Americas"}, ""},
		{"203.0.113.1", want{city: "Singapore", country: "SG", continent: "AS",
			lat: 1.3521, lon: 103.8198, coords: true, radius: 10, network: "203.0.113.0/26", asn: 64499, org: apac}, ""},
		// The ASN network (/27) is narrower than the City network (/26).
		{"203.0.113.130", with(sydney, "203.0.113.128/27", 64500, "Example Oceania"), "203.0.113.128/26"},
		{"203.0.113.170", with(sydney, "203.0.113.160/27", 64499, apac), "203.0.113.128/26"},
		// Country only: no city, no coordinates.
		{"203.0.113.241", want{country: "US", continent: "NA", network: "203.0.113.240/28", asn: 64499, org: apac}, ""},
		{"2001:db8:1::1", with(amsterdam, "2001:db8:1::/48", 64501, v6), ""},
		{"2001:db8:c:ffff::1", with(sydney, "2001:db8:c::/48", 64501, v6), ""},
		{"2001:db8:100::1", with(amsterdam, "2001:db8:100::/48", 64501, v6), ""},
		{"2001:db8:3::1", want{city: "London", country: "GB", continent: "EU", subdivs: []string{"ENG"},
			lat: 51.5074, lon: -0.1278, coords: true, radius: 20, network: "2001:db8:3::/48", asn: 64502, org: "Example London IPv6"}, ""},
		// IPv4 inside IPv6: located by the IPv4 address; the network is of
		// the original address.
		{"::ffff:192.0.2.1", with(amsterdam, "::ffff:192.0.2.0/122", 64496, eu), ""},
		{"2002:c000:201::1", with(amsterdam, "2002:c000:200::/42", 64496, eu), ""},
		{"2002:cb00:7182:1:2:3:4:5", with(sydney, "2002:cb00:7180::/43", 64500, "Example Oceania"), "2002:cb00:7180::/42"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdfe", with(amsterdam, "2001:0:4136:e378:8000:63bf:3fff:fdfe/128", 64496, eu), ""},
		{"fe80::1%eth0", want{}, ""},
		// Misses: holes, private, loopback, unspecified, invalid.
		{"192.0.2.230", want{}, ""},
		{"2001:db8::1", want{}, ""},
		{"10.0.0.1", want{}, ""},
		{"127.0.0.1", want{}, ""},
		{"::1", want{}, ""},
		{"0.0.0.0", want{}, ""},
		{"::ffff:10.1.1.1", want{}, ""},
		{"2002:a00:1::1", want{}, ""}, // 6to4 of 10.0.0.1
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			addr := netip.MustParseAddr(tt.addr)
			check(t, "Locate("+tt.addr+")", db.Locate(addr), tt.want)
			// Without the ASN database: no ASN fields, and the network is
			// the City network.
			w := tt.want
			w.asn, w.org = 0, ""
			if tt.cityOnly != "" {
				w.network = tt.cityOnly
			}
			check(t, "Locate("+tt.addr+") without ASN", cityOnly.Locate(addr), w)
		})
	}
	check(t, "Locate(invalid)", db.Locate(netip.Addr{}), want{})
}

// TestLocateCached checks that the cached path gives the same answers as the
// first decode, and that callers cannot see each other's Network.
func TestLocateCached(t *testing.T) {
	db := mustOpen(t, sampleCity, sampleASN)
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8:1::1")
	first := db.Locate(a)
	for range 3 {
		if got := db.Locate(a); !equalLocation(got, first) {
			t.Fatalf("Locate(%s) = %+v, then %+v", a, first, got)
		}
		if got := db.Locate(b); got.Network != netip.MustParsePrefix("2001:db8:1::/48") || got.City != "Amsterdam" {
			t.Fatalf("Locate(%s) = %+v", b, got)
		}
	}
}

func equalLocation(a, b geo.Location) bool {
	return slices.Equal(a.Subdivisions, b.Subdivisions) &&
		a.Continent == b.Continent && a.Country == b.Country && a.City == b.City &&
		a.Lat == b.Lat && a.Lon == b.Lon && a.HasCoordinates == b.HasCoordinates &&
		a.AccuracyRadius == b.AccuracyRadius && a.ASN == b.ASN && a.ASOrg == b.ASOrg &&
		a.Network == b.Network
}

// TestLocateNetworkInvariant checks the contract of Location.Network on
// every network of the sample database and on addresses derived from it:
// the network contains the address, and its first and last addresses get
// the same Location.
func TestLocateNetworkInvariant(t *testing.T) {
	db := mustOpen(t, sampleCity, sampleASN)
	var addrs []netip.Addr
	for p := range db.Networks() {
		addrs = append(addrs, p.Addr(), lastAddr(p), p.Addr().Next())
		if p.Addr().Is4() {
			m := netip.AddrFrom16(p.Addr().As16()) // ::ffff:a.b.c.d
			v4 := p.Addr().As4()
			sixToFour := netip.AddrFrom16([16]byte{0x20, 0x02, v4[0], v4[1], v4[2], v4[3], 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
			addrs = append(addrs, m, sixToFour)
		}
	}
	for _, a := range addrs {
		loc := db.Locate(a)
		if !loc.Known() {
			t.Errorf("Locate(%s) unknown, but the address is in a network of Networks", a)
			continue
		}
		if !loc.Network.Contains(a.WithZone("")) || loc.Network.Addr().Is4() != a.Is4() {
			t.Errorf("Locate(%s).Network = %s: does not contain the address or is of another family", a, loc.Network)
			continue
		}
		for _, b := range []netip.Addr{loc.Network.Addr(), lastAddr(loc.Network)} {
			got := db.Locate(b)
			got.Network, loc.Network = netip.Prefix{}, netip.Prefix{}
			if !equalLocation(got, loc) {
				t.Errorf("Locate(%s) = %+v, but Locate(%s) in the same network = %+v", a, loc, b, got)
			}
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// TestOtherLayouts opens databases in DB-IP's and a flat (IPinfo-like)
// layout.
func TestOtherLayouts(t *testing.T) {
	dbip := mustOpen(t, sampleDBIP, "")
	flat := mustOpen(t, sampleFlat, "")
	madrid := want{city: "Madrid", country: "ES", continent: "EU", lat: 40.4168, lon: -3.7038, coords: true}
	tests := []struct {
		db   *DB
		addr string
		want want
	}{
		// DB-IP: subdivisions without codes are left out, no accuracy radius.
		{dbip, "192.0.2.1", with(madrid, "192.0.2.0/24", 0, "")},
		{dbip, "::ffff:192.0.2.1", with(madrid, "::ffff:192.0.2.0/120", 0, "")},
		// An IPv4-only database knows nothing of IPv6.
		{dbip, "2001:db8:1::1", want{}},
		{dbip, "10.0.0.1", want{}},
		// Flat records: country_code, continent_code, city, lat/lng strings.
		{flat, "198.51.100.1", want{city: "Toronto", country: "CA", continent: "NA", lat: 43.6532, lon: -79.3832, coords: true, network: "198.51.100.0/24"}},
		{flat, "2001:db8:1::1", want{city: "Nairobi", country: "KE", continent: "AF", lat: -1.2921, lon: 36.8219, coords: true, network: "2001:db8::/32"}},
	}
	for _, tt := range tests {
		check(t, tt.db.Snapshot().Info().City.Type+" Locate("+tt.addr+")", tt.db.Locate(netip.MustParseAddr(tt.addr)), tt.want)
	}
	var got []string
	for p, loc := range dbip.Networks() {
		got = append(got, p.String()+" "+loc.City)
	}
	if w := []string{"192.0.2.0/24 Madrid", "198.51.100.0/24 Chicago", "203.0.113.0/24 Seoul"}; !slices.Equal(got, w) {
		t.Errorf("DB-IP Networks() = %q, want %q", got, w)
	}
}

// TestSnapshotsAreConsistent checks that a Snapshot answers from one version
// of the databases while Reload swaps others in.
func TestSnapshotsAreConsistent(t *testing.T) {
	dir := t.TempDir()
	city := copyTo(t, sampleCity, dir, "city.mmdb")
	db := mustOpen(t, city, "")
	s1 := db.Snapshot()
	replace(t, city, readFile(t, sampleDBIP))
	if err := db.Reload(); err != nil {
		t.Fatal(err)
	}
	s2 := db.Snapshot()
	a := netip.MustParseAddr("192.0.2.1")
	if got := s1.Locate(a).City; got != "Amsterdam" {
		t.Errorf("old snapshot Locate(%s).City = %q, want Amsterdam", a, got)
	}
	if got := s2.Locate(a).City; got != "Madrid" {
		t.Errorf("new snapshot Locate(%s).City = %q, want Madrid", a, got)
	}
	select {
	case <-s1.Replaced():
	default:
		t.Error("old snapshot's Replaced is not closed")
	}
	select {
	case <-s2.Replaced():
		t.Error("current snapshot's Replaced is closed")
	default:
	}
	if s1.Generation() != 1 || s2.Generation() != 2 {
		t.Errorf("generations %d, %d, want 1, 2", s1.Generation(), s2.Generation())
	}
}
