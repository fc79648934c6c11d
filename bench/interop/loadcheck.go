package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gslb/gslb/zones"

	gdns "github.com/gslb/gslb/dns"
)

// loadCase is one zone construct: records added to a minimal zone, given to
// each server's loader.
type loadCase struct {
	name    string
	records []string
	noBase  bool   // the records replace the base zone's NS
	strict  string // gslb refuses it on purpose (the README's list): why
}

const loadOrigin = "load.example."

var loadBase = []string{"@ NS ns.example.net."}

var loadCases = []loadCase{
	{name: "cname-beside-data", records: []string{"c CNAME x.example.net.", "c A 192.0.2.1"}, strict: "CNAME beside other data"},
	{name: "two-cnames", records: []string{"c CNAME x.example.net.", "c CNAME y.example.net."}},
	{name: "cname-at-apex", records: []string{"@ CNAME x.example.net."}, strict: "CNAME beside other data (SOA, NS)"},
	{name: "cname-beside-nsec-rrsig", records: []string{"c CNAME x.example.net.", "c NSEC d.load.example. CNAME RRSIG NSEC", "c RRSIG CNAME 13 3 3600 20300101000000 20200101000000 12345 load.example. AAAA"}},
	{name: "dname-occludes-data", records: []string{"d DNAME x.example.net.", "a.d A 192.0.2.1"}, strict: "occluded data"},
	{name: "dname-at-apex", records: []string{"@ DNAME other.example."}},
	{name: "dname-beside-ns-below-apex", records: []string{"d NS ns.example.net.", "d DNAME x.example.net."}, strict: "occluded data (DNAME at a delegation point)"},
	{name: "dname-beside-cname", records: []string{"d CNAME x.example.net.", "d DNAME y.example.net."}, strict: "CNAME beside other data"},
	{name: "two-dnames", records: []string{"d DNAME x.example.net.", "d DNAME y.example.net."}},
	{name: "dname-beside-a", records: []string{"d DNAME x.example.net.", "d A 192.0.2.1"}},
	{name: "non-glue-below-cut", records: []string{"s NS ns.example.net.", "t.s TXT x"}, strict: "occluded data"},
	{name: "nested-cut", records: []string{"s NS ns.example.net.", "a.s NS ns.example.net."}, strict: "occluded data"},
	{name: "data-at-cut", records: []string{"s NS ns.example.net.", "s TXT x"}, strict: "occluded data"},
	{name: "orphan-glue-below-cut", records: []string{"s NS ns.example.net.", "orphan.s A 192.0.2.1"}},
	{name: "ns-target-without-glue", records: []string{"s NS ns.s"}, strict: "NS target without glue"},
	{name: "ns-target-cname", records: []string{"s NS nsc", "nsc CNAME x.example.net."}, strict: "NS target without glue"},
	{name: "ttl-mismatch-in-rrset", records: []string{"w 300 A 192.0.2.1", "w 600 A 192.0.2.2"}, strict: "TTL mismatch within an RRset"},
	{name: "ttl-units", records: []string{"w 1h30m A 192.0.2.1"}},
	{name: "ttl-2^31", records: []string{"w 2147483648 A 192.0.2.1"}, strict: "RFC 2181 8: a TTL is at most 2^31-1"},
	{name: "ttl-2^32-1", records: []string{"w 4294967295 A 192.0.2.1"}, strict: "RFC 2181 8: a TTL is at most 2^31-1"},
	{name: "ttl-0", records: []string{"w 0 A 192.0.2.1"}},
	{name: "duplicate-record", records: []string{"w A 192.0.2.1", "w A 192.0.2.1"}},
	{name: "owner-case-variants", records: []string{"W A 192.0.2.1", "w A 192.0.2.2"}},
	{name: "owner-outside-zone", records: []string{"x.example.net. A 192.0.2.1"}},
	{name: "class-ch", records: []string{"w CH A 192.0.2.1"}},
	{name: "wildcard-ns", records: []string{"*.w NS ns.example.net."}},
	{name: "wildcard-dname", records: []string{"*.w DNAME x.example.net."}},
	{name: "wildcard-ent", records: []string{"sub.*.w A 192.0.2.1"}},
	{name: "wildcard-at-apex", records: []string{"* A 192.0.2.1"}},
	{name: "wildcard-cname-beside-data", records: []string{"*.w CNAME x.example.net.", "*.w A 192.0.2.1"}, strict: "CNAME beside other data"},
	{name: "ds-not-at-cut", records: []string{"x DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"}},
	{name: "ds-at-apex", records: []string{"@ DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"}},
	{name: "empty-txt", records: []string{`w TXT ""`}},
	{name: "txt-string-256", records: []string{`w TXT "` + strings.Repeat("x", 256) + `"`}},
	{name: "label-64", records: []string{strings.Repeat("a", 64) + " A 192.0.2.1"}},
	{name: "name-254-octets", records: []string{strings.Repeat("a.", 119) + "a A 192.0.2.1"}},
	{name: "name-256-octets", records: []string{strings.Repeat("a.", 120) + "a A 192.0.2.1"}},
	{name: "empty-label", records: []string{"a..b A 192.0.2.1"}},
	{name: "escaped-dot-and-null", records: []string{`a\.b A 192.0.2.1`, `n\000l A 192.0.2.2`}},
	{name: "generic-known-type", records: []string{`g A \# 4 c0000201`}},
	{name: "generic-unknown-type", records: []string{`g TYPE65534 \# 0`}},
	{name: "null-record", records: []string{`g NULL \# 3 010203`}},
	{name: "null-mx", records: []string{"@ MX 0 ."}},
	{name: "srv-target-root", records: []string{"_x._tcp SRV 0 0 0 ."}},
	{name: "https-alias-mode", records: []string{"s HTTPS 0 target.example.net."}},
	{name: "bad-a", records: []string{"w A 192.0.2"}},
	{name: "aaaa-v4mapped", records: []string{"w AAAA ::ffff:192.0.2.1"}},
	{name: "rrsig-as-data", records: []string{"w A 192.0.2.1", "w RRSIG A 13 3 3600 20300101000000 20200101000000 12345 load.example. AAAA"}},
	{name: "dnskey-and-nsec3param", records: []string{"@ DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==", "@ NSEC3PARAM 1 0 0 -"}},
	{name: "no-apex-ns", noBase: true, records: []string{"w A 192.0.2.1"}, strict: "RFC 1034 4.2.1: a zone has NS records at its apex"},
	{name: "sibling-glue", records: []string{"s NS ns.t", "t NS ns.example.net.", "ns.t A 192.0.2.1"}},
	{name: "glue-for-out-of-zone-ns", records: []string{"s NS ns.example.net.", "ns.example.net. A 192.0.2.1"}},
	{name: "mx-target-cname", records: []string{"@ MX 10 c", "c CNAME x.example.net."}},
	{name: "cname-loop", records: []string{"a CNAME b", "b CNAME a"}},
	{name: "mixed-case-owner-and-rdata", records: []string{"WwW CNAME TaRgEt.Example.Net."}},
	{name: "svcb-mandatory-keys", records: []string{"s HTTPS 1 . alpn=h2 mandatory=alpn"}},
	{name: "apex-ns-below-cut", noBase: true, records: []string{"@ NS ns.s", "s NS ns.s", "ns.s A 192.0.2.1"}},
	{name: "txt-escapes", records: []string{`w TXT "a\"b\\c\034d\255"`}},
	{name: "caa-critical", records: []string{`@ CAA 128 tbs "x"`}},
}

