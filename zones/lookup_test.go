package zones_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/zones"
)

const lookupZone = `origin = "example.com."
ttl = "1h"
records = [
  "@ NS ns1",
  "@ NS ns2.example.net.",
  "@ MX 10 mail",
  "ns1 A 192.0.2.53",
  "mail A 192.0.2.25",
  "www A 192.0.2.80",
  "www AAAA 2001:db8::80",
  "alias CNAME www",
  "chain CNAME alias",
  "out CNAME www.example.net.",
  "loop1 CNAME loop2",
  "loop2 CNAME loop1",
  "dangling CNAME nothing",
  "toother CNAME host.example.org.",
  "*.wild TXT wildcard",
  "*.wild MX 5 mail",
  "exists.wild A 192.0.2.7",
  "a.ent.wild A 192.0.2.8",
  "*.cn CNAME www",
  "x.y.z A 192.0.2.9",
  "sub NS ns.sub",
  "sub DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
  "ns.sub A 192.0.2.99",
  "geo CNAME www2",
  "legacy DNAME example.org.",
  "self DNAME sub2.self",
  "*.wa A 192.0.2.44",
  "mxw MX 10 x.wa",
  "mxe MX 10 x.ent.wild",
]
[soa]
primary = "ns1"
serial = 7
negative_ttl = "5m"

[gslb.www2]
pool = "p"
[pools.p]
members = [{ datacenter = "ams", addresses = ["192.0.2.10"] }]
`

const childZone = `origin = "sub.example.com."
records = ["@ NS ns.sub.example.com.", "ns A 192.0.2.99", "www A 192.0.2.100"]
`

const otherZone = `origin = "example.org."
records = ["@ NS ns1.example.com.", "host A 198.51.100.1"]
`

func testSet(t testing.TB) *zones.Set {
	t.Helper()
	a, err := zones.CompileZone("a.toml", []byte(lookupZone), testConfig(), dns.ParseRecord)
	if err != nil {
		t.Fatal(err)
	}
	b, err := zones.CompileZone("b.toml", []byte(otherZone), testConfig(), dns.ParseRecord)
	if err != nil {
		t.Fatal(err)
	}
	return zones.NewSet([]*zones.Zone{a, b})
}

// TestLookupParentAndChild serves a zone and its delegated child together.
func TestLookupParentAndChild(t *testing.T) {
	a, err := zones.CompileZone("a.toml", []byte(lookupZone), testConfig(), dns.ParseRecord)
	if err != nil {
		t.Fatal(err)
	}
	c, err := zones.CompileZone("c.toml", []byte(childZone), testConfig(), dns.ParseRecord)
	if err != nil {
		t.Fatal(err)
	}
	set := zones.NewSet([]*zones.Zone{a, c})
	tests := []struct {
		qname string
		qtype uint16
		want  string
	}{
		{"sub.example.com.", 43, "success an=[sub.example.com./43] ns=[] ad=[]"},                    // DS from the parent
		{"sub.example.com.", 2, "success an=[sub.example.com./2] ns=[] ad=[ns.sub.example.com./1]"}, // NS from the child
		{"www.sub.example.com.", 1, "success an=[www.sub.example.com./1] ns=[] ad=[]"},
		{"nope.sub.example.com.", 1, "nxdomain an=[] ns=[sub.example.com./6] ad=[]"},
	}
	for _, tt := range tests {
		var ans zones.Answer
		set.Lookup(tt.qname, tt.qtype, &ans)
		if got := describe(&ans); got != tt.want {
			t.Errorf("Lookup(%s, %d) = %s\nwant %s", tt.qname, tt.qtype, got, tt.want)
		}
	}
}

// describe renders an answer compactly: outcome, then each section's
// owner/type pairs.
func describe(a *zones.Answer) string {
	sec := func(rrs []zones.RR) string {
		var parts []string
		for _, rr := range rrs {
			owner := rr.Name
			if rr.Owner != "" {
				owner = rr.Owner + "(*)"
			}
			part := fmt.Sprintf("%s/%d", owner, rr.Type)
			if rr.Synth != "" {
				part += "=>" + rr.Synth
			}
			parts = append(parts, part)
		}
		return strings.Join(parts, ",")
	}
	s := fmt.Sprintf("%s an=[%s] ns=[%s] ad=[%s]", a.Outcome, sec(a.Answer), sec(a.Authority), sec(a.Additional))
	if a.GSLB != nil {
		s += " gslb=" + a.GSLBOwner
	}
	return s
}

