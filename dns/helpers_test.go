package dns

import (
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

const (
	testConfig  = "../testdata/dns/gslb.toml"
	testNSID    = "ns1-test"
	testVersion = "gslb-test \"1.0\""
	testID      = 0x1234
)

// loadZones compiles the zones of testdata/dns/zones.
func loadZones(t testing.TB) *zones.Set {
	t.Helper()
	cfg, err := config.Load(testConfig)
	if err != nil {
		t.Fatal(err)
	}
	files, err := zones.ZoneFiles(cfg.ZonesDir)
	if err != nil {
		t.Fatal(err)
	}
	var zs []*zones.Zone
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		z, err := zones.Compile(f, src, cfg, ParseRecord, zones.CompileOptions{Serial: 1})
		if err != nil {
			t.Fatalf("compile %s: %v", f, err)
		}
		zs = append(zs, z)
	}
	return zones.NewSet(zs)
}

// fakeRouter answers geo-routed names without GeoIP: clients in
// 198.51.100.0/24 get the pool's "iad" member, clients in 192.0.2.96/27 a
// CNAME to fallback.example.net. (as if their datacenter were a CNAME
// member), everyone else the first member; with ECS the scope is 24 for
// IPv4 and 48 for IPv6.
type fakeRouter struct{}

var (
	iadNet   = netip.MustParsePrefix("198.51.100.0/24")
	cnameNet = netip.MustParsePrefix("192.0.2.96/27")
)

func (fakeRouter) Route(name *zones.Name, fam pick.Family, client netip.Addr, bits int, d *pick.Decision) {
	*d = pick.Decision{Outcome: pick.Addresses, Pool: name.Pool, Reason: pick.ReasonFirst, Addrs: d.Addrs[:0], TTL: name.TTL}
	if bits > 0 {
		d.Scope = 24
		if client.Is6() {
			d.Scope = 48
		}
	}
	if cnameNet.Contains(client) {
		d.Outcome, d.Member, d.CNAME = pick.CNAME, -1, "fallback.example.net."
		return
	}
	if iadNet.Contains(client) {
		d.Member = 1
	}
	d.Addrs = append(d.Addrs, name.Pool.Members[d.Member].Addrs(fam)...)
}

// newTestHandler returns a handler over the test zones.
func newTestHandler(t testing.TB, router Router) *handler {
	t.Helper()
	set := loadZones(t)
	cfg := Config{
		Zones:   ZonesFunc(func() *zones.Set { return set }),
		Router:  router,
		NSID:    testNSID,
		Version: testVersion,
		Logger:  slog.New(slog.DiscardHandler),
	}.withDefaults()
	h := newHandler(&cfg, new(counters))
	h.now = func() time.Time { return testNow }
	h.setProtection(RRLConfig{}, CookieConfig{Secrets: []CookieSecret{testSecret}})
	return h
}

// newAnonymousHandler returns a handler like newTestHandler's, with
// fakeRouter, without NSID and version.
func newAnonymousHandler(t testing.TB) *handler {
	t.Helper()
	set := loadZones(t)
	cfg := Config{
		Zones:  ZonesFunc(func() *zones.Set { return set }),
		Router: fakeRouter{},
		Logger: slog.New(slog.DiscardHandler),
	}.withDefaults()
	h := newHandler(&cfg, new(counters))
	h.now = func() time.Time { return testNow }
	h.setProtection(RRLConfig{}, CookieConfig{Secrets: []CookieSecret{testSecret}})
	return h
}

// The cookie secret and the clock of test handlers: those of RFC 9018's
// examples (appendix A.1), so that a client cookie 2464c4abcf10c957 from
// 198.51.100.100 gets the server cookie the RFC shows.
var (
	testSecret = CookieSecret(mustHex("e5e973e5a6b2a43f48e7dc849e37bfcf"))
	testNow    = time.Unix(1559731985, 0)
)

// mustHex decodes hexadecimal digits.
func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// mustHexString encodes b in hexadecimal.
func mustHexString(b []byte) string { return hex.EncodeToString(b) }

// cookie adds a COOKIE option with these octets (hexadecimal).
func cookie(hexData string) qopt {
	return withOption(&mdns.EDNS0_LOCAL{Code: mdns.EDNS0COOKIE, Data: mustHex(hexData)})
}

// chaosClass sets the query's class to CH.
func chaosClass(m *mdns.Msg) { m.Question[0].Qclass = mdns.ClassCHAOS }

// qopt modifies a query before it is packed.
type qopt func(*mdns.Msg)

func edns(size uint16, do bool) qopt {
	return func(m *mdns.Msg) { m.SetEdns0(size, do) }
}

func withOption(o mdns.EDNS0) qopt {
	return func(m *mdns.Msg) {
		if m.IsEdns0() == nil {
			m.SetEdns0(1232, false)
		}
		opt := m.IsEdns0()
		opt.Option = append(opt.Option, o)
	}
}

// ecsRaw adds an ECS option with exactly these octets as its data.
func ecsRaw(data ...byte) qopt {
	return withOption(&mdns.EDNS0_LOCAL{Code: mdns.EDNS0SUBNET, Data: data})
}

// ecs adds a well-formed ECS option for prefix.
func ecs(prefix string) qopt {
	p := netip.MustParsePrefix(prefix)
	family := byte(1)
	raw := p.Addr().AsSlice()
	if p.Addr().Is6() {
		family = 2
	}
	n := (p.Bits() + 7) / 8
	data := append([]byte{0, family, byte(p.Bits()), 0}, raw[:n]...)
	return ecsRaw(data...)
}

func nsid() qopt { return withOption(&mdns.EDNS0_NSID{Code: mdns.EDNS0NSID}) }

// tsig signs the query (with a made-up MAC) with a key the server does
// not have; it must be the last option.
func tsig() qopt {
	return func(m *mdns.Msg) {
		m.SetTsig("nokey.example.", mdns.HmacSHA256, 300, 1700000000)
		t := m.Extra[len(m.Extra)-1].(*mdns.TSIG)
		t.MAC = strings.Repeat("ab", 32)
		t.MACSize = 32
		t.OrigId = testID
	}
}

// query packs a query for name and qtype with RD set and ID testID.
func query(t testing.TB, name string, qtype uint16, opts ...qopt) []byte {
	t.Helper()
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype)
	m.Id = testID
	for _, o := range opts {
		o(m)
	}
	b, err := m.Pack()
	if err != nil {
		t.Fatalf("pack query: %v", err)
	}
	return b
}

// setCount sets one of the header's section counts (0: QD ... 3: AR).
func setCount(b []byte, section, n int) []byte {
	binary.BigEndian.PutUint16(b[4+2*section:], uint16(n))
	return b
}

// setFlags replaces the header's flags word.
func setFlags(b []byte, flags uint16) []byte {
	binary.BigEndian.PutUint16(b[2:], flags)
	return b
}

// madeCookie adds a COOKIE option with the client cookie client (hex) and
// the server cookie secret makes for src at testNow+age.
func madeCookie(client, src string, secret CookieSecret, age time.Duration) qopt {
	c := mustHex(client)
	var sc [serverCookieLen]byte
	makeServerCookie(&sc, &secret, c, netip.MustParseAddr(src), uint32(testNow.Add(age).Unix()))
	return withOption(&mdns.EDNS0_LOCAL{Code: mdns.EDNS0COOKIE, Data: append(c, sc[:]...)})
}
