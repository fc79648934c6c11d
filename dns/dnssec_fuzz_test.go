package dns

import (
	"net/netip"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// FuzzSignedHandler answers arbitrary packets from the signed test zones:
// no panic, every reply unpacks, and every RRSIG in it verifies with its
// zone's key over the RRset it follows.
func FuzzSignedHandler(f *testing.F) {
	for _, name := range []string{"www.example.test.", "nope.example.test.", "x.wild.example.test.", "example.test.", "www.sub.example.test.", "ent.example.test.", "tonx.example.test."} {
		for _, qtype := range []uint16{mdns.TypeA, mdns.TypeAAAA, mdns.TypeMX, mdns.TypeDNSKEY, mdns.TypeDS, mdns.TypeANY, mdns.TypeNSEC} {
			f.Add(query(f, name, qtype, edns(1232, true)))
		}
	}
	f.Add(query(f, "big.example.test.", mdns.TypeTXT, edns(512, true)))
	f.Add(query(f, "www.example.test.", mdns.TypeA, edns(1232, true), ecs("198.51.100.0/24")))
	set := loadSigned(f, KeyOptions{})
	h := newSignedHandler(f, set)
	keys := map[string][]*mdns.DNSKEY{}
	for _, z := range set.Zones() {
		keys[z.Origin] = signerOf(z).dnskeyRecords()
	}
	src := netip.MustParseAddr("192.0.2.7")
	f.Fuzz(func(t *testing.T, msg []byte) {
		out := make([]byte, maxTCPSize+1)
		for _, tcp := range []bool{false, true} {
			reply := h.respond(out, msg, src, tcp)
			if h.stats.panics.Load() > 0 {
				t.Fatalf("handler panicked on %x", msg)
			}
			if reply == nil {
				continue
			}
			m := new(mdns.Msg)
			if err := m.Unpack(reply); err != nil {
				t.Fatalf("reply to %x does not unpack: %v\n%x", msg, err, reply)
			}
			verifySection(t, m.Answer, keys, time.Now())
			verifySection(t, m.Ns, keys, time.Now())
		}
	})
}

// dnskeyRecords returns the zone's DNSKEY records (tests).
func (sg *signer) dnskeyRecords() []*mdns.DNSKEY {
	var out []*mdns.DNSKEY
	for _, rr := range sg.dnskeys {
		out = append(out, rr.(*mdns.DNSKEY))
	}
	return out
}