func TestLookup(t *testing.T) {
	set := testSet(t)
	tests := []struct {
		qname string
		qtype uint16
		want  string
	}{
		{"www.example.com.", 1, "success an=[www.example.com./1] ns=[] ad=[]"},
		{"www.example.com.", 28, "success an=[www.example.com./28] ns=[] ad=[]"},
		{"www.example.com.", 16, "nodata an=[] ns=[example.com./6] ad=[]"},
		{"nope.example.com.", 1, "nxdomain an=[] ns=[example.com./6] ad=[]"},
		{"example.com.", 2, "success an=[example.com./2,example.com./2] ns=[] ad=[ns1.example.com./1]"},
		{"example.com.", 15, "success an=[example.com./15] ns=[] ad=[mail.example.com./1]"},
		{"example.com.", 6, "success an=[example.com./6] ns=[] ad=[]"},
		{"alias.example.com.", 1, "success an=[alias.example.com./5,www.example.com./1] ns=[] ad=[]"},
		{"alias.example.com.", 5, "success an=[alias.example.com./5] ns=[] ad=[]"},
		{"chain.example.com.", 28, "success an=[chain.example.com./5,alias.example.com./5,www.example.com./28] ns=[] ad=[]"},
		{"alias.example.com.", 16, "nodata an=[alias.example.com./5] ns=[example.com./6] ad=[]"},
		{"out.example.com.", 1, "success an=[out.example.com./5] ns=[] ad=[]"},
		{"loop1.example.com.", 1, "success an=[loop1.example.com./5,loop2.example.com./5] ns=[] ad=[]"},
		{"dangling.example.com.", 1, "nxdomain an=[dangling.example.com./5] ns=[example.com./6] ad=[]"},
		{"toother.example.com.", 1, "success an=[toother.example.com./5,host.example.org./1] ns=[] ad=[]"},
		{"a.wild.example.com.", 16, "success an=[a.wild.example.com.(*)/16] ns=[] ad=[]"},
		{"a.b.wild.example.com.", 15, "success an=[a.b.wild.example.com.(*)/15] ns=[] ad=[mail.example.com./1]"},
		{"a.wild.example.com.", 1, "nodata an=[] ns=[example.com./6] ad=[]"},
		{"exists.wild.example.com.", 16, "nodata an=[] ns=[example.com./6] ad=[]"},
		{"ent.wild.example.com.", 16, "nodata an=[] ns=[example.com./6] ad=[]"},
		{"b.ent.wild.example.com.", 16, "nxdomain an=[] ns=[example.com./6] ad=[]"},
		{"wild.example.com.", 16, "nodata an=[] ns=[example.com./6] ad=[]"},
		{"q.cn.example.com.", 1, "success an=[q.cn.example.com.(*)/5,www.example.com./1] ns=[] ad=[]"},
		{"y.z.example.com.", 1, "nodata an=[] ns=[example.com./6] ad=[]"},
		{"z.example.com.", 1, "nodata an=[] ns=[example.com./6] ad=[]"},
		{"sub.example.com.", 1, "referral an=[] ns=[sub.example.com./2] ad=[ns.sub.example.com./1]"},
		{"a.b.sub.example.com.", 28, "referral an=[] ns=[sub.example.com./2] ad=[ns.sub.example.com./1]"},
		{"ns.sub.example.com.", 1, "referral an=[] ns=[sub.example.com./2] ad=[ns.sub.example.com./1]"},
		{"sub.example.com.", 43, "success an=[sub.example.com./43] ns=[] ad=[]"},
		{"x.sub.example.com.", 43, "referral an=[] ns=[sub.example.com./2] ad=[ns.sub.example.com./1]"},
		{"www2.example.com.", 1, "gslb an=[] ns=[] ad=[] gslb=www2.example.com."},
		{"geo.example.com.", 28, "gslb an=[geo.example.com./5] ns=[] ad=[] gslb=www2.example.com."},
		{"www.example.net.", 1, "refused an=[] ns=[] ad=[]"},
		{"example.org.", 2, "success an=[example.org./2] ns=[] ad=[]"},
		// ANY (RFC 8482): the first RRset by type, with its additional data
		{"www.example.com.", 255, "success an=[www.example.com./1] ns=[] ad=[]"},
		{"example.com.", 255, "success an=[example.com./2,example.com./2] ns=[] ad=[ns1.example.com./1]"},
		{"alias.example.com.", 255, "success an=[alias.example.com./5] ns=[] ad=[]"},
		{"a.wild.example.com.", 255, "success an=[a.wild.example.com.(*)/15] ns=[] ad=[mail.example.com./1]"},
		// RRSIG and NSEC beside a CNAME: answered at the node
		{"alias.example.com.", 46, "nodata an=[] ns=[example.com./6] ad=[]"},
		{"alias.example.com.", 47, "nodata an=[] ns=[example.com./6] ad=[]"},
		// additional data for a target that a wildcard answers, not
		// for one blocked by an empty non-terminal
		{"mxw.example.com.", 15, "success an=[mxw.example.com./15] ns=[] ad=[x.wa.example.com.(*)/1]"},
		{"mxe.example.com.", 15, "success an=[mxe.example.com./15] ns=[] ad=[]"},
		// DNAME (RFC 6672): the DNAME, a synthesized CNAME, then the target
		{"host.legacy.example.com.", 1, "success an=[legacy.example.com./39,host.legacy.example.com.(*)/39=>host.example.org.,host.example.org./1] ns=[] ad=[]"},
		{"a.b.legacy.example.com.", 1, "nxdomain an=[legacy.example.com./39,a.b.legacy.example.com.(*)/39=>a.b.example.org.] ns=[example.org./6] ad=[]"},
		{"legacy.example.com.", 39, "success an=[legacy.example.com./39] ns=[] ad=[]"},
		// the synthesized CNAME answers a CNAME query: not followed
		{"host.legacy.example.com.", 5, "success an=[legacy.example.com./39,host.legacy.example.com.(*)/39=>host.example.org.] ns=[] ad=[]"},
		{"legacy.example.com.", 1, "nodata an=[] ns=[example.com./6] ad=[]"},
		// a chain through the same DNAME: the DNAME once
		{"x.self.example.com.", 1, "success an=[self.example.com./39,x.self.example.com.(*)/39=>x.sub2.self.example.com.,x.sub2.self.example.com.(*)/39=>x.sub2.sub2.self.example.com.,x.sub2.sub2.self.example.com.(*)/39=>x.sub2.sub2.sub2.self.example.com.,x.sub2.sub2.sub2.self.example.com.(*)/39=>x.sub2.sub2.sub2.sub2.self.example.com.,x.sub2.sub2.sub2.sub2.self.example.com.(*)/39=>x.sub2.sub2.sub2.sub2.sub2.self.example.com.,x.sub2.sub2.sub2.sub2.sub2.self.example.com.(*)/39=>x.sub2.sub2.sub2.sub2.sub2.sub2.self.example.com.,x.sub2.sub2.sub2.sub2.sub2.sub2.self.example.com.(*)/39=>x.sub2.sub2.sub2.sub2.sub2.sub2.sub2.self.example.com.,x.sub2.sub2.sub2.sub2.sub2.sub2.sub2.self.example.com.(*)/39=>x.sub2.sub2.sub2.sub2.sub2.sub2.sub2.sub2.self.example.com.] ns=[] ad=[]"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.qname, tt.qtype), func(t *testing.T) {
			var a zones.Answer
			set.Lookup(tt.qname, tt.qtype, &a)
			if got := describe(&a); got != tt.want {
				t.Errorf("Lookup(%s, %d) = %s\nwant %s", tt.qname, tt.qtype, got, tt.want)
			}
		})
	}
}

func TestNegativeSOATTL(t *testing.T) {
	set := testSet(t)
	var a zones.Answer
	set.Lookup("nope.example.com.", 1, &a)
	if got := a.Authority[0].TTL; got != 300 {
		t.Errorf("negative SOA TTL = %d, want min(3600, 300) = 300", got)
	}
	z := set.Zone("example.com.")
	if z.SOA.TTL != 3600 || z.Serial != 7 {
		t.Errorf("SOA TTL %d serial %d, want 3600 and 7", z.SOA.TTL, z.Serial)
	}
}

func BenchmarkLookup(b *testing.B) {
	set := testSet(b)
	var a zones.Answer
	for _, q := range []string{"www.example.com.", "nope.example.com.", "a.wild.example.com."} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.Reset()
				set.Lookup(q, 16, &a)
			}
		})
	}
}
