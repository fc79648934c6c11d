package mmdb

import (
	"bufio"
	"bytes"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// readmeRow is one row of a table of testdata/geoip/README.md whose first
// cell is a network.
type readmeRow struct {
	line    int
	network netip.Prefix
	cells   []string // after the network
}

func readmeRows(t *testing.T) []readmeRow {
	t.Helper()
	var rows []readmeRow
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, sampleDir+"/README.md")))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		p, err := netip.ParsePrefix(cells[0])
		if err != nil {
			continue // a header or another table
		}
		rows = append(rows, readmeRow{line: n, network: p, cells: cells[1:]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSampleDatabases checks that the committed databases open with the
// documented types and hold exactly the networks that
// testdata/geoip/README.md documents.
func TestSampleDatabases(t *testing.T) {
	db := mustOpen(t, sampleCity, sampleASN)
	cityOnly := mustOpen(t, sampleCity, "")
	in := db.Snapshot().Info()
	if in.City.Type != "GeoIP2-City" || in.City.IPVersion != 6 || in.ASN.Type != "GeoLite2-ASN" || in.ASN.IPVersion != 6 {
		t.Errorf("sample database types: %+v", in)
	}
	for _, f := range []string{sampleCity, sampleASN, sampleDBIP, sampleFlat, misalignedCity, misalignedASN} {
		if n := len(readFile(t, f)); n > 512<<10 {
			t.Errorf("%s is %d bytes; keep the samples small", f, n)
		}
	}

	walked := map[netip.Prefix]string{}
	for p, loc := range cityOnly.Networks() {
		walked[p] = loc.City
	}

	rows := readmeRows(t)
	var cityRows, asnRows int
	for _, r := range rows {
		ends := []netip.Addr{r.network.Addr(), lastAddr(r.network)}
		switch len(r.cells) {
		case 7, 6: // documentation ranges (7 more cells) or one /48 per city (6)
			cityRows++
			name := r.cells[0]
			for _, a := range ends {
				loc := cityOnly.Locate(a)
				switch {
				case name == "*no data*":
					if loc.Known() {
						t.Errorf("README line %d: Locate(%s) = %+v, want unknown", r.line, a, loc)
					}
					continue
				case strings.HasPrefix(name, "*country only"):
					if loc.City != "" || loc.HasCoordinates || loc.Country != r.cells[1] || loc.Continent != r.cells[3] {
						t.Errorf("README line %d: Locate(%s) = %+v, want country %s only", r.line, a, loc, r.cells[1])
					}
				default:
					var subdivs []string
					if r.cells[2] != "" {
						subdivs = strings.Split(r.cells[2], ", ")
					}
					lat, _ := strconv.ParseFloat(r.cells[4], 64)
					lon, _ := strconv.ParseFloat(r.cells[5], 64)
					if loc.City != name || loc.Country != r.cells[1] || !slices.Equal(loc.Subdivisions, subdivs) ||
						loc.Continent != r.cells[3] || !loc.HasCoordinates ||
						math.Abs(loc.Lat-lat) > 1e-4 || math.Abs(loc.Lon-lon) > 1e-4 {
						t.Errorf("README line %d: Locate(%s) = %+v, want %s %q", r.line, a, loc, r.network, r.cells)
					}
					if len(r.cells) == 7 {
						if radius, _ := strconv.Atoi(r.cells[6]); int(loc.AccuracyRadius) != radius {
							t.Errorf("README line %d: Locate(%s).AccuracyRadius = %d, want %d", r.line, a, loc.AccuracyRadius, radius)
						}
					}
				}
				if loc.Network != r.network {
					t.Errorf("README line %d: Locate(%s).Network = %s, want %s", r.line, a, loc.Network, r.network)
				}
			}
			if name != "*no data*" {
				if _, ok := walked[r.network]; !ok {
					t.Errorf("README line %d: Networks() does not yield %s", r.line, r.network)
				}
			}
		case 2: // ASN database
			asnRows++
			asn, _ := strconv.ParseUint(r.cells[0], 10, 32)
			// Locate answers ASN fields only where the City database has a
			// record: try an address of a City network in this ASN network
			// and outside the more specific ASN networks.
			a, ok := cityAddrIn(r.network, walked, rows)
			if !ok {
				t.Errorf("README line %d: no City network inside %s", r.line, r.network)
				continue
			}
			loc := db.Locate(a)
			if loc.ASN != uint32(asn) || loc.ASOrg != r.cells[1] {
				t.Errorf("README line %d: Locate(%s) ASN = %d %q, want %d %q", r.line, a, loc.ASN, loc.ASOrg, asn, r.cells[1])
			}
		default:
			t.Errorf("README line %d: unexpected table row %q", r.line, r.cells)
		}
	}
	if cityRows < 80 || asnRows < 5 {
		t.Errorf("README has %d city rows and %d ASN rows; the tables were not found", cityRows, asnRows)
	}
}

// cityAddrIn returns the first address inside asnNet that is in a walked
// City network and outside the more specific ASN networks of rows.
func cityAddrIn(asnNet netip.Prefix, walked map[netip.Prefix]string, rows []readmeRow) (netip.Addr, bool) {
	candidates := []netip.Addr{asnNet.Addr()}
	for p := range walked {
		if asnNet.Contains(p.Addr()) {
			candidates = append(candidates, p.Addr())
		}
	}
	slices.SortFunc(candidates, netip.Addr.Compare)
next:
	for _, c := range candidates {
		for _, r := range rows {
			if len(r.cells) == 2 && r.network.Bits() > asnNet.Bits() && r.network.Contains(c) {
				continue next
			}
		}
		for p := range walked {
			if p.Contains(c) {
				return c, true
			}
		}
	}
	return netip.Addr{}, false
}
