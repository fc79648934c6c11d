package tomlcheck

import "testing"

// TestElemPos: ElemPos gives each element of an array the position Pos
// gives its path, nested arrays and tables included.
func TestElemPos(t *testing.T) {
	src := "records = [\n  \"a\",\n    'b', \"c\\\"d\",\n]\n[t]\nlist = [[1, 2], { k = 3 }]\n"
	var errs ErrorList
	root := Parse("f.toml", []byte(src), &errs)
	if root == nil {
		t.Fatal(errs)
	}
	want := []Position{{"f.toml", 2, 3}, {"f.toml", 3, 5}, {"f.toml", 3, 10}, {"f.toml", 1, 11}}
	at := root.ElemPos("records")
	for i, w := range want {
		if got := at(i); got != w {
			t.Errorf("ElemPos(records)(%d) = %v, want %v", i, got, w)
		}
		if got := root.Pos([]string{"records", Index(i)}); got != w {
			t.Errorf("Pos(records[%d]) = %v, want %v", i, got, w)
		}
	}
	tt, _ := root.Table("t")
	for _, c := range []struct {
		path []string
		want Position
	}{
		{[]string{"t", "list", "[0]"}, Position{"f.toml", 6, 9}},
		{[]string{"t", "list", "[0]", "[1]"}, Position{"f.toml", 6, 13}},
		{[]string{"t", "list", "[1]", "k"}, Position{"f.toml", 6, 23}},
	} {
		if got := tt.Pos(c.path); got != c.want {
			t.Errorf("Pos(%v) = %v, want %v", c.path, got, c.want)
		}
	}
	if got := tt.ElemPos("list")(1); got != (Position{"f.toml", 6, 17}) {
		t.Errorf("ElemPos(list)(1) = %v, want f.toml:6:17", got)
	}
}
