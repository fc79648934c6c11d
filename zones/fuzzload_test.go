package zones_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/route"
	"github.com/gslb/gslb/zones"
)

// FuzzLoad runs the whole configuration loader on a server configuration
// and a zone file, as `gslb serve` and `gslb check` do: the server
// configuration (its maps, pools, checks and limits included), then the
// zone compiled against it, then a zone set with lookups and the routing
// of every geo-routed name. It holds that nothing panics, that every
// problem has a message and is positioned in the file it is about, and
// that what loads answers.
func FuzzLoad(f *testing.F) {
	for _, seed := range [][2]string{
		{"../testdata/example/gslb.toml", "../testdata/example/zones/example.com.toml"},
		{"../testdata/dns/gslb.toml", "../testdata/dns/zones/example.com.toml"},
		{"../testdata/dns/gslb.toml", "../testdata/dns/zones/example.org.toml"},
	} {
		cfg, err := os.ReadFile(seed[0])
		if err != nil {
			f.Fatal(err)
		}
		zone, err := os.ReadFile(seed[1])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(cfg, zone)
	}
	f.Add([]byte("max_types_per_name = 2\nmax_rrset_records = 1\nmax_cname_chain = 1\nmax_zone_file_size = 120\n"),
		[]byte(zoneHead+"  \"a CNAME b\",\n  \"b CNAME c\",\n  \"c A 192.0.2.1\",\n  \"c A 192.0.2.2\",\n]"))
	f.Add([]byte("[datacenters.ams]\nlat = 1\nlon = 2\n[maps.m]\ndefault = [\"ams\", \"*\"]\ncidrs = { \"192.0.2.0/24\" = [\"ams\"] }\n[pools.p]\nmap = \"m\"\nmembers = [{datacenter = \"ams\", addresses = [\"192.0.2.10\", \"2001:db8::1\"]}]\n"),
		[]byte(zoneHead+"]\n[gslb.www]\npool = \"p\"\n[gslb.\"@\"]\npool = \"p\"\n"))
	dir := f.TempDir()
	cfgFile, zoneFile := filepath.Join(dir, "gslb.toml"), filepath.Join(dir, "zones", "z.toml")
	f.Fuzz(func(t *testing.T, cfgSrc, zoneSrc []byte) {
		cfg, err := config.Parse(cfgFile, cfgSrc)
		if err != nil {
			positioned(t, err, cfgFile)
			return
		}
		z, err := zones.Compile(zoneFile, zoneSrc, cfg, dns.ParseRecord, zones.CompileOptions{})
		if err != nil {
			positioned(t, err, zoneFile)
			return
		}
		set := zones.NewSet([]*zones.Zone{z})
		r := route.New(route.Options{})
		r.Update(set)
		var a zones.Answer
		for _, name := range []string{z.Origin, "www." + z.Origin, "a.b.c." + z.Origin} {
			for _, qt := range []uint16{zones.TypeA, zones.TypeCNAME, zones.TypeAAAA, zones.TypeANY, zones.TypeDS} {
				a.Reset()
				set.Lookup(name, qt, &a)
				if a.Outcome == zones.Refused {
					t.Fatalf("Lookup(%s, %d) in its own zone refused", name, qt)
				}
			}
		}
		var d pick.Decision
		for _, n := range z.Names() {
			for _, client := range []string{"192.0.2.1", "2001:db8::1", "198.51.100.7"} {
				r.Route(n, pick.IPv4, netip.MustParseAddr(client), 24, &d)
				r.Route(n, pick.IPv6, netip.MustParseAddr(client), 0, &d)
			}
		}
	})
}

// positioned fails t unless every problem of err has a message and is
// positioned in file.
func positioned(t *testing.T, err error, file string) {
	t.Helper()
	errs := tomlcheck.Errors(err)
	if len(errs) == 0 {
		t.Fatalf("error without problems: %v", err)
	}
	for _, e := range errs {
		if e.Msg == "" || e.Pos.File != file {
			t.Fatalf("problem without message or not in %s: %#v", file, e)
		}
	}
}
