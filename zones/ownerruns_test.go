package zones

import "testing"

func TestOwnerRuns(t *testing.T) {
	recs := func(names ...string) []*Record {
		out := make([]*Record, len(names))
		for i, n := range names {
			out[i] = &Record{Name: n}
		}
		return out
	}
	tests := []struct {
		name    string
		records []*Record
		want    int
	}{
		{"none", nil, 0},
		{"one", recs("a."), 1},
		{"a name's records together", recs("a.", "a.", "b.", "c.", "c."), 3},
		{"interleaved: more than the owners", recs("a.", "b.", "a.", "b."), 4},
	}
	for _, tt := range tests {
		if got := ownerRuns(tt.records); got != tt.want {
			t.Errorf("%s: ownerRuns = %d, want %d", tt.name, got, tt.want)
		}
	}
}
