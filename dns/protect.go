package dns

import (
	"cmp"
	"crypto/rand"
	"encoding/binary"
	"net/netip"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/config"
)

// Defaults of RRLConfig: those of the server configuration's [rrl].
const (
	DefaultRRLWindow     = config.DefaultRRLWindow
	DefaultRRLIPv4Prefix = config.DefaultRRLIPv4Prefix
	DefaultRRLIPv6Prefix = config.DefaultRRLIPv6Prefix
)

// RRLConfig configures response rate limiting (see rrl.go). The zero value
// turns it off. It applies to UDP answers only: TCP answers, answers to
// queries with a valid server cookie and answers to exempt prefixes are
// never limited.
type RRLConfig struct {
	// ResponsesPerSecond is the number of identical responses (the same
	// name and type; NXDOMAIN of one zone; referrals to one delegation;
	// errors) a client prefix gets per second, with a burst of one
	// second's worth. Default 0: RRL off.
	ResponsesPerSecond int
	// Window is how long an account that was limited is kept in the
	// table in preference to others. Default 15s.
	Window time.Duration
	// Slip sends every Slip-th limited response truncated (TC set, no
	// records: a resolver retries over TCP) and drops the others; 1
	// truncates them all, 0 drops them all. No default: 0 drops.
	Slip int
	// IPv4Prefix and IPv6Prefix are the lengths of the client prefixes
	// counted together. Default 24 and 56.
	IPv4Prefix, IPv6Prefix int
	// Exempt are prefixes never limited.
	Exempt []netip.Prefix
	// DryRun counts what would be limited (Stats.RRLDryRun) and limits
	// nothing.
	DryRun bool
}

// CookieConfig configures DNS Cookies (RFC 7873, RFC 9018). The zero value
// answers cookies with a secret drawn at random when the Server is made.
type CookieConfig struct {
	// Disabled ignores COOKIE options, as a server without cookies does.
	Disabled bool
	// Secrets are the server cookie secrets: the first makes cookies, and
	// every one is accepted (the previous secret during a rotation).
	// Servers with the same secrets accept each other's cookies. Default:
	// one secret drawn at random.
	Secrets []CookieSecret
}

// protection is RRLConfig and CookieConfig as the query path reads them,
// published whole through an atomic pointer: one load per query.
type protection struct {
	rrl     *rrl // nil: RRL off
	cookies bool
	secrets []CookieSecret
}

// SetProtection applies new RRL and cookie settings to a Server, serving
// or not: queries read them from then on. The RRL accounts are kept.
func (s *Server) SetProtection(r RRLConfig, c CookieConfig) {
	s.h.setProtection(r, c)
}

func (h *handler) setProtection(rc RRLConfig, cc CookieConfig) {
	h.protMu.Lock()
	defer h.protMu.Unlock()
	p := &protection{cookies: !cc.Disabled, secrets: cc.Secrets}
	if len(p.secrets) == 0 {
		if h.secret == nil {
			h.secret = new(CookieSecret)
			_, _ = rand.Read(h.secret[:]) // never fails (crypto/rand)
		}
		p.secrets = []CookieSecret{*h.secret}
	}
	if rc.ResponsesPerSecond > 0 {
		if h.rrlTable == nil {
			h.rrlTable = newRRLTable()
		}
		dry := rc.DryRun
		l := &rrl{
			table:    h.rrlTable,
			interval: int64(time.Second) / int64(rc.ResponsesPerSecond),
			window:   int64(cmp.Or(rc.Window, DefaultRRLWindow)),
			slip:     uint32(max(rc.Slip, 0)),
			bits4:    min(cmp.Or(rc.IPv4Prefix, DefaultRRLIPv4Prefix), 32),
			bits6:    min(cmp.Or(rc.IPv6Prefix, DefaultRRLIPv6Prefix), 128),
			exempt:   make([]netip.Prefix, len(rc.Exempt)),
			dryRun:   dry,
			logLimited: func(top netip.Prefix, n uint32, slipped, dropped uint64) {
				h.log.Warn("rate limiting responses", "top_prefix", top, "top_limited", n,
					"slipped", slipped, "dropped", dropped, "dry_run", dry)
			},
		}
		l.tolerance = l.interval * int64(rc.ResponsesPerSecond-1)
		for i, e := range rc.Exempt {
			l.exempt[i] = netip.PrefixFrom(e.Addr().Unmap(), e.Bits()).Masked()
		}
		p.rrl = l
	}
	h.prot.Store(p)
}

// clock returns the time of the query r, reading it once.
func (h *handler) clock(r *request) time.Time {
	if r.at.IsZero() {
		r.at = h.now()
	}
	return r.at
}

// cookies checks the query's COOKIE option (r.cookie or r.cookieBad is
// set) when cookies are on and returns the rcode it earns before any lookup (see cookieRcode).
func (h *handler) cookies(r *request, src netip.Addr, tcp bool) int {
	p := r.prot
	if !p.cookies {
		return mdns.RcodeSuccess
	}
	r.checkCookie(p.secrets, src, h.clock(r))
	return r.cookieRcode(tcp)
}

// rateLimit passes the UDP reply to r from src through RRL: it returns
// reply, a slip in its place (written over it), or nil to drop it.
func (h *handler) rateLimit(reply []byte, r *request, src netip.Addr) []byte {
	l := r.prot.rrl
	src = src.Unmap()
	if r.cookieState == cookieValid || len(l.exempt) > 0 && l.exempted(src) {
		return reply
	}
	kind, name := r.rrlKind, r.rrlName
	if kind == rrlAnswer {
		name = r.lname
	}
	switch r.rcode {
	case mdns.RcodeSuccess, mdns.RcodeNameError, mdns.RcodeYXDomain:
	default:
		kind = rrlError
	}
	if kind == 0 {
		kind = rrlError
	}
	p := l.prefix(src)
	now := h.clock(r).UnixNano()
	v := l.charge(l.key(p, kind, name, r.qtype), p, now)
	if v == rrlPass {
		return reply
	}
	l.counted(v, now)
	switch {
	case l.dryRun:
		h.stats.rrlDryRun.Add(1)
		return reply
	case v == rrlDrop:
		h.stats.rrlDropped.Add(1)
		return nil
	}
	h.stats.rrlSlipped.Add(1)
	return slip(reply, r)
}

// slip rewrites reply, in place, as the short reply RRL sends in place of
// a limited one: the header and the question, with TC set so that the
// client retries over TCP, and the OPT record. A client that sent a
// client cookie gets BADCOOKIE with a fresh server cookie instead (as
// BIND answers; RFC 7873 5.2.3), with which it retries over UDP unlimited.
func slip(reply []byte, r *request) []byte {
	n := headerLen
	if r.qend > 0 && binary.BigEndian.Uint16(reply[4:]) == 1 {
		n = r.qend // the reply's question is the query's, as long
	}
	b := reply[:n]
	flags := binary.BigEndian.Uint16(b[2:]) &^ 0xF
	if r.cookieReply {
		r.rcode = mdns.RcodeBadCookie
	} else {
		flags |= flagTC
	}
	binary.BigEndian.PutUint16(b[2:], flags|uint16(r.rcode&0xF))
	clear(b[6:headerLen])
	return appendOPT(b, r, r.rcode, 0)
}