// loadChecks runs every load case through gslb's compiler, nsd-checkzone
// and `knotc zone-check`, and prints where they disagree.
func loadChecks(w io.Writer, dir string, bins map[string]string) error {
	if err := os.MkdirAll(filepath.Join(dir, "zones"), 0o755); err != nil {
		return err
	}
	knotConf := filepath.Join(dir, "knot.conf")
	conf := fmt.Sprintf("server:\n    rundir: %q\ndatabase:\n    storage: %q\ntemplate:\n  - id: default\n    storage: %q\n    file: \"%%s.zone\"\nzone:\n  - domain: %s\n",
		dir, filepath.Join(dir, "db"), filepath.Join(dir, "zones"), loadOrigin)
	if err := os.WriteFile(knotConf, []byte(conf), 0o644); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o755); err != nil {
		return err
	}
	knotc := filepath.Join(filepath.Dir(bins["knot"]), "knotc")
	checkzone := filepath.Join(filepath.Dir(bins["nsd"]), "nsd-checkzone")
	fmt.Fprintf(w, "\n==== zone loading: which constructs each loader accepts (%d cases) ====\n", len(loadCases))
	fmt.Fprintf(w, "gslb: zones.Compile; NSD: nsd-checkzone; Knot: knotc zone-check (default semantic checks)\n\n")
	fmt.Fprintf(w, "%-28s %-7s %-7s %-7s %s\n", "case", "gslb", "nsd", "knot", "verdict")
	for _, c := range loadCases {
		recs := c.records
		if !c.noBase {
			recs = append(append([]string(nil), loadBase...), c.records...)
		}
		// gslb
		var tb bytes.Buffer
		fmt.Fprintf(&tb, "origin = %q\nttl = \"1h\"\nrecords = [\n", loadOrigin)
		for _, r := range recs {
			fmt.Fprintf(&tb, "  %s,\n", tomlString(r))
		}
		fmt.Fprintf(&tb, "]\n[soa]\nprimary = \"ns.example.net.\"\nserial = 1\n")
		_, gerr := zones.Compile(c.name+".toml", tb.Bytes(), nil, gdns.ParseRecord, zones.CompileOptions{})
		// master file
		var mf strings.Builder
		fmt.Fprintf(&mf, "$ORIGIN %s\n$TTL 3600\n@ SOA ns.example.net. hostmaster 1 3600 900 1209600 300\n", loadOrigin)
		for _, r := range recs {
			fmt.Fprintln(&mf, r)
		}
		zf := filepath.Join(dir, "zones", loadOrigin+"zone")
		if err := os.WriteFile(zf, []byte(mf.String()), 0o644); err != nil {
			return err
		}
		nout, nerr := exec.Command(checkzone, loadOrigin, zf).CombinedOutput()
		kout, kerr := exec.Command(knotc, "-c", knotConf, "zone-check", loadOrigin).CombinedOutput()
		g, n, k := gerr == nil, nerr == nil, kerr == nil
		verdict := ""
		switch {
		case g == n && g == k:
			verdict = "agree"
		case !g && (n || k) && c.strict != "":
			verdict = "gslb stricter, on purpose: " + c.strict
		case !g && n && k:
			verdict = "GSLB REFUSES WHAT BOTH PEERS LOAD"
		case g && !n && !k:
			verdict = "GSLB LOADS WHAT BOTH PEERS REFUSE"
		case g == n:
			verdict = "gslb agrees with NSD"
		default:
			verdict = "gslb agrees with Knot"
		}
		fmt.Fprintf(w, "%-28s %-7s %-7s %-7s %s\n", c.name, okStr(g), okStr(n), okStr(k), verdict)
		if verdict != "agree" {
			if gerr != nil {
				fmt.Fprintf(w, "    gslb: %s\n", firstLine(gerr.Error()))
			}
			if nerr != nil {
				fmt.Fprintf(w, "    nsd:  %s\n", lastError(string(nout)))
			}
			if kerr != nil {
				fmt.Fprintf(w, "    knot: %s\n", lastError(string(kout)))
			}
		}
	}
	return nil
}

func okStr(b bool) string {
	if b {
		return "loads"
	}
	return "refuses"
}

func tomlString(s string) string {
	if !strings.Contains(s, "'") && !strings.Contains(s, "\n") {
		return "'" + s + "'"
	}
	return fmt.Sprintf("%q", s)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// lastError returns the most telling line of a checker's output: the first
// one that says "error", else the first line.
func lastError(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "error") && !strings.Contains(l, "failed to check") && !strings.Contains(l, "failed to load") {
			return strings.TrimSpace(l)
		}
	}
	return firstLine(strings.TrimSpace(out))
}
