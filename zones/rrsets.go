package zones

import (
	"slices"

	"github.com/gslb/gslb/internal/dnscode"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// records parses the records array.
func (c *compiler) records() []*Record {
	t := c.root
	texts, _ := t.Strings("records")
	out := make([]*Record, 0, len(texts))
	// The records live in one array, not one object each: a tenth of the
	// objects for the collector to mark and fewer half-used spans after
	// a reload (a record written in error leaves its slot unused).
	slab := make([]Record, len(texts))
	posOf := t.ElemPos("records")
	path := func(i int) []string { return append(t.KeyPath("records"), tomlcheck.Index(i)) }
	for i, text := range texts {
		if ctx := c.opts.Context; i%256 == 0 && ctx != nil && ctx.Err() != nil {
			t.Errorf(t.KeyPath("records"), "loading stopped: %v", ctx.Err())
			return out
		}
		rec, err := c.parse(text, c.origin, c.ttl)
		if err != nil {
			t.Errorf(path(i), "%v", err)
			continue
		}
		pos := posOf(i)
		rec.Line, rec.Col = int32(pos.Line), int32(pos.Col)
		r := &slab[i]
		*r = rec
		switch {
		case !inZone(r.Name, c.origin):
			t.Errorf(path(i), "owner %s is outside the zone's origin %s", r.Name, c.origin)
			continue
		case r.Type == TypeSOA:
			t.Errorf(path(i), "SOA records come from the [soa] table, not from records")
			continue
		case r.TTL > MaxTTL:
			t.Errorf(path(i), "TTL %d out of range [0, %d]", r.TTL, MaxTTL)
			continue
		}
		out = append(out, r)
	}
	return out
}

// add puts a record into its node, dropping exact duplicates, and marks
// delegation points (NS at a name other than the apex); it notes whether
// the zone has any, or any DNAME, for structure. Duplicates are records of
// the same type with the same RDATA (compared in canonical wire form) and
// the same TTL. The same RDATA with another TTL is the same record with a
// TTL that differs from its RRset's, and is reported as such.
func (c *compiler) add(r *Record) {
	n := c.z.node(r.Name)
	for i := range n.sets {
		set := &n.sets[i]
		if set.typ != r.Type {
			continue
		}
		for _, o := range set.records {
			if o.RData == r.RData && o.TTL == r.TTL {
				return // the same record twice: an RRset holds it once
			}
		}
		if first := set.records[0]; first.TTL != r.TTL {
			c.root.ErrorAt(c.z.at(r), "TTL %d differs from TTL %d of the same RRset at %s (RFC 2181 5.2: give every record of an RRset the same TTL)", r.TTL, first.TTL, c.z.at(first))
			return
		}
		if len(set.records) >= c.lim.rrsetRecords {
			if c.over(r) {
				c.root.ErrorAt(c.z.at(r), "more than max_rrset_records (%d) records in the %s RRset of %s", c.lim.rrsetRecords, dnscode.TypeString(r.Type), r.Name)
			}
			return
		}
		set.records = append(set.records, r)
		return
	}
	if len(n.sets) >= c.lim.typesPerName {
		if c.over(&Record{Name: r.Name}) {
			c.root.ErrorAt(c.z.at(r), "more than max_types_per_name (%d) record types at %s", c.lim.typesPerName, r.Name)
		}
		return
	}
	n.sets = append(n.sets, rrset{typ: r.Type, records: []*Record{r}})
	switch {
	case r.Type == TypeNS && n.name != c.origin:
		n.cut, c.anyCut = true, true // a delegation point
	case r.Type == TypeDNAME:
		c.anyDNAME = true
	}
	slices.SortFunc(n.sets, func(a, b rrset) int { return int(a.typ) - int(b.typ) })
}

// over reports whether r is the first record past a limit of its name
// (Type 0: the number of types) or RRset, so that each is reported once.
func (c *compiler) over(r *Record) bool {
	k := overKey{r.Name, r.Type}
	if c.reported[k] {
		return false
	}
	if c.reported == nil {
		c.reported = map[overKey]bool{}
	}
	c.reported[k] = true
	return true
}

// overKey is a name (type 0) or RRset whose limit was reported.
type overKey struct {
	name string
	typ  uint16
}
