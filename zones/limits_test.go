package zones_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/zones"
)

// TestZoneLimits checks that every limit on zone data that refuses a file
// says where: the first record (or octet) past it, and that a file at the
// limit loads.
func TestZoneLimits(t *testing.T) {
	lines := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "  %q,\n", f(i))
		}
		return b.String()
	}
	small := zoneHead + "]\n" // 85 octets
	tests := []struct {
		name   string
		limits func(c *configLimits)
		src    string
		want   []string
	}{
		{"types at the limit", func(c *configLimits) { c.types = 3 },
			zoneHead + lines(3, func(i int) string { return fmt.Sprintf("www TYPE%d \\# 0", 65280+i) }) + "]", nil},
		{"too many types", func(c *configLimits) { c.types = 3 },
			zoneHead + lines(5, func(i int) string { return fmt.Sprintf("www TYPE%d \\# 0", 65280+i) }) + "]",
			[]string{"z.toml:9:3: more than max_types_per_name (3) record types at www.example.com."}},
		{"too many types, default 100", nil,
			zoneHead + lines(101, func(i int) string { return fmt.Sprintf("www TYPE%d \\# 0", 65280+i) }) + "]",
			[]string{"z.toml:106:3: more than max_types_per_name (100) record types at www.example.com."}},
		{"rrset at the limit", func(c *configLimits) { c.rrset = 4 },
			zoneHead + lines(4, func(i int) string { return fmt.Sprintf("www A 192.0.2.%d", i+1) }) + "]", nil},
		{"rrset too large", func(c *configLimits) { c.rrset = 4 },
			zoneHead + lines(6, func(i int) string { return fmt.Sprintf("www A 192.0.2.%d", i+1) }) + "]",
			[]string{"z.toml:10:3: more than max_rrset_records (4) records in the A RRset of www.example.com."}},
		{"rrset too large, default 1000", nil,
			zoneHead + lines(1001, func(i int) string { return fmt.Sprintf("www AAAA 2001:db8::%x", i+1) }) + "]",
			[]string{"z.toml:1006:3: more than max_rrset_records (1000) records in the AAAA RRset of www.example.com."}},
		{"file at the limit", func(c *configLimits) { c.size = len(small) }, small, nil},
		{"file too large", func(c *configLimits) { c.size = len(small) - 10 }, small, // octet 76: line 5, column 15
			[]string{"z.toml:5:15: zone file larger than max_zone_file_size (75 bytes): the limit falls here"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.limits != nil {
				var l configLimits
				tt.limits(&l)
				cfg.MaxTypesPerName, cfg.MaxRRsetRecords, cfg.MaxZoneFileSize, cfg.MaxCNAMEChain = l.types, l.rrset, l.size, l.chain
			}
			_, err := zones.CompileZone("z.toml", []byte(tt.src), cfg, dns.ParseRecord)
			got := tomlcheck.Errors(err)
			if len(got) != len(tt.want) {
				t.Fatalf("CompileZone errors = %v, want %q", err, tt.want)
			}
			for i, e := range got {
				if e.Error() != tt.want[i] {
					t.Errorf("error %d = %q, want %q", i, e.Error(), tt.want[i])
				}
			}
		})
	}
}

type configLimits struct{ types, rrset, size, chain int }

// TestZoneFileSizeRead checks that the store refuses a zone file over
// max_zone_file_size with a positioned error, and keeps serving the
// other zones.
func TestZoneFileSizeRead(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	cfg.ZonesDir = dir
	cfg.MaxZoneFileSize = 200
	ok := zoneHead + "]\n"
	big := strings.Replace(zoneHead, "example.com.", "example.net.", 1) + strings.Repeat("  \"www TXT padding-padding-padding\",\n", 10) + "]\n"
	for name, src := range map[string]string{"a.toml": ok, "b.toml": big} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st := zones.NewStore(cfg, dns.ParseRecord, nil, nil)
	err := st.Reload()
	got := tomlcheck.Errors(err)
	want := filepath.Join(dir, "b.toml") + ":9:7: zone file larger than max_zone_file_size (200 bytes): the limit falls here"
	if len(got) != 1 || got[0].Error() != want {
		t.Errorf("Reload errors = %v, want %q", err, want)
	}
	if st.Current().Zone("example.com.") == nil {
		t.Error("example.com. not served beside the refused file")
	}
}

// TestCNAMEChainLimit checks that an answer holds at most max_cname_chain
// CNAMEs: the target of the last one is looked up only when the chain is
// shorter.
func TestCNAMEChainLimit(t *testing.T) {
	src := zoneHead + "  \"c0 CNAME c1\",\n  \"c1 CNAME c2\",\n  \"c2 A 192.0.2.1\",\n]"
	for _, tt := range []struct{ limit, wantRRs int }{{2, 2}, {3, 3}} {
		cfg := testConfig()
		cfg.MaxCNAMEChain = tt.limit
		z, err := zones.CompileZone("z.toml", []byte(src), cfg, dns.ParseRecord)
		if err != nil {
			t.Fatal(err)
		}
		var a zones.Answer
		zones.NewSet([]*zones.Zone{z}).Lookup("c0.example.com.", zones.TypeA, &a)
		if len(a.Answer) != tt.wantRRs {
			t.Errorf("max_cname_chain %d: %d records in the answer, want %d", tt.limit, len(a.Answer), tt.wantRRs)
		}
	}
}

// TestCNAMEChainWarning checks that a chain longer than max_cname_chain
// inside a zone file loads (as NSD and Knot load it) with a positioned
// warning at the CNAME that starts it.
func TestCNAMEChainWarning(t *testing.T) {
	chain := func(n int) string { // n CNAMEs: c0 → c1 → … → cn (an A record)
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "  \"c%d CNAME c%d\",\n", i, i+1)
		}
		return b.String() + fmt.Sprintf("  \"c%d A 192.0.2.1\",\n", n)
	}
	tests := []struct {
		name  string
		limit int
		src   string
		want  []string
	}{
		{"at the limit", 3, zoneHead + chain(3) + "]", nil},
		{"too long", 3, zoneHead + chain(4) + "]",
			[]string{"z.toml:6:3: warning: CNAME chain from c0.example.com. is longer than max_cname_chain (3 CNAMEs): answers stop after 3 and resolvers follow the rest"}},
		{"too long, default 8", 0, zoneHead + chain(9) + "]",
			[]string{"z.toml:6:3: warning: CNAME chain from c0.example.com. is longer than max_cname_chain (8 CNAMEs): answers stop after 8 and resolvers follow the rest"}},
		{"a loop", 0, zoneHead + "  \"a CNAME b\",\n  \"b CNAME a\",\n]", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxCNAMEChain = tt.limit
			z, err := zones.CompileZone("z.toml", []byte(tt.src), cfg, dns.ParseRecord)
			if err != nil {
				t.Fatalf("CompileZone: %v", err)
			}
			got := z.Warnings()
			if len(got) != len(tt.want) {
				t.Fatalf("Warnings() = %v, want %q", got, tt.want)
			}
			for i, e := range got {
				if e.Error() != tt.want[i] {
					t.Errorf("warning %d = %q, want %q", i, e.Error(), tt.want[i])
				}
			}
		})
	}
}
