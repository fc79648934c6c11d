package zones

import (
	"strings"
	"time"

	"github.com/gslb/gslb/pick"
)

// Zone is one compiled, immutable zone file.
type Zone struct {
	Origin  string    // absolute, lower case
	Pos     Position  // where origin is written
	File    string    // the file it was loaded from
	Serial  uint32    // the SOA serial (given or derived)
	SOA     *Record   // the SOA with the zone's TTL, answered to SOA queries
	NegSOA  *Record   // the SOA with TTL min(SOA TTL, minimum), for negative answers
	Loaded  time.Time // when this version was compiled
	Pools   map[string]*pick.Pool
	DNSSEC  *DNSSEC          // the [dnssec] table: nil when the zone is not signed
	nodes   map[string]*node // every owner name, empty non-terminal and GSLB name
	apex    *node            // nodes[Origin], which every lookup starts from
	nlabels int              // labels in Origin

	maxChain int // CNAMEs followed for one answer starting here (max_cname_chain); 0: the default
}

// Name is a compiled [gslb.NAME] table: a geo-routed name answered from a pool.
type Name struct {
	Name        string // absolute owner name, lower case
	Pool        *pick.Pool
	TTL         uint32 // TTL of normal answers
	DegradedTTL uint32 // TTL of failover and fail-open answers
	Pos         Position
}

// rrset is the records of one type at one name.
type rrset struct {
	typ     uint16
	records []*Record
}

// node is one name in the zone tree.
type node struct {
	name string
	sets []rrset // ordered by type
	gslb *Name
	cut  bool  // NS at a name other than the apex: a delegation point
	wild *node // the wildcard child "*.name", if any
}

func (n *node) get(t uint16) []*Record {
	for i := range n.sets {
		if n.sets[i].typ == t {
			return n.sets[i].records
		}
	}
	return nil
}

// Names returns the zone's GSLB names.
func (z *Zone) Names() []*Name {
	var out []*Name
	for _, n := range z.nodes {
		if n.gslb != nil {
			out = append(out, n.gslb)
		}
	}
	return out
}

// node returns the node for name, creating it and its empty ancestors.
func (z *Zone) node(name string) *node {
	if n, ok := z.nodes[name]; ok {
		return n
	}
	n := &node{name: name}
	z.nodes[name] = n
	if name != z.Origin {
		parent := z.node(parentName(name))
		if strings.HasPrefix(name, "*.") {
			parent.wild = n
		}
	}
	return n
}

// dnameAbove returns the owner of a DNAME strictly above name, or "".
func (z *Zone) dnameAbove(name string) string {
	for p := parentName(name); p != "" && inZone(p, z.Origin); p = parentName(p) {
		if n := z.nodes[p]; n != nil && n.get(TypeDNAME) != nil {
			return p
		}
		if p == z.Origin {
			break
		}
	}
	return ""
}

// cutAbove returns the delegation point strictly above name, or "".
func (z *Zone) cutAbove(name string) string {
	for p := parentName(name); p != "" && inZone(p, z.Origin) && p != z.Origin; p = parentName(p) {
		if n := z.nodes[p]; n != nil && n.cut {
			return p
		}
	}
	return ""
}

// Authoritative reports whether the zone holds authoritative data at name:
// name is in the zone and neither a delegation point nor below one (where
// only glue is). Records at such names, as glue in a referral or the
// additional section, are not signed (RFC 4035 2.2).
func (z *Zone) Authoritative(name string) bool {
	if !inZone(name, z.Origin) {
		return false
	}
	if n := z.nodes[name]; n != nil && n.cut {
		return false
	}
	return z.cutAbove(name) == ""
}
