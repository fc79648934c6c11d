package zones

import (
	"github.com/gslb/gslb/internal/dnscode"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// structure checks what needs the whole zone: CNAMEs beside other data,
// the apex NS, zone cuts and what they occlude, and NS targets.
func (c *compiler) structure() {
	z, t := c.z, c.root
	apex := z.nodes[z.Origin]
	if apex.get(TypeNS) == nil {
		t.Errorf(t.KeyPath("origin"), "zone %s has no NS records at its apex", z.Origin)
	}
	// Whether the zone has a delegation or a DNAME at all (add noted
	// them): most have neither, and then no name needs its ancestors
	// looked up.
	anyCut, anyDNAME := c.anyCut, c.anyDNAME
	// Map order: the errors are sorted by position when the list is
	// returned (tomlcheck.ErrorList.Err), so sorting a million names first
	// would buy nothing.
	for _, n := range z.nodes {
		if cname := n.get(TypeCNAME); cname != nil {
			if len(cname) > 1 {
				z.errAt(t, cname[1], "more than one CNAME at %s", n.name)
			}
			for _, set := range n.sets {
				if set.typ != TypeCNAME && set.typ != TypeRRSIG && set.typ != TypeNSEC {
					z.errAt(t, cname[0], "CNAME at %s beside other data (%s at %s)", n.name, dnscode.TypeString(set.typ), z.at(set.records[0]))
					break
				}
			}
		}
		if owner := dnameAbove(z, n, anyDNAME); owner != "" {
			if n.gslb != nil {
				t.ErrorAt(n.gslb.Pos, "GSLB name %s is below the DNAME at %s", n.name, owner)
			}
			for _, set := range n.sets {
				z.errAt(t, set.records[0], "%s at %s is occluded by the DNAME at %s (RFC 6672)", dnscode.TypeString(set.typ), n.name, owner)
			}
		}
		if d := n.get(TypeDNAME); d != nil && n.get(TypeCNAME) != nil {
			z.errAt(t, d[0], "DNAME and CNAME at %s", n.name)
		}
		if d := n.get(TypeDNAME); len(d) > 1 {
			z.errAt(t, d[1], "more than one DNAME at %s", n.name)
		}
		if cut := cutAbove(z, n, anyCut); cut != "" {
			if n.gslb != nil {
				t.ErrorAt(n.gslb.Pos, "GSLB name %s is below the delegation at %s", n.name, cut)
			}
			for _, set := range n.sets {
				if set.typ != TypeA && set.typ != TypeAAAA {
					z.errAt(t, set.records[0], "%s at %s is below the delegation at %s: only glue (A, AAAA) may be there", dnscode.TypeString(set.typ), n.name, cut)
				}
			}
		}
		if n.cut {
			for _, set := range n.sets {
				switch set.typ {
				case TypeNS, TypeDS, TypeA, TypeAAAA:
				default:
					z.errAt(t, set.records[0], "%s at the delegation point %s is occluded: only NS, DS and glue belong there", dnscode.TypeString(set.typ), n.name)
				}
			}
		}
		for _, ns := range n.get(TypeNS) {
			if !inZone(ns.Target, z.Origin) {
				continue
			}
			tn := z.nodes[ns.Target]
			switch {
			case tn != nil && tn.gslb != nil:
				z.errAt(t, ns, "NS target %s is a GSLB name: a name server needs a fixed address", ns.Target)
			case tn == nil || (tn.get(TypeA) == nil && tn.get(TypeAAAA) == nil):
				z.errAt(t, ns, "NS target %s is inside the zone but has no A or AAAA record", ns.Target)
			}
		}
	}
}

func (z *Zone) errAt(t *tomlcheck.Table, r *Record, format string, args ...any) {
	t.ErrorAt(z.at(r), format, args...)
}

// dnameAbove is z.dnameAbove(n.name), skipped when the zone has no DNAME.
func dnameAbove(z *Zone, n *node, has bool) string {
	if !has {
		return ""
	}
	return z.dnameAbove(n.name)
}

// cutAbove is z.cutAbove(n.name), skipped when the zone has no delegation.
func cutAbove(z *Zone, n *node, has bool) string {
	if !has {
		return ""
	}
	return z.cutAbove(n.name)
}
