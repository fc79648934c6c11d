package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// latencyCmd reads dnsperf -v output, in which every answered query is a
// line "> RCODE [QNAME QTYPE] SECONDS" and every timed out one "> T ...",
// and prints "count timeouts p50 p99 p999 max" with latencies in
// microseconds. Timeouts are not in the percentiles (they are counted).
func latencyCmd(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: latency FILE")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var lat []float64
	timeouts := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "> ") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		if fields[1] == "T" || fields[1] == "I" {
			timeouts++
			continue
		}
		s, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			continue
		}
		lat = append(lat, s*1e6)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(lat) == 0 {
		return fmt.Errorf("%s: no per-query latencies (was dnsperf run with -v?)", args[0])
	}
	slices.Sort(lat)
	fmt.Printf("%d %d %.0f %.0f %.0f %.0f\n", len(lat), timeouts,
		pct(lat, 50), pct(lat, 99), pct(lat, 99.9), lat[len(lat)-1])
	return nil
}

// pct is the nearest-rank percentile of sorted values.
func pct(sorted []float64, p float64) float64 {
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
