package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// group is one kind of difference: a class, a field and a signature.
type group struct {
	class, field, sig string
	count             int
	variants          map[string]int // transport/variant → count
	qtypes            map[string]int
	scenarios         map[string]int
	examples          []diff
	exScen            []string
	note              string
}

type report struct {
	groups  map[string]*group
	queries int
	differ  map[string]int // class → queries with at least one difference of it
}

func newReport() *report {
	return &report{groups: map[string]*group{}, differ: map[string]int{}}
}

const maxExamples = 3

func (r *report) add(scenario string, q *query, ds []diff) {
	r.queries++
	classes := map[string]bool{}
	for _, d := range ds {
		classes[d.class] = true
		key := d.class + "\x00" + d.field + "\x00" + d.sig
		g := r.groups[key]
		if g == nil {
			g = &group{class: d.class, field: d.field, sig: d.sig, variants: map[string]int{}, qtypes: map[string]int{}, scenarios: map[string]int{}}
			g.note = noteFor(d)
			r.groups[key] = g
		}
		g.count++
		g.variants[q.transport()+"/"+q.Variant]++
		if q.Name != "" {
			g.qtypes[typeName(q.Qtype)]++
		}
		g.scenarios[scenario]++
		if len(g.examples) < maxExamples {
			g.examples = append(g.examples, d)
			g.exScen = append(g.exScen, scenario)
		}
	}
	for c := range classes {
		r.differ[c]++
	}
}

func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "\n==== gslb vs NSD and Knot: %d queries, each sent to all three ====\n", r.queries)
	for _, c := range []string{classA, classBNSD, classBKnot, classC} {
		fmt.Fprintf(w, "  %-60s %6d queries\n", classTitle[c], r.differ[c])
	}
	for _, c := range []string{classA, classBNSD, classBKnot, classC} {
		var gs []*group
		for _, g := range r.groups {
			if g.class == c {
				gs = append(gs, g)
			}
		}
		sort.Slice(gs, func(i, j int) bool {
			if fi, fj := fieldRank(gs[i].field), fieldRank(gs[j].field); fi != fj {
				return fi < fj
			}
			if gs[i].count != gs[j].count {
				return gs[i].count > gs[j].count
			}
			return gs[i].sig < gs[j].sig
		})
		fmt.Fprintf(w, "\n==== %s: %d kinds ====\n", classTitle[c], len(gs))
		for _, g := range gs {
			fmt.Fprintf(w, "\n-- [%s] %s: %s  (%d queries)\n", c, g.field, g.sig, g.count)
			if g.note != "" {
				fmt.Fprintf(w, "   note: %s\n", g.note)
			}
			fmt.Fprintf(w, "   where: %s\n", top(g.variants, 6))
			if len(g.qtypes) > 0 {
				fmt.Fprintf(w, "   qtypes: %s\n", top(g.qtypes, 8))
			}
			fmt.Fprintf(w, "   scenarios: %s\n", top(g.scenarios, 4))
			for i, d := range g.examples {
				fmt.Fprintf(w, "   e.g. [%s] %s\n", g.exScen[i], d.q)
				writeVals(w, d)
			}
		}
	}
}

func fieldRank(f string) int {
	for i, x := range fieldOrder {
		if x == f {
			return i
		}
	}
	return len(fieldOrder)
}

// writeVals prints the three values of a difference: for sections only
// the records not common to all three.
func writeVals(w io.Writer, d diff) {
	if sectionFields[d.field] || strings.HasPrefix(d.field, "case.") {
		common := map[string]int{}
		var sets [3][]string
		for i, v := range d.vals {
			sets[i] = splitLines(v)
			seen := map[string]bool{}
			for _, l := range sets[i] {
				if !seen[l] {
					common[l]++
					seen[l] = true
				}
			}
		}
		for i, name := range serverNames {
			var own []string
			for _, l := range sets[i] {
				if common[l] < 3 {
					own = append(own, l)
				}
			}
			if len(own) > 6 {
				own = append(own[:6], fmt.Sprintf("... %d more", len(own)-6))
			}
			if len(own) == 0 {
				fmt.Fprintf(w, "        %-5s (nothing beyond the common records)\n", name)
				continue
			}
			for j, l := range own {
				label := ""
				if j == 0 {
					label = name
				}
				fmt.Fprintf(w, "        %-5s %s\n", label, l)
			}
		}
		return
	}
	for i, name := range serverNames {
		v := d.vals[i]
		if v == "" {
			v = "(absent)"
		}
		fmt.Fprintf(w, "        %-5s %s\n", name, strings.ReplaceAll(v, "\n", " / "))
	}
}

func top(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var s []kv
	for k, v := range m {
		s = append(s, kv{k, v})
	}
	sort.Slice(s, func(i, j int) bool {
		if s[i].v != s[j].v {
			return s[i].v > s[j].v
		}
		return s[i].k < s[j].k
	})
	var parts []string
	for i, x := range s {
		if i == n {
			parts = append(parts, fmt.Sprintf("+%d more", len(s)-n))
			break
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", x.k, x.v))
	}
	return strings.Join(parts, ", ")
}

// noteFor explains differences that are known and deliberate, or that the
// RFCs leave to the implementation. Everything else gets no note.
func noteFor(d diff) string {
	return ""
}
