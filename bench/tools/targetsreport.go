package main

import (
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// targetsReport renders the scenarios as a Markdown table.
func targetsReport(build string, results []targetsResult, n int, interval, timeout, window time.Duration, loadBefore, loadAfter string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %d health targets at a %v interval, %s\n\n", n, interval, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "`bench/targets.sh` (`make bench-targets`): %s, %d CPUs (%s), %s.\n", build, runtime.NumCPU(), cpuModel(), runtime.Version())
	fmt.Fprintf(&b, "Load average before the runs %s, after %s (the machine is shared).\n",
		strings.Join(strings.Fields(loadBefore)[:3], " "), strings.Join(strings.Fields(loadAfter)[:3], " "))
	fmt.Fprintf(&b, "Targets: %d distinct addresses 127.1.x.y, one check (rise 1, fall 1, timeout %v) over %d pools,\n", n, timeout, (n+99)/100)
	b.WriteString("all served by one listener on 0.0.0.0 in the harness. Each figure is over a window of ")
	fmt.Fprintf(&b, "%v that starts once `/readyz` says the first round is done; `/metrics` is read every 1.1 s meanwhile.\n\n", window)
	b.WriteString("| scenario | ready | CPU (share of one core) | VmRSS / VmHWM | probes/s (expected) | busiest 100 ms (mean) | late: p50 / p99 / max | gslb delayed | in flight: mean / max of slots | up / down |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		want := float64(r.expected) / interval.Seconds()
		fmt.Fprintf(&b, "| %s | %.1f s | %.1f %% | %.0f / %.0f MiB | %.0f (%.0f) | %d (%.0f) | %v / %v / %v | %.0f | %.1f / %.0f of %.0f | %d / %d |\n",
			r.name(), r.ready.Seconds(), 100*r.cpuShare, float64(r.rss)/1024, float64(r.hwm)/1024,
			float64(r.probes.probes)/r.window.Seconds(), want, r.probes.busiest, want/10,
			ms(quantile(r.probes.late, 0.5)), ms(quantile(r.probes.late, 0.99)), ms(quantile(r.probes.late, 1)),
			r.delayed, r.inFlightMean, r.inFlightMax, r.slots, r.up, r.down)
	}
	b.WriteString("\n*late*: for every probe of the window, how much more than one interval after the previous probe of\n")
	b.WriteString("the same address it reached the listener: how much later than the previous one it started, each against\n")
	b.WriteString("its schedule (timer, scheduling and waiting for a probe slot; gslb since 2026-12-01 keeps each target\n")
	b.WriteString("at a fixed tick of the interval, so a probe after a late one shows as early). *gslb delayed*: the increase of\n")
	b.WriteString("`gslb_probes_delayed_total` over the window (probes that waited for a slot over a tenth of the interval).\n")
	b.WriteString("*busiest 100 ms*: the most probes that reached the listener in one tenth of a second of the window,\n")
	b.WriteString("beside the mean of an even spread: how bunched the schedule is.\n")
	return b.String()
}

func (r targetsResult) name() string {
	kind, _, _ := strings.Cut(r.scenario, ":")
	name := kind
	if r.hanging > 0 {
		name = fmt.Sprintf("http, %d hanging (%.0f %%)", r.hanging, 100*float64(r.hanging)/float64(r.expected))
	}
	return fmt.Sprintf("%s, max_in_flight %.0f", name, r.slots)
}

// ms renders a duration in milliseconds with one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

// gslbVersion names the gslb build measured: the first line of its
// version command ("gslb v1.2.3-4-gabcdef"), else git describe of the work
// tree.
func gslbVersion(bin string) string {
	if out, err := exec.Command(bin, "version").Output(); err == nil {
		if line, _, _ := strings.Cut(string(out), "\n"); strings.HasPrefix(line, "gslb ") {
			return line
		}
	}
	out, err := exec.Command("git", "describe", "--always", "--dirty", "--abbrev=10").Output()
	if err != nil {
		return "gslb"
	}
	return "gslb " + strings.TrimSpace(string(out))
}
