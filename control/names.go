package control

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
)

// serverConfig is what the zone source may also give: the server
// configuration, whose pools exist even when no zone uses them.
type serverConfig interface {
	Config() *config.Config
}

// knownNames is what an override may name: the pools of the zones being
// served and of the server configuration, and their members' datacenters
// and addresses.
type knownNames struct {
	pools map[string]*pick.Pool
}

// names collects the pools an override may name now.
func (s *Server) names() knownNames {
	k := knownNames{pools: map[string]*pick.Pool{}}
	if sc, ok := s.zones.(serverConfig); ok {
		if cfg := sc.Config(); cfg != nil {
			for n, p := range cfg.Pools {
				k.pools[n] = p
			}
		}
	}
	for _, z := range s.zones.Zones().Zones() {
		for n, p := range z.Pools {
			k.pools[n] = p
		}
	}
	return k
}

// check reports whether o names a pool that exists and a datacenter or
// address that is a member of it (of any pool when o.Pool is ""). Names
// match exactly; a name that differs only in case gets a hint.
func (k knownNames) check(o health.Override) error {
	pools := k.pools
	if o.Pool != "" {
		p, ok := k.pools[o.Pool]
		if !ok {
			return fmt.Errorf("pool %q does not exist%s", o.Pool, hint(o.Pool, slices.Collect(maps.Keys(k.pools))))
		}
		pools = map[string]*pick.Pool{o.Pool: p}
	}
	where := "any pool"
	if o.Pool != "" {
		where = "pool " + o.Pool
	}
	if o.Addr.IsValid() {
		for _, p := range pools {
			for _, m := range p.Members {
				if slices.Contains(m.V4, o.Addr) || slices.Contains(m.V6, o.Addr) {
					return nil
				}
			}
		}
		return fmt.Errorf("address %s is not an address of %s", o.Addr, where)
	}
	var dcs []string
	for _, p := range pools {
		for _, m := range p.Members {
			if m.Datacenter.Name == o.Datacenter {
				return nil
			}
			dcs = append(dcs, m.Datacenter.Name)
		}
	}
	return fmt.Errorf("datacenter %q is not a member of %s%s", o.Datacenter, where, hint(o.Datacenter, dcs))
}

// hint returns " (did you mean X?)" when a known name equals name but for
// case, else "".
func hint(name string, known []string) string {
	sort.Strings(known)
	for _, n := range known {
		if strings.EqualFold(n, name) {
			return fmt.Sprintf(" (did you mean %s?)", n)
		}
	}
	return ""
}
