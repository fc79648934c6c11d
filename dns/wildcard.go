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
	// A slice that grows leaves the records returned before in its old
	// array, which the reply still holds: they stay valid.
	switch r := rr.(type) {
	case *mdns.A:
		w.a = append(w.a, *r)
		c := &w.a[len(w.a)-1]
		c.Hdr.Name = owner
		return c
	case *mdns.AAAA:
		w.aaaa = append(w.aaaa, *r)
		c := &w.aaaa[len(w.aaaa)-1]
		c.Hdr.Name = owner
		return c
	case *mdns.CNAME:
		w.cname = append(w.cname, *r)
		c := &w.cname[len(w.cname)-1]
		c.Hdr.Name = owner
		return c
	}
	c := mdns.Copy(rr)
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
