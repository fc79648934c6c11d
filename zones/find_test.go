package zones

import "testing"

// TestFindScanAgrees checks that Find's scan of a few origins gives the
// zone that looking up the name's ancestors gives, for sets with nested
// zones, the root zone, and names with escaped dots and backslashes.
func TestFindScanAgrees(t *testing.T) {
	sets := [][]string{
		{"example.com."},
		{"example.com.", "sub.example.com.", "example.org."},
		{".", "com.", "example.com."},
		{`a\.b.example.com.`, "example.com."},
		{"b.example.com.", `a\\.b.example.com.`},
	}
	names := []string{
		".", "com.", "example.com.", "www.example.com.", "sub.example.com.", "a.sub.example.com.",
		"xsub.example.com.", "example.org.", "www.example.org.", "example.net.", "net.",
		`a\.b.example.com.`, `x.a\.b.example.com.`, `a\.example.com.`, `b\.example.com.`, `x\\.b.example.com.`,
		`a\\.b.example.com.`, `a\\\.b.example.com.`, `\046example.com.`, "wwwexample.com.", "b.example.com.",
	}
	for _, origins := range sets {
		var zs []*Zone
		for _, o := range origins {
			zs = append(zs, &Zone{Origin: o})
		}
		s := NewSet(zs)
		for _, name := range names {
			got, want := s.scan(name), s.ancestors(name)
			if got != want {
				t.Errorf("zones %v: scan(%q) = %v, ancestors = %v", origins, name, origin(got), origin(want))
			}
		}
	}
}

func origin(z *Zone) string {
	if z == nil {
		return "<nil>"
	}
	return z.Origin
}
