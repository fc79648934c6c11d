package zones

import (
	"slices"
	"strings"

	"github.com/gslb/gslb/internal/tomlcheck"
)

// Warnings returns what in the zone loads but looks like a mistake, each
// at its position with a message starting "warning: ": names that repeat
// the origin at their end (mail.example.com.example.com.), which is what
// a name written without its final dot becomes, and CNAME chains longer
// than max_cname_chain.
func (z *Zone) Warnings() tomlcheck.ErrorList {
	var out tomlcheck.ErrorList
	names := make([]string, 0, len(z.nodes))
	for n := range z.nodes {
		names = append(names, n)
	}
	slices.Sort(names)
	warn := func(pos Position, what, name string) {
		out.Add(pos, "", "warning: %s %s repeats the origin %s: a forgotten final dot? (write %s, or %s relative to the origin)",
			what, name, z.Origin, strings.TrimSuffix(name, z.Origin), relative(strings.TrimSuffix(name, z.Origin), z.Origin))
	}
	for _, n := range names {
		node := z.nodes[n]
		if g := node.gslb; g != nil && repeatsOrigin(g.Name, z.Origin) {
			warn(g.Pos, "GSLB name", g.Name)
		}
		for _, set := range node.sets {
			for _, r := range set.records {
				if r == z.SOA {
					continue
				}
				if repeatsOrigin(r.Name, z.Origin) {
					warn(z.at(r), "owner", r.Name)
				}
				if repeatsOrigin(r.Target, z.Origin) {
					warn(z.at(r), "target", r.Target)
				}
			}
		}
	}
	out = append(out, z.chainWarnings()...)
	out.Sort()
	return out
}

// repeatsOrigin reports whether name ends with the origin twice, as
// "mail.example.com" written relative to example.com. becomes.
func repeatsOrigin(name, origin string) bool {
	if origin == "." || name == "" {
		return false
	}
	twice := strings.TrimSuffix(origin, ".") + "." + origin
	return name == twice || strings.HasSuffix(name, "."+twice)
}

// relative returns name relative to origin ("@" for the origin itself).
func relative(name, origin string) string {
	if name == origin {
		return "@"
	}
	return strings.TrimSuffix(name, "."+origin)
}
