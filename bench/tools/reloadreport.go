package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// reloadreportCmd turns compare.sh's fixed-rate runs (the ladder of rates
// and the reload runs, one TSV line each) into a Markdown report: queries
// lost and latency at each rate for gdnsd and gslb, the highest rate at
// which gdnsd lost nothing in any round with gslb's losses there, and the
// runs without and with reloads side by side.
//
// -runs has a header line; columns: server (gdnsd, gslb for the ladder;
// rgdnsd, rgslb for the reload runs), round, phase (ladder, steady,
// reload), rate, then the figures named in the tables below ("-" for none).
func reloadreportCmd(args []string) error {
	fs := flag.NewFlagSet("reloadreport", flag.ExitOnError)
	runsFile := fs.String("runs", "", "per-run figures (TSV)")
	metaFile := fs.String("meta", "", "key<TAB>value lines: date, machine, versions, parameters")
	notesFile := fs.String("notes", "", "Markdown fragment: how the runs were made")
	out := fs.String("out", "", "write the report here too")
	fs.Parse(args)

	meta, err := readMeta(*metaFile)
	if err != nil {
		return err
	}
	header, rows, err := readTSV(*runsFile)
	if err != nil {
		return err
	}
	t, err := newRunTable(*runsFile, header, rows)
	if err != nil {
		return err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "## gslb vs gdnsd: fixed rates and reloads under load (%s)\n\n", meta.get("date"))
	fmt.Fprintln(&b, "| | |")
	fmt.Fprintln(&b, "|---|---|")
	for _, kv := range meta.list {
		if !strings.HasSuffix(kv[0], " label") {
			fmt.Fprintf(&b, "| %s | %s |\n", kv[0], kv[1])
		}
	}
	writeLadder(&b, t)
	writeReload(&b, t)
	if *notesFile != "" {
		text, err := os.ReadFile(*notesFile)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n%s\n", strings.TrimRight(string(text), "\n"))
	}
	fmt.Print(b.String())
	if *out != "" {
		return os.WriteFile(*out, []byte(b.String()), 0o644)
	}
	return nil
}

// runTable gives the values of one figure over the rounds, in run order.
type runTable struct {
	col  map[string]int
	rows [][]string
}

func newRunTable(file string, header []string, rows [][]string) (runTable, error) {
	t := runTable{col: map[string]int{}, rows: rows}
	for i, h := range header {
		t.col[h] = i
	}
	for _, need := range []string{"server", "round", "phase", "rate"} {
		if _, ok := t.col[need]; !ok {
			return t, fmt.Errorf("%s: no %q column", file, need)
		}
	}
	return t, nil
}

// values returns the figure of every round of server in phase at rate
// (rate "" for any), skipping "-" and missing values.
func (t runTable) values(server, phase, rate, figure string) []float64 {
	if figure == "cpu_us_per_q" { // derived: CPU % of a core over answered queries per second
		cpu, qps := t.values(server, phase, rate, "cpu_pct"), t.values(server, phase, rate, "qps")
		if len(cpu) != len(qps) {
			return nil
		}
		v := make([]float64, 0, len(cpu))
		for i := range cpu {
			if qps[i] > 0 {
				v = append(v, cpu[i]*1e4/qps[i])
			}
		}
		return v
	}
	i, ok := t.col[figure]
	if !ok {
		return nil
	}
	var v []float64
	for _, r := range t.rows {
		if r[t.col["server"]] != server || r[t.col["phase"]] != phase || rate != "" && r[t.col["rate"]] != rate || i >= len(r) {
			continue
		}
		if f, err := strconv.ParseFloat(r[i], 64); err == nil && !math.IsNaN(f) {
			v = append(v, f)
		}
	}
	return v
}

