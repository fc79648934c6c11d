package dns

import (
	"crypto"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/zones"
)

const signedConfig = "../testdata/dnssec/gslb.toml"

// loadSigned compiles the signed zones of testdata/dnssec with keys
// loaded by KeyLoader(opts); opts.Dir defaults to a new temporary
// directory (gen.test.'s key is generated there).
func loadSigned(t testing.TB, opts KeyOptions) *zones.Set {
	t.Helper()
	cfg, err := config.Load(signedConfig)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
		opts.Generate = true
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
		z, err := zones.Compile(f, src, cfg, ParseRecord, zones.CompileOptions{Serial: 1, Keys: KeyLoader(opts)})
		if err != nil {
			t.Fatalf("compile %s: %v", f, err)
		}
		zs = append(zs, z)
	}
	return zones.NewSet(zs)
}

func newSignedHandler(t testing.TB, set *zones.Set) *handler {
	t.Helper()
	cfg := Config{
		Zones:  ZonesFunc(func() *zones.Set { return set }),
		Router: fakeRouter{},
		Logger: slog.New(slog.DiscardHandler),
	}.withDefaults()
	return newHandler(&cfg, new(counters))
}

// ask sends the query through the handler over UDP (or TCP) and unpacks
// the reply.
func ask(t testing.TB, h *handler, msg []byte, tcp bool) *mdns.Msg {
	t.Helper()
	reply := h.respond(make([]byte, maxTCPSize+1), msg, netip.MustParseAddr("192.0.2.1"), tcp)
	m := new(mdns.Msg)
	if err := m.Unpack(reply); err != nil {
		t.Fatalf("unpack reply: %v", err)
	}
	return m
}

