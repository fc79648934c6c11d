package zones_test

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestStoreErrors(t *testing.T) {
	st, dir, _ := newStore(t)
	if got := st.Errors(); got == nil || len(got) != 0 {
		t.Fatalf("Errors() before any reload = %#v, want []", got)
	}
	good := filepath.Join(dir, "example.com.toml")
	bad := filepath.Join(dir, "broken.toml")
	write(t, good, zoneWith("192.0.2.1"))
	write(t, bad, "origin = \"broken.test.\"\nrecords = [\"www A nonsense\"]\n")
	if err := st.Reload(); err == nil {
		t.Fatal("Reload with a broken file: no error")
	}
	errs := st.Errors()
	if len(errs) != 1 || errs[0].File != bad || errs[0].Serving != "" || len(errs[0].Errors) == 0 ||
		!strings.HasPrefix(errs[0].Errors[0], bad+":") {
		t.Fatalf("Errors() = %#v, want one error of %s, nothing serving", errs, bad)
	}

	// the good file breaks: its previous version keeps serving, and says so
	write(t, good, "origin = \"example.com.\"\nrecords = [\"www A 192.0.2.999\"]\n")
	write(t, bad, strings.Replace(zoneWith("192.0.2.7"), "example.com.", "broken.test.", 1))
	_ = st.Reload()
	errs = st.Errors()
	if len(errs) != 1 || errs[0].File != good || errs[0].Serving != "example.com." {
		t.Fatalf("Errors() = %#v, want one error of %s, serving example.com.", errs, good)
	}

	write(t, good, zoneWith("192.0.2.2"))
	if err := st.Reload(); err != nil {
		t.Fatal(err)
	}
	if errs := st.Errors(); len(errs) != 0 {
		t.Fatalf("Errors() after fixing every file = %#v, want []", errs)
	}
}