// rates lists the ladder's rates in increasing order.
func (t runTable) rates() []string {
	var rates []string
	for _, r := range t.rows {
		if r[t.col["phase"]] == "ladder" && !slices.Contains(rates, r[t.col["rate"]]) {
			rates = append(rates, r[t.col["rate"]])
		}
	}
	slices.SortFunc(rates, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	return rates
}

// cell is "median [round values]", or "-" when there is none.
func cell(format string, v []float64) string {
	if len(v) == 0 {
		return "-"
	}
	return fmt.Sprintf("%s [%s]", num(format, median(v)), join(format, v, 1))
}

// sumCell is "total [round values]".
func sumCell(v []float64) string {
	if len(v) == 0 {
		return "-"
	}
	total := 0.0
	for _, x := range v {
		total += x
	}
	return fmt.Sprintf("%.0f [%s]", total, join("%.0f", v, 1))
}

func ratio(num, den []float64) string {
	if len(num) == 0 || len(den) == 0 || median(den) == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", median(num)/median(den))
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func writeLadder(b *strings.Builder, t runTable) {
	rates := t.rates()
	if len(rates) == 0 {
		return
	}
	fmt.Fprintln(b, "\n### Fixed rates: queries lost, latency")
	fmt.Fprintln(b, "\nMedian over the rounds, per-round values in brackets (run order); lost: the total over the rounds, then per round.")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "| rate, q/s | server | answered, q/s | lost (no answer in 2 s) | dropped at the server's socket | dropped at other sockets | SERVFAIL | p50 µs | p99 µs | p99.9 µs | p99 gslb / gdnsd | server CPU, % of a core | other load on CPU 0 / 1, % |")
	fmt.Fprintln(b, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, rate := range rates {
		for _, s := range []string{"gdnsd", "gslb"} {
			v := func(f string) []float64 { return t.values(s, "ladder", rate, f) }
			r := ""
			if s == "gslb" {
				r = ratio(v("p99_us"), t.values("gdnsd", "ladder", rate, "p99_us"))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |\n", rate, s,
				cell("%.0f", v("qps")), sumCell(v("lost")), sumCell(v("server_drops")), sumCell(v("other_drops")), sumCell(v("servfail")),
				cell("%.0f", v("p50_us")), cell("%.0f", v("p99_us")), cell("%.0f", v("p999_us")), r,
				cell("%.0f", v("cpu_pct")), num("%.0f", median(v("cpu0_other"))), num("%.0f", median(v("cpu1_other"))))
		}
	}
	best := ""
	for _, rate := range rates {
		lost := t.values("gdnsd", "ladder", rate, "lost")
		if len(lost) == 0 || sum(lost) > 0 {
			break
		}
		best = rate
	}
	fmt.Fprintln(b)
	if best == "" {
		fmt.Fprintln(b, "gdnsd lost queries at every rate of the ladder.")
		return
	}
	fmt.Fprintf(b, "The highest rate of the ladder up to which gdnsd lost no query in any round: **%s q/s**; gslb lost %s there (total [per round])",
		best, sumCell(t.values("gslb", "ladder", best, "lost")))
	var below []string
	for _, rate := range rates {
		if rate == best {
			break
		}
		below = append(below, fmt.Sprintf("%s at %s q/s", sumCell(t.values("gslb", "ladder", rate, "lost")), rate))
	}
	if len(below) > 0 {
		fmt.Fprintf(b, ", and %s", strings.Join(below, ", "))
	}
	fmt.Fprintln(b, ".")
}

func writeReload(b *strings.Builder, t runTable) {
	if len(t.values("rgslb", "reload", "", "sent")) == 0 && len(t.values("rgdnsd", "reload", "", "sent")) == 0 {
		return
	}
	fmt.Fprintln(b, "\n### Reload under load")
	fmt.Fprintln(b, "\nIn every round, each server's run without a change, then its run with the reloads; median over the rounds, per-round values in brackets; lost and SERVFAIL: the total over the rounds, then per round.")
	fmt.Fprintln(b)
	fmt.Fprintln(b, "| figure | gdnsd, no change | gdnsd, reloads | gslb, no change | gslb, reloads |")
	fmt.Fprintln(b, "|---|---:|---:|---:|---:|")
	rows := []struct {
		label, figure, format string
		sum, reloadOnly       bool
	}{
		{"rate asked, q/s", "rate", "%.0f", false, false},
		{"queries sent", "sent", "%.0f", false, false},
		{"answered, q/s", "qps", "%.0f", false, false},
		{"**lost** (no answer in 2 s)", "lost", "", true, false},
		{"datagrams dropped at the server's socket (receive buffer full)", "server_drops", "", true, false},
		{"datagrams dropped at other sockets of the host (dnsperf's, other processes')", "other_drops", "", true, false},
		{"**SERVFAIL**", "servfail", "", true, false},
		{"p50 µs", "p50_us", "%.0f", false, false},
		{"**p99 µs**", "p99_us", "%.0f", false, false},
		{"p99.9 µs", "p999_us", "%.0f", false, false},
		{"max µs", "max_us", "%.0f", false, false},
		{"server CPU, % of a core", "cpu_pct", "%.1f", false, false},
		{"server CPU per answered query, µs", "cpu_us_per_q", "%.2f", false, false},
		{"other load on CPU 0 (server), %", "cpu0_other", "%.0f", false, false},
		{"other load on CPU 1 (dnsperf), %", "cpu1_other", "%.0f", false, false},
		{"zone file edits written", "zone_edits", "%.0f", false, true},
		{"zone versions loaded (log)", "zone_applied", "%.0f", false, true},
		{"GeoIP databases placed", "geoip_swaps", "%.0f", false, true},
		{"GeoIP databases loaded (log)", "geoip_applied", "%.0f", false, true},
		{"ranking tables ready (log)", "tables", "%.0f", false, true},
		{"errors logged", "errors", "%.0f", false, true},
		{"last edit served after the run (1 yes)", "served", "%.0f", false, true},
		{"VmRSS after the run, MiB", "rss_kb", "%.1f", false, false},
		{"VmHWM after the run, MiB", "hwm_kb", "%.1f", false, false},
	}
	for _, r := range rows {
		fmt.Fprintf(b, "| %s |", r.label)
		for _, s := range []string{"rgdnsd", "rgslb"} {
			for _, phase := range []string{"steady", "reload"} {
				v := t.values(s, phase, "", r.figure)
				if strings.HasSuffix(r.figure, "_kb") {
					for i := range v {
						v[i] /= 1024
					}
				}
				switch {
				case r.reloadOnly && phase == "steady":
					fmt.Fprint(b, " |")
				case r.sum:
					fmt.Fprintf(b, " %s |", sumCell(v))
				default:
					fmt.Fprintf(b, " %s |", cell(r.format, v))
				}
			}
		}
		fmt.Fprintln(b)
	}
	for _, s := range []string{"rgdnsd", "rgslb"} {
		steady, reload := t.values(s, "steady", "", "p99_us"), t.values(s, "reload", "", "p99_us")
		if len(steady) > 0 && len(reload) > 0 {
			fmt.Fprintf(b, "\n%s: p99 with reloads / without: %s (per round: %s).", strings.TrimPrefix(s, "r"), ratio(reload, steady), perRound(reload, steady))
		}
	}
	fmt.Fprintln(b)
}

// perRound is the ratio a[i]/b[i] of every round.
func perRound(a, b []float64) string {
	var s []string
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			s = append(s, fmt.Sprintf("%.2f", a[i]/b[i]))
		}
	}
	return strings.Join(s, ", ")
}
