package dns

import (
	"crypto/subtle"
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/dchest/siphash"
	mdns "github.com/miekg/dns"
)

// DNS Cookies (RFC 7873) with server cookies in the interoperable format of
// RFC 9018: version 1, three reserved octets, a 32-bit timestamp in
// seconds and a SipHash-2-4 over the client cookie, those eight octets and
// the client's address, keyed by a 16-octet secret. Servers that share the
// secret (anycast siblings, or gslb and BIND or Knot configured alike)
// accept each other's cookies.
const (
	optCodeCookie      = 10 // the COOKIE option
	clientCookieLen    = 8
	minServerCookieLen = 8
	maxServerCookieLen = 32
	serverCookieLen    = 16 // ours: version, reserved, timestamp, hash
	cookieVersion      = 1
	cookieMaxAge       = 3600 // seconds: an older server cookie is stale (RFC 9018 4.3)
	cookieRenewAge     = 1800 // seconds: an older one is replaced by a fresh one
	cookieMaxAhead     = 300  // seconds: a timestamp further ahead is stale too
)

// CookieSecret is a server cookie secret: the SipHash-2-4 key.
type CookieSecret [16]byte

// cookieState is what a query's COOKIE option proved.
type cookieState uint8

const (
	cookieNone   cookieState = iota // no COOKIE option, or cookies off
	cookieClient                    // a client cookie alone, or with a server cookie not ours
	cookieValid                     // a server cookie of ours, fresh: the client's address is proven
	cookieStale                     // a server cookie of ours, too old or too far ahead
)

// parseCookie reads a COOKIE option's data: a client cookie of 8 octets,
// alone or followed by a server cookie of 8 to 32 octets. It reports
// false for any other length (RFC 7873 5.2.2: FORMERR).
func (r *request) parseCookie(data []byte) bool {
	n := len(data)
	if n != clientCookieLen && (n < clientCookieLen+minServerCookieLen || n > clientCookieLen+maxServerCookieLen) {
		return false
	}
	r.cookie = true
	r.cookieLen = uint8(copy(r.cookieIn[:], data))
	return true
}

// checkCookie decides what the query's cookie proves when cookies are on,
// and fills the server cookie of the reply: the client's own when it is
// valid and younger than half an hour, else a fresh one made with the
// current secret at now.
func (r *request) checkCookie(secrets []CookieSecret, src netip.Addr, now time.Time) {
	if !r.cookie || len(secrets) == 0 {
		return
	}
	src = src.Unmap()
	at := uint32(now.Unix())
	r.cookieState = cookieClient
	client := r.cookieIn[:clientCookieLen]
	if server := r.cookieIn[clientCookieLen:r.cookieLen]; len(server) == serverCookieLen && server[0] == cookieVersion {
		for i := range secrets {
			var sum [8]byte
			serverCookieHash(&sum, &secrets[i], client, server[:8], src)
			if subtle.ConstantTimeCompare(sum[:], server[8:]) != 1 {
				continue
			}
			age := int32(at - binary.BigEndian.Uint32(server[4:8])) // serial number arithmetic (RFC 1982)
			if age > cookieMaxAge || age < -cookieMaxAhead {
				r.cookieState = cookieStale
				break
			}
			r.cookieState = cookieValid
			if i == 0 && age <= cookieRenewAge {
				copy(r.cookieOut[:], r.cookieIn[:clientCookieLen+serverCookieLen])
				r.cookieReply = true
				return
			}
			break
		}
	}
	copy(r.cookieOut[:], client)
	makeServerCookie((*[serverCookieLen]byte)(r.cookieOut[clientCookieLen:]), &secrets[0], client, src, at)
	r.cookieReply = true
}

// makeServerCookie writes the server cookie of RFC 9018 for client at
// time at into dst.
func makeServerCookie(dst *[serverCookieLen]byte, secret *CookieSecret, client []byte, src netip.Addr, at uint32) {
	dst[0] = cookieVersion
	dst[1], dst[2], dst[3] = 0, 0, 0
	binary.BigEndian.PutUint32(dst[4:], at)
	serverCookieHash((*[8]byte)(dst[8:]), secret, client, dst[:8], src)
}

// serverCookieHash writes the SipHash-2-4 of client cookie, the first
// eight octets of the server cookie (version, reserved, timestamp) and the
// client's address (4 octets for IPv4, 16 for IPv6) into sum.
func serverCookieHash(sum *[8]byte, secret *CookieSecret, client, head []byte, src netip.Addr) {
	var buf [clientCookieLen + 8 + 16]byte
	n := copy(buf[:], client)
	n += copy(buf[n:], head)
	if src.Is4() {
		a := src.As4()
		n += copy(buf[n:], a[:])
	} else {
		a := src.As16()
		n += copy(buf[n:], a[:])
	}
	k0 := binary.LittleEndian.Uint64(secret[:8])
	k1 := binary.LittleEndian.Uint64(secret[8:])
	binary.LittleEndian.PutUint64(sum[:], siphash.Hash(k0, k1, buf[:n]))
}

// cookieRcode returns the rcode a query earns for its cookie before any
// lookup: FORMERR for a malformed COOKIE option (RFC 7873 5.2.2), BADCOOKIE
// over UDP for a stale server cookie of ours (5.2.3: the client retries at
// once with the fresh cookie of the reply), else NOERROR. Cookies are
// never required.
func (r *request) cookieRcode(tcp bool) int {
	switch {
	case r.cookieBad:
		return mdns.RcodeFormatError
	case r.cookieState == cookieStale && !tcp:
		return mdns.RcodeBadCookie
	}
	return mdns.RcodeSuccess
}
