package config

import (
	"sort"

	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
)

// parseDatacenters reads the [datacenters.NAME] tables: where each
// datacenter is. lat and lon are required.
func parseDatacenters(t *tomlcheck.Table, c *Config) {
	c.Datacenters = map[string]pick.Datacenter{}
	for _, name := range t.Keys() {
		dt, ok := t.Table(name)
		if !ok {
			continue
		}
		dc := pick.Datacenter{Name: name}
		dt.Required("lat")
		dt.Required("lon")
		dc.Lat, _ = dt.Float("lat", -90, 90)
		dc.Lon, _ = dt.Float("lon", -180, 180)
		dt.Unknown(nil)
		c.Datacenters[name] = dc
	}
}

// DatacenterNames returns the datacenter names, sorted.
func (c *Config) DatacenterNames() []string {
	out := make([]string, 0, len(c.Datacenters))
	for n := range c.Datacenters {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
