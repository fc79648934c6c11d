package dns

import (
	"testing"

	mdns "github.com/miekg/dns"
)

// TestWildcardExpand expands the records of a wildcard under query names,
// more of them in one reply than the storage held before (it grows), and
// checks every record returned and that the zone's own are unchanged.
func TestWildcardExpand(t *testing.T) {
	zone := []string{
		"*.wild.example.com. 300 IN A 192.0.2.100",
		"*.wild.example.com. 300 IN A 192.0.2.101",
		"*.wild.example.com. 300 IN AAAA 2001:db8::100",
		"*.wild.example.com. 300 IN CNAME www.example.com.",
		"*.wild.example.com. 300 IN MX 10 mail.example.com.", // copied whole
		`*.wild.example.com. 300 IN TXT "wild"`,
	}
	var rrs []mdns.RR
	var before []string
	for _, s := range zone {
		rr, err := mdns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		rrs = append(rrs, rr)
		before = append(before, rr.String())
	}
	var w wildcardRRs
	for round, owner := range []string{"a.wild.example.com.", "b.c.wild.example.com."} {
		var got []mdns.RR
		for range 5 { // five replies' worth: the slices grow under the records returned
			for _, rr := range rrs {
				got = append(got, w.expand(rr, owner))
			}
		}
		for i, rr := range got {
			want := rrs[i%len(rrs)]
			if rr == want {
				t.Fatalf("round %d: record %d is the zone's own, want a copy", round, i)
			}
			wantText := owner + want.String()[len("*.wild.example.com."):]
			if rr.String() != wantText {
				t.Errorf("round %d: record %d = %q, want %q", round, i, rr, wantText)
			}
		}
		w.reset()
		if len(w.a) != 0 || len(w.aaaa) != 0 || len(w.cname) != 0 {
			t.Errorf("after reset: %d A, %d AAAA, %d CNAME kept", len(w.a), len(w.aaaa), len(w.cname))
		}
	}
	for i, rr := range rrs {
		if rr.String() != before[i] {
			t.Errorf("zone record %d became %q, was %q", i, rr, before[i])
		}
	}
}