// dnskeys returns the DNSKEY RRset of a zone, asked from the handler.
func dnskeys(t testing.TB, h *handler, zone string) []*mdns.DNSKEY {
	t.Helper()
	m := ask(t, h, query(t, zone, mdns.TypeDNSKEY, edns(4096, true)), false)
	var out []*mdns.DNSKEY
	for _, rr := range m.Answer {
		if k, ok := rr.(*mdns.DNSKEY); ok {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no DNSKEY for %s: %v", zone, m)
	}
	return out
}

// verifySection checks that every RRset of rrs but those listed in
// unsigned is followed by valid RRSIGs from the zone's keys, and returns
// the types (owner/TYPE) that are signed.
func verifySection(t *testing.T, rrs []mdns.RR, keys map[string][]*mdns.DNSKEY, now time.Time) []string {
	t.Helper()
	var signed []string
	sets := map[string][]mdns.RR{}
	var sigs []*mdns.RRSIG
	last := "" // the RRset before: its RRSIGs follow it
	for _, rr := range rrs {
		if s, ok := rr.(*mdns.RRSIG); ok {
			if k := s.Hdr.Name + "/" + mdns.TypeToString[s.TypeCovered]; k != last {
				t.Errorf("RRSIG over %s after %s, not right after its RRset", k, last)
			}
			sigs = append(sigs, s)
			continue
		}
		last = rr.Header().Name + "/" + mdns.TypeToString[rr.Header().Rrtype]
		sets[last] = append(sets[last], rr)
	}
	for _, sig := range sigs {
		k := sig.Hdr.Name + "/" + mdns.TypeToString[sig.TypeCovered]
		set := sets[k]
		if set == nil {
			t.Errorf("RRSIG for %s without its RRset", k)
			continue
		}
		var key *mdns.DNSKEY
		for _, d := range keys[sig.SignerName] {
			if d.KeyTag() == sig.KeyTag {
				key = d
			}
		}
		if key == nil {
			t.Errorf("RRSIG over %s by unknown key %s/%d", k, sig.SignerName, sig.KeyTag)
			continue
		}
		if err := sig.Verify(key, set); err != nil {
			t.Errorf("RRSIG over %s does not verify: %v", k, err)
		}
		if !sig.ValidityPeriod(now) {
			t.Errorf("RRSIG over %s not valid now", k)
		}
		if sig.Hdr.Ttl != set[0].Header().Ttl {
			t.Errorf("RRSIG over %s has TTL %d, RRset %d", k, sig.Hdr.Ttl, set[0].Header().Ttl)
		}
		if !slices.Contains(signed, k) {
			signed = append(signed, k)
		}
	}
	slices.Sort(signed)
	return signed
}

func TestSignedAnswers(t *testing.T) {
	set := loadSigned(t, KeyOptions{})
	h := newSignedHandler(t, set)
	keys := map[string][]*mdns.DNSKEY{}
	for _, z := range []string{"example.test.", "other.test.", "gen.test."} {
		keys[z] = dnskeys(t, h, z)
	}
	if n := len(keys["example.test."]); n != 2 {
		t.Fatalf("example.test. has %d DNSKEYs, want 2 (KSK and ZSK)", n)
	}
	nsec := func(m *mdns.Msg) string {
		for _, rr := range m.Ns {
			if n, ok := rr.(*mdns.NSEC); ok {
				var types []string
				for _, t := range n.TypeBitMap {
					types = append(types, mdns.Type(t).String())
				}
				return n.Hdr.Name + " " + n.NextDomain + " " + strings.Join(types, " ")
			}
		}
		return ""
	}
	tests := []struct {
		name      string
		qname     string
		qtype     uint16
		rcode     int
		answer    []string // signed RRsets of the answer section
		authority []string // signed RRsets of the authority section
		nsec      string
		unsigned  int // RRs of authority without signature (a cut's NS)
	}{
		{"static A", "static.example.test.", mdns.TypeA, 0, []string{"static.example.test./A"}, nil, "", 0},
		{"geo A", "www.example.test.", mdns.TypeA, 0, []string{"www.example.test./A"}, nil, "", 0},
		{"geo AAAA", "www.example.test.", mdns.TypeAAAA, 0, []string{"www.example.test./AAAA"}, nil, "", 0},
		{"apex MX", "example.test.", mdns.TypeMX, 0, []string{"example.test./MX"}, nil, "", 0},
		{"apex DNSKEY", "example.test.", mdns.TypeDNSKEY, 0, []string{"example.test./DNSKEY"}, nil, "", 0},
		{"wildcard", "foo.wild.example.test.", mdns.TypeA, 0, []string{"foo.wild.example.test./A"}, nil, "", 0},
		{"CNAME into another zone", "toother.example.test.", mdns.TypeA, 0, []string{"toother.example.test./CNAME", "www.other.test./A"}, nil, "", 0},
		{"CNAME to a geo name", "alias.example.test.", mdns.TypeA, 0, []string{"alias.example.test./CNAME", "www.example.test./A"}, nil, "", 0},
		{"NXDOMAIN is compact", "nope.example.test.", mdns.TypeA, 0, nil, []string{"example.test./SOA", "nope.example.test./NSEC"},
			`nope.example.test. \000.nope.example.test. RRSIG NSEC NXNAME`, 0},
		{"CNAME to NXDOMAIN", "tonx.example.test.", mdns.TypeA, 0, []string{"tonx.example.test./CNAME"}, []string{"nothing.other.test./NSEC", "other.test./SOA"},
			`nothing.other.test. \000.nothing.other.test. RRSIG NSEC NXNAME`, 0},
		{"NODATA", "static.example.test.", mdns.TypeMX, 0, nil, []string{"example.test./SOA", "static.example.test./NSEC"},
			`static.example.test. \000.static.example.test. A AAAA RRSIG NSEC`, 0},
		{"NODATA apex", "example.test.", mdns.TypeAAAA, 0, nil, []string{"example.test./NSEC", "example.test./SOA"},
			`example.test. \000.example.test. NS SOA MX TXT RRSIG NSEC DNSKEY`, 0},
		{"NODATA geo name", "www.example.test.", mdns.TypeMX, 0, nil, []string{"example.test./SOA", "www.example.test./NSEC"},
			`www.example.test. \000.www.example.test. A AAAA RRSIG NSEC`, 0},
		{"NODATA wildcard", "foo.wild.example.test.", mdns.TypeAAAA, 0, nil, []string{"example.test./SOA", "foo.wild.example.test./NSEC"},
			`foo.wild.example.test. \000.foo.wild.example.test. A TXT RRSIG NSEC`, 0},
		{"empty non-terminal", "ent.example.test.", mdns.TypeA, 0, nil, []string{"ent.example.test./NSEC", "example.test./SOA"},
			`ent.example.test. \000.ent.example.test. RRSIG NSEC`, 0},
		{"referral with DS", "www.sub.example.test.", mdns.TypeA, 0, nil, []string{"sub.example.test./DS"}, "", 1},
		{"referral without DS", "www.insecure.example.test.", mdns.TypeA, 0, nil, []string{"insecure.example.test./NSEC"},
			`insecure.example.test. \000.insecure.example.test. NS RRSIG NSEC`, 1},
		{"DS at a cut", "sub.example.test.", mdns.TypeDS, 0, []string{"sub.example.test./DS"}, nil, "", 0},
		{"no DS at a cut", "insecure.example.test.", mdns.TypeDS, 0, nil, []string{"example.test./SOA", "insecure.example.test./NSEC"},
			`insecure.example.test. \000.insecure.example.test. NS RRSIG NSEC`, 0},
		{"ED25519 zone", "www.other.test.", mdns.TypeAAAA, 0, []string{"www.other.test./AAAA"}, nil, "", 0},
		{"generated key", "geo.gen.test.", mdns.TypeA, 0, []string{"geo.gen.test./A"}, nil, "", 0},
		{"DNAME", "www.moved.example.test.", mdns.TypeA, 0, []string{"moved.example.test./DNAME", "www.moved.example.test./CNAME", "www.other.test./A"}, nil, "", 0},
		{"DNAME YXDOMAIN", strings.Repeat("a", 60) + "." + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 40) + ".lg.example.test.", mdns.TypeA, mdns.RcodeYXDomain, []string{"lg.example.test./DNAME"}, nil, "", 0},
		{"NSEC query", "static.example.test.", mdns.TypeNSEC, 0, []string{"static.example.test./NSEC"}, nil, "", 0},
		{"ANY is one RRset", "static.example.test.", mdns.TypeANY, 0, []string{"static.example.test./A"}, nil, "", 0},
	}
	now := time.Now()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, tcp := range []bool{false, true} {
				m := ask(t, h, query(t, tc.qname, tc.qtype, edns(1232, true)), tcp)
				if m.Rcode != tc.rcode || m.Truncated {
					t.Fatalf("rcode %s TC %v, want %s\n%v", mdns.RcodeToString[m.Rcode], m.Truncated, mdns.RcodeToString[tc.rcode], m)
				}
				if got := verifySection(t, m.Answer, keys, now); !slices.Equal(got, tc.answer) {
					t.Errorf("signed answer RRsets %v, want %v\n%v", got, tc.answer, m)
				}
				if got := verifySection(t, m.Ns, keys, now); !slices.Equal(got, tc.authority) {
					t.Errorf("signed authority RRsets %v, want %v\n%v", got, tc.authority, m)
				}
				if got := nsec(m); got != tc.nsec {
					t.Errorf("NSEC %q, want %q", got, tc.nsec)
				}
				unsigned := 0
				for _, rr := range m.Ns {
					if rr.Header().Rrtype == mdns.TypeNS {
						unsigned++
					}
				}
				if unsigned != tc.unsigned {
					t.Errorf("%d NS records in authority, want %d", unsigned, tc.unsigned)
				}
			}
		})
	}
}

