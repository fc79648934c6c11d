package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// geoReport renders the figures of a geoip run as Markdown.
func geoReport(o geoOpts, results []geoResult, loadBefore, loadAfter, dbInfo string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# GeoLite2-size database: gslb and gdnsd\n\n")
	p("Written by `bench/geoip.sh` (`make bench-geoip`) on %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	p("- machine: %s CPUs, Linux %s; load average (1, 5, 15 min) %s before, %s after\n", strings.TrimSpace(run("nproc")), strings.TrimSpace(run("uname", "-r")), loadBefore, loadAfter)
	p("- gslb: %s; gdnsd: %s\n", strings.TrimSpace(firstLine(run(o.gslb, "version"))), gdnsdVersion(o.gdnsd))
	p("- database: %s; a walk yields %d IPv4 and %d IPv6 networks (%d in all)\n", dbInfo, o.walked4, o.walked6, o.walked4+o.walked6)
	p("- configuration: 13 datacenters, 10 pools each with a name of its own (nearest over 3 to 13 datacenters, one with a bias, three with the map `geo` of 4 continents, 10 countries and 20 CIDRs, one with the map `cc` of 6 countries and 10 CIDRs, one sticky); gdnsd: one geoip map per pool (city-auto-mode ranking every member, `map` and `nets` for the map entries, a static map for the sticky pool; no bias)\n")
	p("- load: dnsperf at %d queries/s, every query with an ECS subnet drawn from the database (60%% IPv4 /24, 40%% IPv6 /48 or /56), the ten names in turn at random; timeout %s\n\n", o.rate, o.timeout)

	p("## Start\n\n")
	p("| server | first answer | ranking tables ready | CPU until ready | VmRSS / VmHWM after start | Pss | tables | table bytes |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		tables, bytes := "—", "—"
		if r.server == "gslb" {
			tables = fmt.Sprintf("%.0f", r.tables.tables)
			bytes = fmt.Sprintf("%.1f MiB", r.tables.bytes/(1<<20))
		}
		p("| %s | %.2f s | %.2f s | %.2f s | %d / %d MiB | %d MiB | %s | %s |\n", r.server, r.firstAnswer.Seconds(), r.ready.Seconds(),
			r.readyCPU.Seconds(), r.idle.rss>>10, r.idle.hwm>>10, r.idle.pss>>10, tables, bytes)
	}
	if g, d, ok := pair(results); ok {
		p("| gslb / gdnsd | %.2f | %.2f | %.2f | %.2f / %.2f | %.2f | | |\n", geoRatio(g.firstAnswer.Seconds(), d.firstAnswer.Seconds()),
			geoRatio(g.ready.Seconds(), d.ready.Seconds()), geoRatio(g.readyCPU.Seconds(), d.readyCPU.Seconds()),
			geoRatio(float64(g.idle.rss), float64(d.idle.rss)), geoRatio(float64(g.idle.hwm), float64(d.idle.hwm)), geoRatio(float64(g.idle.pss), float64(d.idle.pss)))
	}
	for _, r := range results {
		if r.server == "gslb" {
			p("\ngslb's Go heap after start: %.1f MiB in use (go_memstats_heap_inuse_bytes), %.1f MiB live objects (go_memstats_alloc_bytes), %.1f MiB obtained from the OS (go_memstats_heap_sys_bytes); the tables are %.0f%% of the live objects and %.0f%% of VmRSS.\n",
				r.tables.heapInuseBytes/(1<<20), r.tables.heapAllocsBytes/(1<<20), r.tables.heapSysBytes/(1<<20),
				100*r.tables.bytes/r.tables.heapAllocsBytes, 100*r.tables.bytes/float64(r.idle.rss<<10))
		}
	}

	p("\n## The database replaced under load\n\n")
	p("The file is replaced by a later build (rename over it; about 3%% of the networks moved, and the probe network 198.18.0.0/24 moved from Sydney to Amsterdam) %s into a %s run. \"New data served\" is the time until every name answers the probe subnet from the new database; \"tables rebuilt\" the time until gslb's `gslb_ranking_tables_current` is 1 again (until then gslb ranks each query by a database lookup). Latencies are dnsperf's per-query figures; \"during\" takes the one-second intervals of the run that overlap the rebuild.\n\n",
		o.lead, o.lead+o.after)
	p("| server | new data served | tables rebuilt | sent | lost (timed out during the rebuild) | SERVFAIL | p50 / p99 / max before (µs) | p50 / p99 / max during the rebuild (µs) | peak VmRSS / VmHWM |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		rebuilt := "—"
		if r.server == "gslb" {
			rebuilt = dur(r.rebuilt)
		}
		p("| %s | %s | %s | %d | %d (%d) | %d | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %d / %d MiB |\n", r.server, dur(r.served), rebuilt,
			r.reload.sent, r.reload.lost, r.reload.during.timeouts, r.reload.servfail, r.base.all.p50, r.base.all.p99, r.base.all.max,
			r.reload.during.p50, r.reload.during.p99, r.reload.during.max, r.peak.rss>>10, r.peak.hwm>>10)
	}
	p("\nBaseline runs (%s, no replacement): ", o.before)
	for i, r := range results {
		if i > 0 {
			p("; ")
		}
		p("%s %d sent, %d lost (%d timed out during the run), %d SERVFAIL", r.server, r.base.sent, r.base.lost, r.base.all.timeouts, r.base.servfail)
	}
	p(". Queries are lost in the baseline runs too, where nothing changes: on a shared machine a stall of either process of a few tens of milliseconds overflows the socket buffers at this rate.\n")
	for _, r := range results {
		if r.server == "gslb" && r.reloadTables.tables > 0 {
			p("\ngslb's tables after the reload: %.0f, %.1f MiB, last build %.2f s (`gslb_ranking_tables_build_seconds`).\n",
				r.reloadTables.tables, r.reloadTables.bytes/(1<<20), r.reloadTables.buildSeconds)
		}
	}
	return b.String()
}

func pair(results []geoResult) (g, d geoResult, ok bool) {
	var hg, hd bool
	for _, r := range results {
		switch r.server {
		case "gslb":
			g, hg = r, true
		case "gdnsd":
			d, hd = r, true
		}
	}
	return g, d, hg && hd
}

func geoRatio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func dur(d time.Duration) string {
	if d == 0 {
		return "not within the run"
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func run(name string, args ...string) string {
	out, _ := exec.Command(name, args...).CombinedOutput()
	return string(out)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func gdnsdVersion(bin string) string {
	for _, f := range strings.Fields(run(bin, "-V")) {
		if len(f) > 0 && f[0] >= '0' && f[0] <= '9' && strings.Contains(f, ".") {
			return f
		}
	}
	return "unknown"
}

func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " / ")
}
