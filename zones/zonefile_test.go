package zones_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/zones"
)

func testConfig() *config.Config {
	return &config.Config{
		Datacenters: map[string]pick.Datacenter{
			"ams": {Name: "ams", Lat: 52.37, Lon: 4.90},
			"iad": {Name: "iad", Lat: 38.95, Lon: -77.45},
		},
		Checks: map[string]health.Check{"web": {Name: "web", Type: health.CheckHTTP}},
	}
}

const zoneHead = `origin = "example.com."
ttl = "1h"
records = [
  "@ NS ns1",
  "ns1 A 192.0.2.53",
`

func TestCompileZoneErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"ok", zoneHead + "]", nil},
		{"missing origin", "ttl = 1", []string{`z.toml:1:1: missing required key "origin"`}},
		{"relative origin", "origin = \"example.com\"\nrecords = [\"@ NS ns1.example.net.\"]", []string{`z.toml:1:10: origin: origin "example.com" must be absolute (end with a dot)`}},
		{"no apex NS", "origin = \"example.com.\"\nrecords = [\"www A 192.0.2.1\"]", []string{"z.toml:1:10: origin: zone example.com. has no NS records at its apex"}},
		{"record syntax", zoneHead + "  \"www A 300.1.1.1\",\n]", []string{`z.toml:6:3: records[2]: bad A address: "300.1.1.1"`}},
		{"outside origin", zoneHead + "  \"www.example.net. A 192.0.2.1\",\n]", []string{"z.toml:6:3: records[2]: owner www.example.net. is outside the zone's origin example.com."}},
		{"cname beside data", zoneHead + "  \"www CNAME ns1\",\n  \"www TXT x\",\n]", []string{"z.toml:6:3: CNAME at www.example.com. beside other data (TXT at z.toml:7:3)"}},
		{"ns target without address", zoneHead + "  \"sub NS ns.sub\",\n]", []string{"z.toml:6:3: NS target ns.sub.example.com. is inside the zone but has no A or AAAA record"}},
		{"occluded", zoneHead + "  \"sub NS ns.example.net.\",\n  \"x.sub TXT hi\",\n]", []string{"z.toml:7:3: TXT at x.sub.example.com. is below the delegation at sub.example.com.: only glue (A, AAAA) may be there"}},
		{"below dname", zoneHead + "  \"old DNAME example.net.\",\n  \"x.old TXT hi\",\n]", []string{"z.toml:7:3: TXT at x.old.example.com. is occluded by the DNAME at old.example.com. (RFC 6672)"}},
		{"name over 255 octets", zoneHead + "  \"" + strings.Repeat("a.", 121) + "a A 192.0.2.1\",\n]", []string{"z.toml:6:3: records[2]: owner name is 257 octets long, more than 255"}},
		{"ttl out of range", zoneHead + "  \"www 2147483648 A 192.0.2.1\",\n]", []string{"z.toml:6:3: records[2]: TTL 2147483648 out of range [0, 2147483647]"}},
		{"ttl mismatch", zoneHead + "  \"www 60 A 192.0.2.1\",\n  \"www 70 A 192.0.2.2\",\n]", []string{"z.toml:7:3: TTL 70 differs from TTL 60 of the same RRset at z.toml:6:3"}},
		{"same record, other ttl", zoneHead + "  \"www 60 A 192.0.2.1\",\n  \"www 70 A 192.0.2.1\",\n]", []string{"z.toml:7:3: TTL 70 differs from TTL 60 of the same RRset at z.toml:6:3"}},
		{"soa in records", zoneHead + "  \"@ SOA a. b. 1 2 3 4 5\",\n]", []string{"z.toml:6:3: records[2]: SOA records come from the [soa] table"}},
		{"zone ttl without unit", strings.Replace(zoneHead, `ttl = "1h"`, `ttl = "60"`, 1) + "]", []string{`z.toml:2:7: ttl: duration "60" has no unit`}},
		{"misplaced key", zoneHead + "]\n[soa]\nprimary = \"ns1\"\nttl = \"1h\"", []string{`z.toml:9:7: soa.ttl: unknown key: "ttl" belongs at the top of the file`}},
		{"gslb also static", zoneHead + "  \"www A 192.0.2.1\",\n]\n[gslb.www]\npool = \"p\"\n[pools.p]\nmembers = [{datacenter = \"ams\", addresses = [\"192.0.2.10\"]}]",
			[]string{"z.toml:8:1: gslb.www: www.example.com. is both a GSLB name and a static name (records at z.toml:6:3)"}},
		{"undefined pool, dc, check", zoneHead + "]\n[gslb.www]\npool = \"nope\"\n[pools.p]\ncheck = \"nocheck\"\nmembers = [{datacenter = \"xxx\", addresses = [\"192.0.2.10\"]}]", []string{
			`z.toml:8:8: gslb.www.pool: pool "nope" is not defined in this file or the server configuration ([pools.nope])`,
			`z.toml:10:9: pools.p.check: check "nocheck" is not defined in the server configuration ([checks.nocheck])`,
			`z.toml:11:26: pools.p.members[0].datacenter: datacenter "xxx" is not defined in the server configuration ([datacenters.xxx])`,
		}},
		{"probed metadata address", zoneHead + "]\n[pools.p]\ncheck = \"web\"\nmembers = [{datacenter = \"ams\", addresses = [\"192.0.2.10\", \"169.254.169.254\"]}]",
			[]string{`z.toml:9:60: pools.p.members[0].addresses[1]: address 169.254.169.254 is a link-local address (instance metadata services live there): check "web" would probe it`}},
		{"unprobed metadata address", zoneHead + "]\n[pools.p]\nmembers = [{datacenter = \"ams\", addresses = [\"169.254.169.254\"]}]", nil},
		{"member both", zoneHead + "]\n[pools.p]\nmembers = [{datacenter = \"ams\", addresses = [\"192.0.2.10\"], cname = \"x.example.net.\"}]",
			[]string{"z.toml:8:69: pools.p.members[0].cname: a member has either addresses or a cname, not both"}},
		{"bad when_all_down", zoneHead + "]\n[pools.p]\nwhen_all_down = \"panic\"\nmembers = [{datacenter = \"ams\", cname = \"x.example.net.\"}]",
			[]string{`z.toml:8:17: pools.p.when_all_down: unknown policy "panic"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := zones.CompileZone("z.toml", []byte(tt.src), testConfig(), dns.ParseRecord)
			got := tomlcheck.Errors(err)
			if len(got) != len(tt.want) {
				t.Fatalf("CompileZone errors =\n%v\nwant %q", err, tt.want)
			}
			for i, e := range got {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("error %d = %q, want prefix %q", i, e.Error(), tt.want[i])
				}
			}
		})
	}
}

func TestCompileZonePool(t *testing.T) {
	src := zoneHead + `]
[gslb.www]
pool = "web"
ttl = "20s"
[pools.web]
check = "web"
when_all_down = "cname:fallback"
members = [
  { datacenter = "ams", addresses = ["192.0.2.10", "192.0.2.11", "2001:db8::10"] },
  { datacenter = "iad", cname = "iad.cdn.example.net." },
]
`
	z, err := zones.CompileZone("z.toml", []byte(src), testConfig(), dns.ParseRecord)
	if err != nil {
		t.Fatal(err)
	}
	p := z.Pools["web"]
	if p.MaxAnswers != 2 || p.UpFraction != 0.5 || p.WhenAllDown != pick.AllDownCNAME || p.AllDownCNAME != "fallback.example.com." {
		t.Errorf("pool = %+v", p)
	}
	if len(p.Members) != 2 || len(p.Members[0].V4) != 2 || len(p.Members[0].V6) != 1 || p.Members[1].CNAME != "iad.cdn.example.net." {
		t.Errorf("members = %+v", p.Members)
	}
	names := z.Names()
	if len(names) != 1 || names[0].TTL != 20 || names[0].DegradedTTL != 10 {
		t.Errorf("names = %+v", names[0])
	}
	if got := len(z.Targets(testConfig().Checks)); got != 3 {
		t.Errorf("targets = %d, want 3", got)
	}
}

func TestCompileZoneDuplicates(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		qtype   uint16
		want    int // records in the RRset
	}{
		{"same text", []string{"www A 192.0.2.1", "www A 192.0.2.1"}, zones.TypeA, 1},
		{"other spelling", []string{"www A 192.0.2.1", "WWW.example.com. 3600 IN A 192.0.2.1"}, zones.TypeA, 1},
		{"name case in rdata", []string{"@ MX 10 Mail", "@ MX 10 mail.example.com."}, zones.TypeMX, 1},
		{"escaped text", []string{`x TXT "A"`, `x TXT "\065"`}, 16, 1},
		{"other address", []string{"www A 192.0.2.1", "www A 192.0.2.2"}, zones.TypeA, 2},
		{"other strings", []string{`x TXT "a" "b"`, `x TXT "ab"`}, 16, 2},
		{"opaque type", []string{"s SVCB 1 . alpn=h2", "s SVCB 1 . alpn=h2", "s SVCB 1 . alpn=h3"}, 64, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := zoneHead + "  \"mail A 192.0.2.25\",\n"
			for _, r := range tt.records {
				src += fmt.Sprintf("  %q,\n", r)
			}
			z, err := zones.CompileZone("z.toml", []byte(src+"]"), testConfig(), dns.ParseRecord)
			if err != nil {
				t.Fatal(err)
			}
			owner := strings.Fields(tt.records[0])[0]
			name := owner + ".example.com."
			if owner == "@" {
				name = "example.com."
			}
			var a zones.Answer
			zones.NewSet([]*zones.Zone{z}).Lookup(name, tt.qtype, &a)
			if len(a.Answer) != tt.want {
				t.Errorf("Lookup(%s, %d) = %d records, want %d", name, tt.qtype, len(a.Answer), tt.want)
			}
		})
	}
}

func FuzzCompileZone(f *testing.F) {
	f.Add([]byte(zoneHead + "]"))
	f.Add([]byte(zoneHead + "  \"*.x CNAME www\",\n]\n[gslb.www]\npool = \"p\"\n[pools.p]\nmembers = [{datacenter = \"ams\", addresses = [\"192.0.2.10\"]}]"))
	f.Add([]byte("origin = \"a.\"\nrecords = [\"@ NS a.\", \"a. A 1.2.3.4\"]\n[soa]\nserial = 1"))
	cfg := testConfig()
	f.Fuzz(func(t *testing.T, src []byte) {
		z, err := zones.CompileZone("f.toml", src, cfg, dns.ParseRecord)
		if err != nil {
			for _, e := range tomlcheck.Errors(err) {
				if e.Msg == "" {
					t.Fatalf("empty error message in %v", err)
				}
			}
			return
		}
		var a zones.Answer
		set := zones.NewSet([]*zones.Zone{z})
		for _, name := range []string{z.Origin, "www." + z.Origin, "a.b.c." + z.Origin} {
			for _, qt := range []uint16{1, 5, 28, 255, 43} {
				a.Reset()
				set.Lookup(name, qt, &a)
			}
		}
	})
}

func TestServerPools(t *testing.T) {
	cfg, err := config.Parse("c.toml", []byte(`
[datacenters.ams]
lat = 52.37
lon = 4.90
[datacenters.iad]
lat = 38.95
lon = -77.45
[pools.shared]
policy = "failover"
members = [
  { datacenter = "iad", addresses = ["198.51.100.10"] },
  { datacenter = "ams", cname = "ams.cdn.example.net." },
]
`))
	if err != nil {
		t.Fatal(err)
	}
	z, err := zones.CompileZone("z.toml", []byte(zoneHead+"]\n[gslb.www]\npool = \"shared\"\n"), cfg, dns.ParseRecord)
	if err != nil {
		t.Fatal(err)
	}
	if names := z.Names(); len(names) != 1 || names[0].Pool != cfg.Pools["shared"] || z.Pools["shared"] != cfg.Pools["shared"] {
		t.Errorf("www uses pool %v, zone pools %v; want the server's pool", names[0].Pool, z.Pools)
	}
	_, err = zones.CompileZone("z.toml", []byte(zoneHead+"]\n[gslb.www]\npool = \"shared\"\n[pools.shared]\nmembers = [{datacenter = \"ams\", addresses = [\"192.0.2.10\"]}]\n"), cfg, dns.ParseRecord)
	want := `z.toml:9:1: pools.shared: pool "shared" is defined in the server configuration: a zone file may not redefine it`
	if got := tomlcheck.Errors(err); len(got) != 1 || got[0].Error() != want {
		t.Errorf("redefined server pool: %v, want %s", err, want)
	}
}

func TestApexGSLB(t *testing.T) {
	pool := "\n[pools.p]\nmembers = [{datacenter = \"ams\", addresses = [\"192.0.2.10\", \"2001:db8::10\"]}]\n"
	src := zoneHead + "  \"@ MX 10 mail\",\n  \"mail A 192.0.2.25\",\n]\n[gslb.\"@\"]\npool = \"p\"\n" + pool
	z, err := zones.CompileZone("z.toml", []byte(src), testConfig(), dns.ParseRecord)
	if err != nil {
		t.Fatal(err)
	}
	set := zones.NewSet([]*zones.Zone{z})
	for _, tt := range []struct {
		qtype uint16
		want  zones.Outcome
	}{
		{zones.TypeA, zones.GSLB},
		{zones.TypeAAAA, zones.GSLB},
		{zones.TypeSOA, zones.Success},
		{zones.TypeNS, zones.Success},
		{zones.TypeMX, zones.Success},
		{16, zones.NoData}, // TXT
		{zones.TypeANY, zones.Success},
	} {
		var a zones.Answer
		set.Lookup("example.com.", tt.qtype, &a)
		if a.Outcome != tt.want {
			t.Errorf("apex %d: %v, want %v", tt.qtype, a.Outcome, tt.want)
		}
	}
	var a zones.Answer
	set.Lookup("mail.example.com.", zones.TypeA, &a)
	if a.Outcome != zones.Success {
		t.Errorf("mail A below a GSLB apex: %v", a.Outcome)
	}

	bad := []struct{ name, src, want string }{
		{"static A at apex", zoneHead + "  \"@ A 192.0.2.1\",\n]\n[gslb.\"@\"]\npool = \"p\"\n" + pool,
			`z.toml:8:1: gslb."@": the apex example.com. has static A records (at z.toml:6:3)`},
		{"cname member", zoneHead + "]\n[gslb.\"@\"]\npool = \"p\"\n[pools.p]\nmembers = [{datacenter = \"ams\", cname = \"cdn.example.net.\"}]\n",
			`z.toml:8:8: gslb."@".pool: pool "p" has a CNAME member (ams): a CNAME cannot be at the zone apex`},
		{"cname when all down", zoneHead + "]\n[gslb.\"@\"]\npool = \"p\"\n[pools.p]\nwhen_all_down = \"cname:sorry.example.net.\"\nmembers = [{datacenter = \"ams\", addresses = [\"192.0.2.1\"]}]\n",
			`z.toml:8:8: gslb."@".pool: pool "p" answers a CNAME when all down`},
	}
	for _, tt := range bad {
		_, err := zones.CompileZone("z.toml", []byte(tt.src), testConfig(), dns.ParseRecord)
		got := tomlcheck.Errors(err)
		if len(got) != 1 || !strings.HasPrefix(got[0].Error(), tt.want) {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
}

// TestSOAContact: an email address is the mailbox as written, a name is
// relative to the origin unless absolute.
func TestSOAContact(t *testing.T) {
	tests := []struct{ contact, want string }{
		{"hostmaster@mycompany.test", "hostmaster.mycompany.test."},
		{"hostmaster@mycompany.test.", "hostmaster.mycompany.test."},
		{"Host.Master@Example.NET", `host\.master.example.net.`},
		{"hostmaster.mycompany.test.", "hostmaster.mycompany.test."},
		{"hostmaster", "hostmaster.example.com."},
		{"dns-admin@example.com", "dns-admin.example.com."},
	}
	for _, tt := range tests {
		src := zoneHead + "]\n[soa]\ncontact = \"" + strings.ReplaceAll(tt.contact, `\`, `\\`) + "\"\n"
		z, err := zones.CompileZone("z.toml", []byte(src), testConfig(), dns.ParseRecord)
		if err != nil {
			t.Errorf("contact %q: %v", tt.contact, err)
			continue
		}
		fields := strings.Fields(fmt.Sprint(z.SOA.Data))
		if len(fields) < 6 || fields[5] != tt.want {
			t.Errorf("contact %q: SOA %v, want RNAME %s", tt.contact, z.SOA.Data, tt.want)
		}
	}
	for _, bad := range []string{"@example.com", "hostmaster@", "a@b@c"} {
		src := zoneHead + "]\n[soa]\ncontact = \"" + bad + "\"\n"
		_, err := zones.CompileZone("z.toml", []byte(src), testConfig(), dns.ParseRecord)
		if got := tomlcheck.Errors(err); len(got) != 1 || !strings.Contains(got[0].Error(), "soa.contact: contact") {
			t.Errorf("contact %q: %v, want a soa.contact error", bad, err)
		}
	}
}

// TestWarnings: names that repeat the origin, as a forgotten final dot
// makes them, are warned about; others are not.
func TestWarnings(t *testing.T) {
	src := zoneHead + `  "@ MX 10 mail.example.com",
  "mail A 192.0.2.25",
  "example.com CNAME mail",
  "ok CNAME mail.example.com.",
  "ext CNAME www.example.net.",
]
[gslb."www.example.com"]
pool = "p"
[pools.p]
members = [{datacenter = "ams", addresses = ["192.0.2.10"]}]
`
	z, err := zones.CompileZone("z.toml", []byte(src), testConfig(), dns.ParseRecord)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range z.Warnings() {
		got = append(got, w.Error())
	}
	want := []string{
		"z.toml:6:3: warning: target mail.example.com.example.com. repeats the origin example.com.: a forgotten final dot? (write mail.example.com., or mail relative to the origin)",
		"z.toml:8:3: warning: owner example.com.example.com. repeats the origin example.com.: a forgotten final dot? (write example.com., or @ relative to the origin)",
		"z.toml:12:1: warning: GSLB name www.example.com.example.com. repeats the origin example.com.: a forgotten final dot? (write www.example.com., or www relative to the origin)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Warnings() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