// TestNoSignaturesWithoutDO: a signed zone answers a query without DO
// exactly as an unsigned one: no RRSIG, NSEC or DNSKEY, and NXDOMAIN.
func TestNoSignaturesWithoutDO(t *testing.T) {
	h := newSignedHandler(t, loadSigned(t, KeyOptions{}))
	for _, q := range []struct {
		name  string
		qtype uint16
		rcode int
	}{{"www.example.test.", mdns.TypeA, 0}, {"nope.example.test.", mdns.TypeA, mdns.RcodeNameError}, {"static.example.test.", mdns.TypeMX, 0}} {
		for _, opt := range []qopt{edns(1232, false), func(*mdns.Msg) {}} {
			m := ask(t, h, query(t, q.name, q.qtype, opt), false)
			if m.Rcode != q.rcode {
				t.Errorf("%s: rcode %d, want %d", q.name, m.Rcode, q.rcode)
			}
			for _, rr := range append(append(m.Answer, m.Ns...), m.Extra...) {
				switch rr.Header().Rrtype {
				case mdns.TypeRRSIG, mdns.TypeNSEC, mdns.TypeDNSKEY:
					t.Errorf("%s without DO: %v", q.name, rr)
				}
			}
		}
	}
}

// TestGeneratedKeyKept: the generated key is written with mode 0600 and
// loaded again at the next load (a restart or a reload), not replaced.
func TestGeneratedKeyKept(t *testing.T) {
	dir := t.TempDir()
	opts := KeyOptions{Dir: dir, Generate: true}
	h1 := newSignedHandler(t, loadSigned(t, opts))
	k1 := dnskeys(t, h1, "gen.test.")
	files, _ := filepath.Glob(filepath.Join(dir, "Kgen.test.+013+*"))
	if len(files) != 2 {
		t.Fatalf("key files %v, want a .key and a .private", files)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	h2 := newSignedHandler(t, loadSigned(t, opts))
	k2 := dnskeys(t, h2, "gen.test.")
	if len(k1) != 1 || len(k2) != 1 || k1[0].KeyTag() != k2[0].KeyTag() || k1[0].Flags != 257 || k1[0].Algorithm != mdns.ECDSAP256SHA256 {
		t.Errorf("generated keys %v then %v, want one ECDSAP256SHA256 CSK kept", k1, k2)
	}
	// gslb check does not generate: without a key the zone is unsigned.
	cfg, _ := config.Load(signedConfig)
	src, _ := os.ReadFile(filepath.Join(cfg.ZonesDir, "gen.test.toml"))
	z, err := zones.Compile("gen.test.toml", src, cfg, ParseRecord, zones.CompileOptions{Keys: KeyLoader(KeyOptions{Dir: t.TempDir(), AllowMissing: true})})
	if err != nil || z.DNSSEC == nil || z.DNSSEC.Signer != nil {
		t.Errorf("check without a generated key: %v, %+v", err, z.DNSSEC)
	}
	if _, err := zones.Compile("gen.test.toml", src, cfg, ParseRecord, zones.CompileOptions{Keys: KeyLoader(KeyOptions{Dir: t.TempDir()})}); err == nil || !strings.Contains(err.Error(), "no generated key") {
		t.Errorf("ds without a generated key: %v", err)
	}
}

// TestSignatureCache: a hot answer is signed once, whatever the order of
// its addresses; another RRset (another TTL, other addresses) is signed
// again; and a signature is made again once it is due for refresh.
func TestSignatureCache(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	set := loadSigned(t, KeyOptions{Now: clock, Dir: t.TempDir(), Generate: true})
	sg := signerOf(set.Zone("example.test."))
	h := newSignedHandler(t, set)
	msg := query(t, "www.example.test.", mdns.TypeA, edns(1232, true))
	first := ask(t, h, msg, false)
	before := sg.cache.len()
	for range 10 {
		m := ask(t, h, msg, false) // rotated addresses: the same RRset
		if !sameSigs(first, m) {
			t.Fatalf("signature changed between two answers of one RRset")
		}
	}
	if n := sg.cache.len(); n != before {
		t.Errorf("cache grew from %d to %d entries for one RRset", before, n)
	}
	ask(t, h, query(t, "www.example.test.", mdns.TypeA, edns(1232, true), ecs("198.51.100.0/24")), false)
	if n := sg.cache.len(); n != before+1 {
		t.Errorf("cache has %d entries after another answer, want %d", n, before+1)
	}
	now = now.Add(sigRefresh + time.Minute)
	if m := ask(t, h, msg, false); sameSigs(first, m) {
		t.Errorf("signature not refreshed after %v", sigRefresh)
	}
}

func sameSigs(a, b *mdns.Msg) bool {
	var x, y []string
	for _, rr := range a.Answer {
		if s, ok := rr.(*mdns.RRSIG); ok {
			x = append(x, s.Signature)
		}
	}
	for _, rr := range b.Answer {
		if s, ok := rr.(*mdns.RRSIG); ok {
			y = append(y, s.Signature)
		}
	}
	return len(x) > 0 && slices.Equal(x, y)
}

// TestSignedTruncation: an RRset and its RRSIGs are never separated: a
// signed answer that does not fit the UDP size is truncated whole (TC, no
// records), the TCP retry gets everything, and the unsigned answer that
// fits is not truncated. The ECS scope is the same signed or not.
func TestSignedTruncation(t *testing.T) {
	h := newSignedHandler(t, loadSigned(t, KeyOptions{}))
	unsigned := ask(t, h, query(t, "big.example.test.", mdns.TypeTXT, edns(512, false)), false)
	if unsigned.Truncated || len(unsigned.Answer) != 4 {
		t.Fatalf("unsigned answer: TC %v, %d records, want 4 without TC", unsigned.Truncated, len(unsigned.Answer))
	}
	udp := ask(t, h, query(t, "big.example.test.", mdns.TypeTXT, edns(512, true)), false)
	if !udp.Truncated || len(udp.Answer)+len(udp.Ns) != 0 {
		t.Errorf("signed answer over 512 octets: TC %v, %d+%d records, want TC and none", udp.Truncated, len(udp.Answer), len(udp.Ns))
	}
	tcp := ask(t, h, query(t, "big.example.test.", mdns.TypeTXT, edns(512, true)), true)
	if tcp.Truncated || len(tcp.Answer) != 5 { // 4 TXT, the ZSK's RRSIG
		t.Errorf("signed answer over TCP: TC %v, %d records, want 4 TXT and their RRSIG\n%v", tcp.Truncated, len(tcp.Answer), tcp)
	}
	// The apex MX with its additional address: the additional data goes
	// first, the signed answer stays.
	mx := ask(t, h, query(t, "example.test.", mdns.TypeMX, edns(1232, true)), false)
	if mx.Truncated || len(mx.Answer) != 2 {
		t.Errorf("signed MX: TC %v, %d answer records, want MX and RRSIG\n%v", mx.Truncated, len(mx.Answer), mx)
	}
	for _, do := range []bool{false, true} {
		m := ask(t, h, query(t, "www.example.test.", mdns.TypeA, edns(1232, do), ecs("198.51.100.0/24")), false)
		scope := -1
		if opt := m.IsEdns0(); opt != nil {
			for _, o := range opt.Option {
				if e, ok := o.(*mdns.EDNS0_SUBNET); ok {
					scope = int(e.SourceScope)
				}
			}
		}
		if scope != 24 || m.Answer[0].(*mdns.A).A.String() != "198.51.100.10" {
			t.Errorf("DO %v: ECS scope %d, answer %v; want 24 and iad's address", do, scope, m.Answer)
		}
	}
}

// TestSignedConcurrent answers signed queries from several goroutines at
// once (run with -race): every answer verifies.
func TestSignedConcurrent(t *testing.T) {
	set := loadSigned(t, KeyOptions{})
	h := newSignedHandler(t, set)
	keys := map[string][]*mdns.DNSKEY{"example.test.": dnskeys(t, h, "example.test."), "other.test.": dnskeys(t, h, "other.test.")}
	names := []string{"www.example.test.", "static.example.test.", "nope.example.test.", "x.wild.example.test.", "toother.example.test."}
	done := make(chan []*mdns.Msg)
	for g := range 8 {
		go func() {
			var out []*mdns.Msg
			for i := range 50 {
				name := names[(g+i)%len(names)]
				reply := h.respond(make([]byte, maxTCPSize+1), query(t, name, mdns.TypeA, edns(1232, true)), netip.MustParseAddr("192.0.2.1"), false)
				m := new(mdns.Msg)
				if m.Unpack(reply) == nil {
					out = append(out, m)
				}
			}
			done <- out
		}()
	}
	now := time.Now()
	for range 8 {
		for _, m := range <-done {
			if len(verifySection(t, append(m.Answer, m.Ns...), keys, now)) == 0 {
				t.Errorf("nothing signed in %v", m)
			}
		}
	}
}

// TestCompactAnswersOK: a query with CO set (RFC 9824 4) gets the
// NXDOMAIN rcode back with the same signed NXNAME proof, and CO in the
// reply; NODATA and queries without CO are unchanged.
func TestCompactAnswersOK(t *testing.T) {
	h := newSignedHandler(t, loadSigned(t, KeyOptions{}))
	co := func(m *mdns.Msg) {
		m.SetEdns0(1232, true)
		m.IsEdns0().SetCo()
	}
	for _, tc := range []struct {
		name    string
		opt     qopt
		rcode   int
		replyCO bool
	}{
		{"nope.example.test.", co, mdns.RcodeNameError, true},
		{"nope.example.test.", edns(1232, true), mdns.RcodeSuccess, false},
		{"static.example.test.", co, mdns.RcodeSuccess, false}, // NODATA: MX asked below
	} {
		qtype := mdns.TypeA
		if tc.name == "static.example.test." {
			qtype = mdns.TypeMX
		}
		m := ask(t, h, query(t, tc.name, qtype, tc.opt), false)
		opt := m.IsEdns0()
		if m.Rcode != tc.rcode || opt == nil || opt.Co() != tc.replyCO || !opt.Do() {
			t.Errorf("%s: rcode %s CO %v, want %s CO %v\n%v", tc.name, mdns.RcodeToString[m.Rcode], opt != nil && opt.Co(), mdns.RcodeToString[tc.rcode], tc.replyCO, m)
		}
		found := false
		for _, rr := range m.Ns {
			if _, ok := rr.(*mdns.NSEC); ok {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no NSEC in authority", tc.name)
		}
	}
}

// failingSigner is a private key that cannot sign.
type failingSigner struct{ crypto.Signer }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("HSM unplugged")
}

// TestSigningFailure: a signature that cannot be made answers that query
// SERVFAIL; queries whose signatures can be made (the DNSKEY RRset, by the
// other key), and queries without DO, are answered as usual.
func TestSigningFailure(t *testing.T) {
	set := loadSigned(t, KeyOptions{})
	sg := signerOf(set.Zone("example.test."))
	for i, k := range sg.zsk {
		broken := *k
		broken.priv = failingSigner{k.priv}
		sg.zsk[i] = &broken
	}
	h := newSignedHandler(t, set)
	for _, tc := range []struct {
		name  string
		qtype uint16
		do    bool
		rcode int
	}{
		{"www.example.test.", mdns.TypeA, true, mdns.RcodeServerFailure},
		{"static.example.test.", mdns.TypeA, true, mdns.RcodeServerFailure},
		{"example.test.", mdns.TypeDNSKEY, true, mdns.RcodeSuccess},
		{"www.other.test.", mdns.TypeA, true, mdns.RcodeSuccess},
		{"www.example.test.", mdns.TypeA, false, mdns.RcodeSuccess},
	} {
		m := ask(t, h, query(t, tc.name, tc.qtype, edns(1232, tc.do)), false)
		if m.Rcode != tc.rcode {
			t.Errorf("%s %s DO %v: rcode %s, want %s", tc.name, mdns.TypeToString[tc.qtype], tc.do, mdns.RcodeToString[m.Rcode], mdns.RcodeToString[tc.rcode])
		}
	}
}
