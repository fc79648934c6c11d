package tomlcheck

import (
	"reflect"
	"testing"
)

// plainSeeds are documents for the plain-array path: taken, left to the
// decoder, and broken.
var plainSeeds = []string{
	"origin = \"x.\"\nrecords = [\n  \"@ NS ns1\",\n  \"ns1 A 192.0.2.1\", # glue\n  \"w\tTXT \\\"a\\\"\",\n]\n\n[soa]\nserial = 1\n",
	"records = [\"a\", \"b\"]\n",
	"records = []\n",
	"records = [ ]\r\nx = 1\r\n",
	"records = [\"a\",\r\n\"b\" # c\r\n]\r\n",
	"records = [\"a\", \"b\",]\n",
	"records = [\"a\" \"b\"]\n",
	"records = [,\"a\"]\n",
	"records = [\"a\",,]\n",
	"records = [\"a\\tb\", 'c', \"\"\"d\"\"\"]\n",
	"records = [\"caf\u00e9\"]\n",
	"records = [\"a\", 1]\n",
	"records = [\"a\"]\nrecords = [\"b\"]\n",
	"records = [\"a\"]\n[records]\n",
	"\"records\" = [\"a\"]\n",
	"records.x = 1\nrecords = [\"a\"]\n",
	"a = \"\"\"\nrecords = [\"a\"]\n\"\"\"\n",
	"records = [\"a\"] x\n",
	"records = [\"a\"\n",
	"records = [\"a\"]\n[t]\nrecords = [\"b\"]\nk = = 1\n",
	"x = 1\nrecords = [\n\"a\", # \x01\n]\n",
	"records = [\"a\"]\na = [\"b\", \"c\"]\n",
	"records = [\"\",\"\"]\n",
	"records = [\"\"\"\"]\n",
	"origin = \"x.\"\nrecords = [\n  \"@ NS ns1\",\n  \"ns1 A 192.0.2.1\", # glue\n  \"w\tTXT 'a'\",\n]\n\n[soa]\nserial = 1\n",
	"records = [\"a\\\\b\\\"\", 'c\\d', \"e\\nf\"]\n",
	"records = ['''x''']\n",
	"records = [\"\\\"\", \"\\\\\\\\\"]\n",
	"records = [\"h1 TXT \\\"v=scale 1\\\"\", 'h2 TXT \"x\"',\n]\n",
}

// FuzzPlainArrays: a document parses to the same values, positions and
// problems whether its plain arrays are read by the scanner or all of it
// by the decoder.
func FuzzPlainArrays(f *testing.F) {
	for _, s := range plainSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkPlain(t, src)
	})
}

// TestPlainArrays runs the seeds of FuzzPlainArrays, and checks that the
// scanner takes the arrays it should.
func TestPlainArrays(t *testing.T) {
	for _, src := range plainSeeds {
		checkPlain(t, src)
	}
	taken := map[string]int{
		plainSeeds[0]: 1, plainSeeds[1]: 1, plainSeeds[2]: 1, plainSeeds[3]: 1, plainSeeds[4]: 1,
		plainSeeds[5]: 1, plainSeeds[9]: 0, plainSeeds[10]: 0, plainSeeds[14]: 0, plainSeeds[16]: 0,
		plainSeeds[21]: 2, plainSeeds[24]: 1, plainSeeds[25]: 0, plainSeeds[26]: 0, plainSeeds[27]: 1, plainSeeds[28]: 1,
	}
	for src, want := range taken {
		if _, plain := scanPositions(src, []string{"records", "a"}); len(plain) != want {
			t.Errorf("scanPositions(%q) read %d plain arrays, want %d", src, len(plain), want)
		}
	}
}

func checkPlain(t *testing.T, src string) {
	t.Helper()
	var errsPlain, errsAll ErrorList
	plain := Parse("f.toml", []byte(src), &errsPlain, "records", "a")
	all := Parse("f.toml", []byte(src), &errsAll)
	if !reflect.DeepEqual(errsPlain, errsAll) {
		t.Fatalf("Parse(%q) problems: %v with plain arrays, %v without", src, errsPlain, errsAll)
	}
	if (plain == nil) != (all == nil) {
		t.Fatalf("Parse(%q): %v with plain arrays, %v without", src, plain != nil, all != nil)
	}
	if plain == nil {
		return
	}
	if got, want := anyArrays(plain.m), all.m; !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse(%q) = %#v with plain arrays, %#v without", src, got, want)
	}
	if !reflect.DeepEqual(plain.pos, all.pos) {
		t.Fatalf("Parse(%q) positions %#v with plain arrays, %#v without", src, plain.pos, all.pos)
	}
}

// anyArrays returns m with its []string values as the decoder's []any.
func anyArrays(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if s, ok := v.([]string); ok {
			a := make([]any, len(s))
			for i, e := range s {
				a[i] = e
			}
			v = a
		}
		out[k] = v
	}
	return out
}
