package main

import (
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// scaleReport formats the results as Markdown: one table per scenario,
// a column per server, and gslb's ratio to each of the others.
func scaleReport(results []scaleResult, records, zones, rate int, timeout time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Scale: gslb, NSD and Knot on the same data (`make bench-scale`)\n\n")
	fmt.Fprintf(&b, "Run %s on %s (%d CPUs, %s); %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		cpuModel(), runtime.NumCPU(), runtime.Version(), versions())
	fmt.Fprintf(&b, "Load during the edit: dnsperf at %d queries/s (a query unanswered after %s is lost), "+
		"the edit made 5 s into the run; the same load is first run without an edit, to tell the losses of a busy machine from those of the reload. Memory: RSS and its peak (VmHWM) of the largest process, "+
		"and Pss summed over the server's processes (NSD forks a serving child and, to reload, a loading one).\n\n", rate, timeout)
	for _, sc := range []string{"big", "many"} {
		var rs []scaleResult
		for _, r := range results {
			if r.scenario == sc {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 {
			continue
		}
		if sc == "big" {
			fmt.Fprintf(&b, "## One zone of %d records\n\n", records)
		} else {
			fmt.Fprintf(&b, "## %d zones of 10 records\n\n", zones)
		}
		b.WriteString("| figure |")
		for _, r := range rs {
			fmt.Fprintf(&b, " %s |", r.server)
		}
		var others []scaleResult
		var gslb *scaleResult
		for i, r := range rs {
			if r.server == "gslb" {
				gslb = &rs[i]
			} else {
				others = append(others, r)
			}
		}
		if gslb != nil {
			for _, o := range others {
				fmt.Fprintf(&b, " gslb / %s |", o.server)
			}
		}
		b.WriteString("\n|---|")
		for range len(rs) + len(others)*boolInt(gslb != nil) {
			b.WriteString("---:|")
		}
		b.WriteString("\n")
		row := func(name string, f func(scaleResult) float64, format string) {
			fmt.Fprintf(&b, "| %s |", name)
			for _, r := range rs {
				fmt.Fprintf(&b, " "+format+" |", f(r))
			}
			if gslb != nil {
				for _, o := range others {
					if f(o) == 0 {
						b.WriteString(" – |")
						continue
					}
					fmt.Fprintf(&b, " %.2f |", f(*gslb)/f(o))
				}
			}
			b.WriteString("\n")
		}
		mib := func(k int64) float64 { return float64(k) / 1024 }
		row("start to first answer, s", func(r scaleResult) float64 { return r.load.Seconds() }, "%.2f")
		row("CPU time until then, s", func(r scaleResult) float64 { return r.loadCPU.Seconds() }, "%.2f")
		row("RSS after loading, MiB", func(r scaleResult) float64 { return mib(r.idle.rss) }, "%.0f")
		row("peak RSS while loading (VmHWM), MiB", func(r scaleResult) float64 { return mib(r.idle.hwm) }, "%.0f")
		row("Pss of all processes, MiB", func(r scaleResult) float64 { return mib(r.idle.pss) }, "%.0f")
		fmt.Fprintf(&b, "| one-line edit served after, s |")
		for _, r := range rs {
			if r.applied == 0 {
				fmt.Fprintf(&b, " not within %.0f |", r.window.Seconds())
			} else {
				fmt.Fprintf(&b, " %.2f |", r.applied.Seconds())
			}
		}
		if gslb != nil {
			for _, o := range others {
				if gslb.applied == 0 || o.applied == 0 {
					b.WriteString(" – |")
				} else {
					fmt.Fprintf(&b, " %.2f |", gslb.applied.Seconds()/o.applied.Seconds())
				}
			}
		}
		b.WriteString("\n")
		row("peak RSS around the reload, MiB", func(r scaleResult) float64 { return mib(max(r.peak.rss, r.peak.hwm)) }, "%.0f")
		row("peak Pss around the reload, MiB", func(r scaleResult) float64 { return mib(r.peak.pss) }, "%.0f")
		row("queries sent", func(r scaleResult) float64 { return float64(r.sent) }, "%.0f")
		row("queries lost with the edit", func(r scaleResult) float64 { return float64(r.lost) }, "%.0f")
		row("queries lost by the same load without an edit", func(r scaleResult) float64 { return float64(r.baseLost) }, "%.0f")
		row("max latency, ms", func(r scaleResult) float64 { return float64(r.maxLatency) / 1e6 }, "%.1f")
		b.WriteString("\n")
	}
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cpuModel returns the processor's model name from /proc/cpuinfo.
func cpuModel() string {
	info := procText("/proc/cpuinfo")
	for _, l := range strings.Split(info, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// versions names the servers' versions as they print them.
func versions() string {
	var out []string
	for _, c := range [][]string{{"/usr/sbin/nsd", "-v"}, {"/usr/sbin/knotd", "-V"}, {"dnsperf", "-h"}} {
		b, _ := exec.Command(c[0], c[1:]...).CombinedOutput()
		line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		if c[0] == "dnsperf" {
			line = "dnsperf"
			if i := strings.Index(string(b), "Version"); i >= 0 {
				line, _, _ = strings.Cut(string(b[i:]), "\n")
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, ", ")
}
