package zones_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/pick"
)

const geoZone = `origin = "example.com."
records = ["@ NS ns1", "ns1 A 192.0.2.53"]
[gslb.www]
pool = "web"
[pools.web]
members = [
  { datacenter = "ams", addresses = ["192.0.2.10"] },
  %s
]
`

func withDC(cfg *config.Config, name string, lat, lon float64) *config.Config {
	next := *cfg
	next.Datacenters = map[string]pick.Datacenter{}
	for n, dc := range cfg.Datacenters {
		next.Datacenters[n] = dc
	}
	next.Datacenters[name] = pick.Datacenter{Name: name, Lat: lat, Lon: lon}
	return &next
}

// datacenterOf returns the coordinates the serving www pool has for dc.
func datacenterOf(t *testing.T, p *pick.Pool, dc string) pick.Datacenter {
	t.Helper()
	for _, m := range p.Members {
		if m.Datacenter.Name == dc {
			return m.Datacenter
		}
	}
	t.Fatalf("pool %s has no member in %s", p.Name, dc)
	return pick.Datacenter{}
}

func TestStoreSetConfig(t *testing.T) {
	st, dir, changed := newStore(t)
	path := filepath.Join(dir, "example.com.toml")
	write(t, path, strings.Replace(geoZone, "%s", `{ datacenter = "iad", addresses = ["198.51.100.10"] },`, 1))
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	<-changed
	serial := st.Current().Zone("example.com.").Serial

	// a new position for ams: the serving zone is compiled again against it,
	// with the same serial (the file did not change)
	moved := withDC(st.Config(), "ams", 50, 5)
	if err := st.SetConfig(moved); err != nil {
		t.Fatal(err)
	}
	set := <-changed
	z := set.Zone("example.com.")
	if got := datacenterOf(t, z.Pools["web"], "ams"); got.Lat != 50 {
		t.Errorf("after SetConfig: ams at %v, want lat 50", got)
	}
	if z.Serial != serial {
		t.Errorf("serial %d changed to %d with the file unchanged", serial, z.Serial)
	}
	if st.Config() != moved {
		t.Error("Config() is not the configuration set")
	}

	// a configuration without iad would take the zone down: refused, with
	// the zone file's position, and nothing changes
	noIAD := withDC(&config.Config{}, "ams", 50, 5)
	err := st.SetConfig(noIAD)
	if err == nil || !strings.Contains(err.Error(), "example.com.toml:8:") || !strings.Contains(err.Error(), "iad") {
		t.Fatalf("SetConfig without iad = %v, want a positioned error naming iad", err)
	}
	if st.Config() != moved || st.Current() != set {
		t.Error("a refused configuration changed the store")
	}

	// the configuration and the zone file change together: accepted
	write(t, path, strings.Replace(geoZone, "%s", "", 1))
	if err := st.SetConfig(noIAD); err != nil {
		t.Fatalf("SetConfig with the zone file following: %v", err)
	}
	if p := (<-changed).Zone("example.com.").Pools["web"]; len(p.Members) != 1 || st.Config() != noIAD {
		t.Errorf("after SetConfig with the zone file following: %d members, want 1", len(p.Members))
	}
}
