package dns

import mdns "github.com/miekg/dns"

// wildcardRRs is a scratch's storage for the records of wildcard
// expansions: a zone's shared record under the query's name. The common
// types (A, AAAA, CNAME) are copied into storage reused from query to
// query, sharing the record's data, which packing only reads; others are
// copied whole.
type wildcardRRs struct {
	a     []mdns.A
	aaaa  []mdns.AAAA
	cname []mdns.CNAME
}

// expand returns rr under the owner name owner; rr is not modified. The
// record returned is valid until reset.
func (w *wildcardRRs) expand(rr mdns.RR, owner string) mdns.RR {
	switch r := rr.(type) {
	case *mdns.A:
		return expandInto(&w.a, r, owner)
	case *mdns.AAAA:
		return expandInto(&w.aaaa, r, owner)
	case *mdns.CNAME:
		return expandInto(&w.cname, r, owner)
	}
	c := mdns.Copy(rr)
	c.Header().Name = owner
	return c
}

// expandInto appends a copy of r to *store and returns it under owner. A
// store that grows leaves the records returned before in its old array,
// which the reply still holds: they stay valid.
func expandInto[T any, P interface {
	*T
	mdns.RR
}](store *[]T, r P, owner string) mdns.RR {
	*store = append(*store, *r)
	c := P(&(*store)[len(*store)-1])
	c.Header().Name = owner
	return c
}

// reset forgets the expansions, so that they keep no zone's data alive.
func (w *wildcardRRs) reset() {
	clear(w.a)
	clear(w.aaaa)
	clear(w.cname)
	w.a, w.aaaa, w.cname = w.a[:0], w.aaaa[:0], w.cname[:0]
}
