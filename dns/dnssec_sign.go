package dns

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	mdns "github.com/miekg/dns"
	"golang.org/x/sync/singleflight"
)

// Signature timing: every RRSIG's inception is backdated by sigBackdate
// (clients with a slow clock), its expiration lies sigValidity ahead, and
// an RRset is signed again sigRefresh after it was signed, so that a
// signature answered (and cached by resolvers for at most the TTL) always
// has days of validity left.
const (
	sigBackdate = time.Hour
	sigValidity = 4 * 24 * time.Hour
	sigRefresh  = 24 * time.Hour
	// sigStale is the least validity a cached signature must have left to
	// be answered while another query signs its RRset again.
	sigStale = 24 * time.Hour
)

// signer signs the RRsets of one signed zone with its keys. One is made
// per zone load (zones.DNSSEC.Signer); its signature cache lives as long
// as that version of the zone.
type signer struct {
	origin  string
	ttl     uint32        // TTL of the DNSKEY RRset: the zone's default TTL
	keys    []*signingKey // every key, in the DNSKEY RRset
	zsk     []*signingKey // sign every RRset but DNSKEY: the keys without SEP, or all
	ksk     []*signingKey // sign the DNSKEY RRset: the keys with SEP, or all
	dnskeys []mdns.RR     // the DNSKEY RRset
	now     func() time.Time
	cache   *sigCache
	// flight coalesces the queries that miss the cache for the same
	// RRset at the same moment: one signs, the others wait for its
	// signatures (no lock is held while signing).
	flight singleflight.Group

	tamper func(*mdns.RRSIG) // tests: alters every new signature
}

func newSigner(origin string, ttl uint32, keys []*signingKey, now func() time.Time) *signer {
	if now == nil {
		now = time.Now
	}
	sg := &signer{origin: origin, ttl: ttl, keys: keys, now: now, cache: newSigCache()}
	for _, k := range keys {
		if k.dnskey.Flags&mdns.SEP != 0 {
			sg.ksk = append(sg.ksk, k)
		} else {
			sg.zsk = append(sg.zsk, k)
		}
		d := *k.dnskey
		d.Hdr = mdns.RR_Header{Name: origin, Rrtype: mdns.TypeDNSKEY, Class: mdns.ClassINET, Ttl: ttl}
		sg.dnskeys = append(sg.dnskeys, &d)
	}
	if len(sg.zsk) == 0 {
		sg.zsk = sg.ksk // combined signing keys
	}
	if len(sg.ksk) == 0 {
		sg.ksk = sg.zsk
	}
	return sg
}

// sigScratch is the per-query memory of signing (a part of the handler's
// scratch): the cache key being built and its pieces.
type sigScratch struct {
	buf   []byte   // the RRset's records in wire format
	parts [][]byte // slices of buf, one per record, to sort
	key   []byte   // the cache key: the sorted records
	msg   mdns.Msg // packs the RRset into buf (no compression)
	out   []mdns.RR
}

// sign returns the RRSIGs of rrset, one or more records of one owner,
// type and TTL, in lower case: from the cache while they are fresh, else
// made now and cached. Once a cached signature is due for refresh, the
// first query to see it signs the RRset again while the others keep
// answering the cached one, so that a hot RRset is signed once per
// refresh. Queries that miss the cache for the same RRset at the same
// moment are coalesced (singleflight): one signs, the others wait for its
// signatures; no lock is held while signing.
// c counts cache hits and misses and the signatures made.
// The returned records are shared: never modify them.
func (sg *signer) sign(rrset []mdns.RR, ss *sigScratch, c *counters) ([]mdns.RR, error) {
	key, err := ss.keyOf(rrset)
	if err != nil {
		return nil, err
	}
	now := sg.now()
	e := sg.cache.get(key)
	if e != nil {
		switch t := now.Unix(); {
		case t < e.refresh:
			c.sigHits.Add(1)
			return e.sigs, nil
		case !e.refreshing.CompareAndSwap(false, true) && t < e.expire:
			c.sigHits.Add(1)
			return e.sigs, nil // another query is signing it again
		}
	}
	c.sigMisses.Add(1)
	v, err, _ := sg.flight.Do(string(key), func() (any, error) {
		if e := sg.cache.get(key); e != nil && now.Unix() < e.refresh {
			return e.sigs, nil // signed by a query that has just finished
		}
		sigs, err := sg.signNow(rrset, now)
		if err != nil {
			return nil, err
		}
		c.sigMade.Add(uint64(len(sigs)))
		sg.cache.put(key, &sigEntry{sigs: sigs, refresh: now.Add(sigRefresh).Unix(), expire: now.Add(sigValidity - sigStale).Unix()})
		return sigs, nil
	})
	if err != nil {
		if e != nil {
			e.refreshing.Store(false)
		}
		return nil, err
	}
	return v.([]mdns.RR), nil
}

// signNow signs rrset with the zone's keys for it.
func (sg *signer) signNow(rrset []mdns.RR, now time.Time) ([]mdns.RR, error) {
	keys := sg.zsk
	h := rrset[0].Header()
	if h.Rrtype == mdns.TypeDNSKEY {
		keys = sg.ksk
	}
	sigs := make([]mdns.RR, 0, len(keys))
	for _, k := range keys {
		sig := &mdns.RRSIG{
			Hdr:        mdns.RR_Header{Ttl: h.Ttl},
			Algorithm:  k.dnskey.Algorithm,
			KeyTag:     k.tag,
			SignerName: sg.origin,
			Inception:  uint32(now.Add(-sigBackdate).Unix()),
			Expiration: uint32(now.Add(sigValidity).Unix()),
		}
		if err := sig.Sign(k.priv, rrset); err != nil {
			return nil, fmt.Errorf("sign %s %s with key %d: %w", h.Name, mdns.TypeToString[h.Rrtype], k.tag, err)
		}
		if sg.tamper != nil {
			sg.tamper(sig)
		}
		sigs = append(sigs, sig)
	}
	return sigs, nil
}

// keyOf builds the cache key of rrset into ss.key: its records in wire
// format, sorted, so that the same addresses in another order (a rotated
// geo answer) share one entry. The records are packed as the answer
// section of a message (miekg's PackRR would write into the shared
// records' headers).
func (ss *sigScratch) keyOf(rrset []mdns.RR) ([]byte, error) {
	n := headerLen
	for _, rr := range rrset {
		n += mdns.Len(rr)
	}
	if cap(ss.buf) < n {
		ss.buf = make([]byte, n)
	}
	ss.msg.Answer = rrset
	b, err := ss.msg.PackBuffer(ss.buf[:cap(ss.buf)])
	ss.msg.Answer = nil
	if err != nil {
		return nil, fmt.Errorf("pack %s for signing: %w", rrset[0].Header().Name, err)
	}
	ss.buf = b[:0]
	ss.parts = ss.parts[:0]
	for off := headerLen; off < len(b); {
		end, _, ok := skipRR(b, off)
		if !ok {
			return nil, fmt.Errorf("pack %s for signing: bad record", rrset[0].Header().Name)
		}
		ss.parts = append(ss.parts, b[off:end])
		off = end
	}
	slices.SortFunc(ss.parts, bytes.Compare)
	ss.key = ss.key[:0]
	for _, p := range ss.parts {
		ss.key = append(ss.key, p...)
	}
	return ss.key, nil
}
