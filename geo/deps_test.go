package geo

import (
	"go/build"
	"strings"
	"testing"
)

// TestStdlibOnly holds the package's boundary: geo imports only the
// standard library.
func TestStdlibOnly(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
			t.Errorf("geo imports %s; it must use the standard library only", imp)
		}
	}
}
