package pick

import "testing"

func TestParsePolicy(t *testing.T) {
	for _, p := range []Policy{Nearest} {
		if got, err := ParsePolicy(p.String()); err != nil || got != p {
			t.Errorf("ParsePolicy(%q) = %v, %v; want %v", p.String(), got, err, p)
		}
	}
	if _, err := ParsePolicy("roundrobin"); err == nil {
		t.Error("ParsePolicy(roundrobin) succeeded")
	}
}

func TestParseAllDown(t *testing.T) {
	tests := []struct {
		in      string
		want    AllDown
		target  string
		wantErr string
	}{
		{"fail-open", FailOpen, "", ""},
		{"nodata", AllDownNoData, "", ""},
		{"servfail", AllDownServFail, "", ""},
		{"cname:fallback.example.net.", AllDownCNAME, "fallback.example.net.", ""},
		{"cname: sorry ", AllDownCNAME, "sorry", ""},
		{"cname:", 0, "", "cname: needs a target name"},
		{"failopen", 0, "", `unknown policy "failopen": want fail-open, nodata, servfail or cname:NAME`},
	}
	for _, tt := range tests {
		got, target, err := ParseAllDown(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseAllDown(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want || target != tt.target {
			t.Errorf("ParseAllDown(%q) = %v, %q, %v; want %v, %q", tt.in, got, target, err, tt.want, tt.target)
		}
		if got != AllDownCNAME && got.String() != tt.in {
			t.Errorf("ParseAllDown(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestTableKey(t *testing.T) {
	a, b := webPool(), webPool()
	if a.TableKey() != b.TableKey() {
		t.Errorf("equal pools: keys %q and %q differ", a.TableKey(), b.TableKey())
	}
	b.Members[0].Datacenter.Lat += 0.01
	if a.TableKey() == b.TableKey() {
		t.Errorf("moved datacenter: key %q unchanged", a.TableKey())
	}
	c := webPool()
	c.Members[0], c.Members[1] = c.Members[1], c.Members[0]
	if a.TableKey() == c.TableKey() {
		t.Errorf("reordered members: key %q unchanged", a.TableKey())
	}
	d := webPool()
	d.Members[0].V4 = nil // addresses do not change the rankings
	if a.TableKey() != d.TableKey() {
		t.Errorf("other addresses: key changed from %q to %q", a.TableKey(), d.TableKey())
	}
}
