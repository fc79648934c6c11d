package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// reportCmd turns the per-run figures of compare.sh into a Markdown report:
// the machine and versions, the median over rounds of every figure per
// server with the ratio gslb/gdnsd and the per-round values, then the
// agreement summary and the notes, verbatim.
//
// -runs is a TSV file with a header line; its columns are server, round,
// then one column per figure (see figures below). -meta has "key<TAB>value"
// lines.
func reportCmd(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	runsFile := fs.String("runs", "", "per-run figures (TSV)")
	metaFile := fs.String("meta", "", "key<TAB>value lines: date, machine, versions, parameters")
	agreeFile := fs.String("agree", "", "Markdown fragment of the agreement check")
	notesFile := fs.String("notes", "", "Markdown fragment: configuration and caveats")
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
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"server", "round"} {
		if _, ok := col[need]; !ok {
			return fmt.Errorf("%s: no %q column", *runsFile, need)
		}
	}
	values := func(server, figure string) []float64 {
		var v []float64
		i, ok := col[figure]
		if !ok {
			return nil
		}
		for _, r := range rows {
			if r[col["server"]] != server || i >= len(r) {
				continue
			}
			f, err := strconv.ParseFloat(r[i], 64)
			if err == nil && !math.IsNaN(f) {
				v = append(v, f)
			}
		}
		return v
	}

	rate := meta.get("latency rate")
	figures := []struct {
		key, label string
		scale      float64
		format     string
		ratio      bool
	}{
		{"qps", "**Max throughput**, queries/s (" + meta.get("throughput load") + ")", 1, "%.0f", true},
		{"cpu_us_per_q", "**Server CPU per answered query**, µs (utime+stime)", 1, "%.2f", true},
		{"qps_per_core", "Queries per second of server CPU (1e6 / the line above)", 1, "%.0f", true},
		{"cpu_util", "Server CPU use in the throughput run, % of its core", 1, "%.0f", true},
		{"cpu0_irq", "irq+softirq on the server's core in that run, % (loopback delivery)", 1, "%.0f", false},
		{"cpu0_other", "Other load on the server's core in that run, %", 1, "%.0f", false},
		{"cpu1_other", "Other load on dnsperf's core in that run, %", 1, "%.0f", false},
		{"attempts", "Throughput runs made (repeated under other load)", 1, "%.0f", false},
		{"lost_pct", "Queries lost in the throughput run, %", 1, "%.2f", false},
		{"resp_bytes", "Mean response size, bytes (dnsperf)", 1, "%.0f", true},
		{"p50_us", "p50 latency at " + rate + " queries/s, µs", 1, "%.0f", true},
		{"p99_us", "**p99 latency at " + rate + " queries/s**, µs", 1, "%.0f", true},
		{"p999_us", "p99.9 latency at " + rate + " queries/s, µs", 1, "%.0f", true},
		{"lat_timeouts", "Timeouts in the fixed-rate run", 1, "%.0f", false},
		{"lat_cpu0_other", "Other load on the server's core in the fixed-rate run, %", 1, "%.0f", false},
		{"lat_attempts", "Fixed-rate runs made", 1, "%.0f", false},
		{"rss_kb", "**RSS** after the round (VmRSS), MiB", 1.0 / 1024, "%.1f", true},
		{"hwm_kb", "Peak RSS (VmHWM), MiB", 1.0 / 1024, "%.1f", true},
	}

	var b strings.Builder
	fmt.Fprintf(&b, "## gslb vs gdnsd: loopback load test (%s)\n\n", meta.get("date"))
	fmt.Fprintln(&b, "| | |")
	fmt.Fprintln(&b, "|---|---|")
	for _, kv := range meta.list {
		if strings.HasSuffix(kv[0], " label") { // column headings, below
			continue
		}
		fmt.Fprintf(&b, "| %s | %s |\n", kv[0], kv[1])
	}
	gd, gs := meta.get("gdnsd label"), meta.get("gslb label")
	if gd == "" {
		gd = "gdnsd"
	}
	if gs == "" {
		gs = "gslb"
	}
	fmt.Fprintf(&b, "\nMedian of %s rounds (per-round values in brackets, in run order):\n\n", meta.get("rounds"))
	fmt.Fprintf(&b, "| figure | %s | %s | gslb / gdnsd |\n", gd, gs)
	fmt.Fprintln(&b, "|---|---:|---:|---:|")
	for _, f := range figures {
		vd, vs := values("gdnsd", f.key), values("gslb", f.key)
		if len(vd) == 0 && len(vs) == 0 {
			continue
		}
		md, ms := median(vd), median(vs)
		ratio := ""
		if f.ratio && md > 0 && !math.IsNaN(ms) {
			ratio = fmt.Sprintf("%.2f", ms/md)
		}
		fmt.Fprintf(&b, "| %s | %s [%s] | %s [%s] | %s |\n", f.label,
			num(f.format, md*f.scale), join(f.format, vd, f.scale),
			num(f.format, ms*f.scale), join(f.format, vs, f.scale), ratio)
	}
	for _, file := range []string{*agreeFile, *notesFile} {
		if file == "" {
			continue
		}
		text, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n%s", strings.TrimRight(string(text), "\n")+"\n")
	}
	fmt.Print(b.String())
	if *out != "" {
		return os.WriteFile(*out, []byte(b.String()), 0o644)
	}
	return nil
}

type metaList struct{ list [][2]string }

func (m metaList) get(k string) string {
	for _, kv := range m.list {
		if kv[0] == k {
			return kv[1]
		}
	}
	return ""
}

func readMeta(path string) (metaList, error) {
	var m metaList
	f, err := os.Open(path)
	if err != nil {
		return m, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "\t")
		if ok {
			m.list = append(m.list, [2]string{k, strings.ReplaceAll(v, "|", `\|`)})
		}
	}
	return m, sc.Err()
}

func readTSV(path string) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var header []string
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = fields
			continue
		}
		rows = append(rows, fields)
	}
	if header == nil {
		return nil, nil, fmt.Errorf("%s: empty", path)
	}
	return header, rows, sc.Err()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func num(format string, v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf(format, v)
}

func join(format string, v []float64, scale float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = num(format, x*scale)
	}
	return strings.Join(s, ", ")
}
