package dns

import (
	"encoding/binary"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

// handler turns query packets into reply packets. It translates: the zones
// package decides what a name answers, the Router decides what a geo-routed
// name answers, and handler maps those outcomes to rcodes and sections and
// fits the result into the transport's size.
type handler struct {
	zones   ZoneSource
	router  Router
	limits  atomic.Pointer[limits]     // size, NSID and TCP limits; replaced by Server.SetLimits
	prot    atomic.Pointer[protection] // RRL and cookies; replaced by Server.SetProtection
	now     func() time.Time           // the clock of RRL and cookies (tests: a fake one)
	log     *slog.Logger
	stats   *counters
	scratch sync.Pool // *scratch
	// timeMask selects the queries whose duration is measured: those
	// after which their scratch's count has these bits clear
	// (DurationSample-1: one in DurationSample; tests: 0, every query).
	timeMask uint32

	packSlow bool // tests: pack every reply with miekg/dns (no packAddrs)

	protMu   sync.Mutex    // serialises setProtection
	rrlTable *rrlTable     // the RRL accounts, made when RRL is first on
	secret   *CookieSecret // the random cookie secret, drawn when first needed

	signFail signFailLog // when to log answers that could not be signed
}

// scratch is the per-query working memory, reused through a sync.Pool so
// that the hot path allocates little.
type scratch struct {
	req   request
	ans   zones.Answer
	msg   mdns.Msg
	quest [1]mdns.Question
	geo   decisions // the Router's decisions for a geo-routed name
	a     []mdns.A
	aaaa  []mdns.AAAA
	ip    []byte // backing store of the addresses of a and aaaa
	cname mdns.CNAME
	wild  wildcardRRs // wildcard expansions (rr)
	all   []mdns.RR   // the additional section before truncation
	units []extraUnit // its RRsets with their RRSIGs, when truncating (pack.go)
	sig   sigScratch  // DNSSEC signing (dnssec_sign.go)
	n     uint32      // queries answered with this scratch, from a random start: picks those timed
	names nameCache   // the last query name (names.go)
	last  lastGSLB    // the last geo-routed name found (lastgslb.go)
	comp  compressor  // the names of a reply packed by packNegative
}

func newHandler(c *Config, stats *counters) *handler {
	h := &handler{
		zones:  c.Zones,
		router: c.Router,
		log:    c.Logger,
		stats:  stats,
		now:    time.Now,

		timeMask: DurationSample - 1,
	}
	h.limits.Store(limitsOf(c))
	h.setProtection(c.RRL, c.Cookies)
	// A scratch's count starts at random, so that every query has the
	// same chance to be timed however often the pool makes new ones.
	h.scratch.New = func() any { return &scratch{n: rand.Uint32()} }
	return h
}

// respond answers the query msg, which came from src (over TCP when tcp is
// set), writing the reply into out and returning it; out must have a
// length of at least 65536. It returns nil when the query gets no reply:
// a packet shorter than a header, a response (QR set), or over TCP a
// question cut short (the caller then closes the connection).
func (h *handler) respond(out, msg []byte, src netip.Addr, tcp bool) []byte {
	s := h.scratch.Get().(*scratch)
	reply, reuse := h.respondWith(s, out, msg, src, tcp)
	if reuse {
		h.scratch.Put(s)
	}
	return reply
}

// newScratch returns a scratch for a reader that keeps its own (see
// respondWith).
func (h *handler) newScratch() *scratch { return h.scratch.New().(*scratch) }

// respondWith is respond with the scratch s, which the caller owns: a UDP
// reader keeps one for all its queries rather than take one from the pool
// for each. reuse is false when s must not be used again (a panic left it
// in an unknown state).
func (h *handler) respondWith(s *scratch, out, msg []byte, src netip.Addr, tcp bool) (reply []byte, reuse bool) {
	if len(msg) < headerLen || binary.BigEndian.Uint16(msg[2:])&flagQR != 0 {
		h.stats.dropped.Add(1)
		return nil, true // RFC 1035 7.3 / NSD: never answer an answer
	}
	reuse = true
	var start time.Time
	if s.n++; s.n&h.timeMask == 0 {
		start = time.Now()
	}
	r := &s.req
	// Cleared in place, then the four fields set: a composite literal
	// that reads r.opt is built on the stack and copied (two passes
	// over the request's 600 octets, a tenth of a geo answer).
	opt := r.opt[:0] // keep the OPT buffer
	*r = request{}
	r.opt, r.lim, r.prot, r.names = opt, h.limits.Load(), h.prot.Load(), &s.names
	defer func() {
		if p := recover(); p != nil {
			h.stats.panics.Add(1)
			h.log.Error("panic answering a query; answered SERVFAIL", "panic", p,
				"qname", r.name, "qtype", r.qtype, "client", src, "stack", string(debug.Stack()))
			reply = h.bare(out, msg, r, mdns.RcodeServerFailure)
			h.stats.reply(r.qtype, r.rcode, src, tcp, start)
			reuse = false // its state is unknown
			return
		}
		if reply != nil && !tcp && r.prot.rrl != nil {
			reply = h.rateLimit(reply, r, src) // the reply, a slip or nil
		}
		if reply != nil {
			h.stats.reply(r.qtype, r.rcode, src, tcp, start)
		}
		s.release()
		if s.last.set != nil {
			var cur *zones.Set
			if h.zones != nil {
				cur = h.zones.Zones()
			}
			s.last.forgetUnless(cur)
		}
	}()
	return h.query(out, msg, s, src, tcp), true
}

// query answers msg, a query of at least a header's length, with the
// scratch s whose request respondWith has reset.
func (h *handler) query(out, msg []byte, s *scratch, src netip.Addr, tcp bool) []byte {
	r := &s.req
	r.parseHeader(msg)
	switch r.opcode {
	case mdns.OpcodeQuery:
	case mdns.OpcodeNotify:
		// We are no secondary. The question is echoed when readable and
		// the OPT record answered (RFC 6891 7); a NOTIFY's SOA in the
		// answer section is not looked at.
		r.parseLenient(msg)
		return h.bare(out, msg, r, mdns.RcodeRefused)
	default:
		r.parseLenient(msg) // the same shape of reply, as Knot answers
		return h.bare(out, msg, r, mdns.RcodeNotImplemented)
	}
	if rc := r.parse(msg); rc != mdns.RcodeSuccess {
		if tcp && rc == mdns.RcodeFormatError && r.qend == 0 && questionCut(msg) {
			// A TCP query whose question is cut short by the end of
			// the message: NSD and Knot close the connection.
			return nil
		}
		return h.bare(out, msg, r, rc)
	}
	if r.cookie || r.cookieBad {
		if rc := h.cookies(r, src, tcp); rc != mdns.RcodeSuccess {
			return h.bare(out, msg, r, rc)
		}
	}
	switch {
	case r.qclass == mdns.ClassCHAOS:
		return h.chaos(out, msg, s, tcp)
	case r.qclass != mdns.ClassINET && r.qclass != mdns.ClassANY:
		return h.bare(out, msg, r, mdns.RcodeRefused)
	case r.qtype == mdns.TypeAXFR && !tcp:
		return h.bare(out, msg, r, mdns.RcodeNotImplemented) // RFC 5936 4.2: AXFR needs TCP
	case r.qtype == mdns.TypeAXFR || r.qtype == mdns.TypeIXFR:
		// No zone transfers: REFUSED for a zone we serve, NOTAUTH for
		// any other name, as NSD answers.
		if h.zones != nil && h.zones.Zones().Zone(r.lname) != nil {
			return h.bare(out, msg, r, mdns.RcodeRefused)
		}
		return h.bare(out, msg, r, mdns.RcodeNotAuth)
	}
	return h.answer(out, msg, s, src, tcp)
}

// answer looks the question up and builds the reply.
func (h *handler) answer(out, msg []byte, s *scratch, src netip.Addr, tcp bool) []byte {
	r, a := &s.req, &s.ans
	a.Reset()
	var set *zones.Set
	if h.zones != nil {
		set = h.zones.Zones()
	}
	s.last.lookup(set, r.lname, r.qtype, a)
	r.rrlKind = rrlAnswer
	if a.Outcome == zones.Refused {
		r.ede = edeNotAuth // RFC 8914 4.21, as NSD and Knot say
		return h.bare(out, msg, r, mdns.RcodeRefused)
	}
	m := s.header()
	m.Answer = s.appendRRs(m.Answer, a.Answer)
	m.Ns = s.appendRRs(m.Ns, a.Authority)
	m.Extra = s.appendRRs(m.Extra, a.Additional)
	var scope uint8
	switch a.Outcome {
	case zones.Success, zones.NoData:
		m.Authoritative = true
	case zones.NXDomain:
		m.Authoritative = true
		m.Rcode = mdns.RcodeNameError
		r.rrlKind, r.rrlName = rrlNXDomain, a.Zone.Origin
	case zones.Referral:
		// A referral is not authoritative, unless a CNAME chain of ours
		// led to it (RFC 1034 4.3.2 step 3.b / NSD).
		m.Authoritative = len(a.Answer) > 0
		if len(a.Authority) > 0 {
			r.rrlKind, r.rrlName = rrlReferral, a.Authority[0].Name
		}
	case zones.GSLB:
		scope = h.route(s, src)
	case zones.YXDomain:
		m.Authoritative = true
		m.Rcode = mdns.RcodeYXDomain
	}
	if r.qclass == mdns.ClassANY {
		// RFC 1034: an answer to QCLASS=* is not authoritative unless
		// it covers every class; NSD (and PowerDNS) clear AA.
		m.Authoritative = false
	}
	if r.do && set.Signed() {
		if err := h.dnssec(s, set); err != nil {
			h.stats.sigFailures.Add(1)
			if log, n := h.signFail.note(h.now()); log {
				h.log.Error("cannot sign an answer; answered SERVFAIL (logged at most every 30s)",
					"qname", r.name, "qtype", r.qtype, "failures", n, "error", err)
			}
			return h.bare(out, msg, r, mdns.RcodeServerFailure)
		}
	}
	return h.pack(out, s, tcp, scope)
}

// route completes a geo-routed answer from the Router's decisions and
// returns the ECS scope of the reply.
func (h *handler) route(s *scratch, src netip.Addr) (scope uint8) {
	r, a, m := &s.req, &s.ans, &s.msg
	client, ecs := r.client(src)
	bits := 0
	if ecs {
		bits = client.Bits()
	}
	s.geo.reset()
	o := outcome{kind: pick.ServFail}
	if h.router != nil {
		o = s.geo.route(h.router, a.GSLB, r.qtype, client.Addr(), bits)
		for i := range s.geo.n {
			h.stats.answers.count(&s.geo.d[i])
		}
	}
	if ecs {
		scope = uint8(o.scope)
	}
	owner := a.GSLBOwner
	m.Authoritative = true
	switch o.kind {
	case pick.Addresses:
		n := len(m.Answer)
		m.Answer = s.appendAddrs(m.Answer, owner, o.addrs, o.ttl)
		if len(m.Answer) == n {
			m.Ns = append(m.Ns, s.rr(zones.RR{Record: a.Zone.NegSOA}))
		} else if r.qtype == mdns.TypeANY {
			m.Answer = m.Answer[:n+rrsetLen(m.Answer[n:])] // RFC 8482: one RRset
		}
	case pick.CNAME:
		s.cname = mdns.CNAME{Hdr: hdr(owner, mdns.TypeCNAME, o.ttl), Target: o.cname}
		m.Answer = append(m.Answer, &s.cname)
	case pick.NoData:
		m.Ns = append(m.Ns, s.rr(zones.RR{Record: a.Zone.NegSOA}))
	default:
		m.Authoritative = false
		m.Rcode = mdns.RcodeServerFailure
		m.Answer, m.Ns, m.Extra = m.Answer[:0], m.Ns[:0], m.Extra[:0]
		scope = 0
	}
	return scope
}

// header resets the scratch message for a reply to the request.
func (s *scratch) header() *mdns.Msg {
	r, m := &s.req, &s.msg
	m.MsgHdr = mdns.MsgHdr{Id: r.id, Response: true, RecursionDesired: r.rd}
	m.Compress = true
	// The question is packed in lower case, like every name of the
	// reply, so that names compress into it whatever the query's case;
	// pack then writes the question back as sent, and every name that
	// points into it shows the query's case, as in NSD's and Knot's
	// replies (which compress case-insensitively).
	s.quest[0] = mdns.Question{Name: r.lname, Qtype: r.qtype, Qclass: r.qclass}
	m.Question = s.quest[:]
	m.Answer, m.Ns, m.Extra = m.Answer[:0], m.Ns[:0], m.Extra[:0]
	return m
}

// release drops the scratch's references to records, so that a pooled
// scratch does not keep an old zone set alive.
func (s *scratch) release() {
	m := &s.msg
	clear(m.Answer[:cap(m.Answer)])
	clear(m.Ns[:cap(m.Ns)])
	clear(m.Extra[:cap(m.Extra)])
	clear(s.all[:cap(s.all)])
	clear(s.units[:cap(s.units)])
	clear(s.sig.out[:cap(s.sig.out)])
	s.ans.Reset()
	clear(s.ans.Answer[:cap(s.ans.Answer)])
	clear(s.ans.Authority[:cap(s.ans.Authority)])
	clear(s.ans.Additional[:cap(s.ans.Additional)])
	s.geo.reset()
	s.cname = mdns.CNAME{}
	s.wild.reset()
	clear(s.comp.suffix[:s.comp.n])
	s.comp.reset()
}

// rr returns the record to put in the reply for x: the shared record
// itself, or a copy under another owner name (a wildcard expansion).
// Shared records are never modified. Owners are in lower case: the query's
// case comes from compression into the question (see header).
func (s *scratch) rr(x zones.RR) mdns.RR {
	if x.Synth != "" { // a CNAME synthesized from a DNAME (RFC 6672)
		return &mdns.CNAME{Hdr: hdr(x.Owner, mdns.TypeCNAME, x.TTL), Target: x.Synth}
	}
	rr := x.Data.(mdns.RR)
	owner := x.Owner
	if owner == "" {
		owner = x.Name
	}
	if owner == rr.Header().Name {
		return rr
	}
	return s.wild.expand(rr, owner)
}

func (s *scratch) appendRRs(dst []mdns.RR, rrs []zones.RR) []mdns.RR {
	for _, x := range rrs {
		dst = append(dst, s.rr(x))
	}
	return dst
}

// appendAddrs appends an A or AAAA record with TTL ttl for each of addrs
// that the query type asks for, built in the scratch's reusable storage.
func (s *scratch) appendAddrs(dst []mdns.RR, owner string, addrs []netip.Addr, ttl uint32) []mdns.RR {
	qtype := s.req.qtype
	want4 := qtype == mdns.TypeA || qtype == mdns.TypeANY
	want6 := qtype == mdns.TypeAAAA || qtype == mdns.TypeANY
	// Size the storage first: dst keeps pointers into it.
	n := len(addrs)
	if cap(s.a) < n {
		s.a = make([]mdns.A, 0, n)
		s.aaaa = make([]mdns.AAAA, 0, n)
	}
	if cap(s.ip) < 16*n {
		s.ip = make([]byte, 0, 16*n)
	}
	s.a, s.aaaa, s.ip = s.a[:0], s.aaaa[:0], s.ip[:0]
	for _, addr := range addrs {
		addr = addr.Unmap()
		switch {
		case addr.Is4() && want4:
			b := addr.As4()
			s.ip = append(s.ip, b[:]...)
			s.a = append(s.a, mdns.A{Hdr: hdr(owner, mdns.TypeA, ttl), A: s.ip[len(s.ip)-4:]})
			dst = append(dst, &s.a[len(s.a)-1])
		case addr.Is6() && want6:
			b := addr.As16()
			s.ip = append(s.ip, b[:]...)
			s.aaaa = append(s.aaaa, mdns.AAAA{Hdr: hdr(owner, mdns.TypeAAAA, ttl), AAAA: s.ip[len(s.ip)-16:]})
			dst = append(dst, &s.aaaa[len(s.aaaa)-1])
		}
	}
	return dst
}

func hdr(owner string, typ uint16, ttl uint32) mdns.RR_Header {
	return mdns.RR_Header{Name: owner, Rrtype: typ, Class: mdns.ClassINET, Ttl: ttl}
}
