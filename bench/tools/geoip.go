package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// geoipCmd measures gslb and gdnsd on a GeoLite2-size database with ten
// pools and two maps (see bench/geoip.sh): the time from start to the
// first answer and to the ranking tables (gdnsd answers only once its
// trees are built), CPU time, memory, then the database replaced under a
// steady ECS load: how long until the new data is served (and, for gslb,
// until the tables are rebuilt), queries lost, SERVFAIL, and latency
// percentiles before and during the rebuild.
func geoipCmd(args []string) error {
	fs := flag.NewFlagSet("geoip", flag.ExitOnError)
	var o geoOpts
	fs.StringVar(&o.gslb, "gslb", "bin/gslb", "gslb binary")
	fs.StringVar(&o.gdnsd, "gdnsd", "/usr/sbin/gdnsd", "gdnsd binary")
	fs.StringVar(&o.dnsperf, "dnsperf", "dnsperf", "dnsperf binary")
	fs.StringVar(&o.work, "work", "", "working directory (required)")
	fs.StringVar(&o.db, "db", "", "the GeoIP2 City database served at start (required)")
	fs.StringVar(&o.db2, "db2", "", "the database that replaces it under load (required)")
	fs.IntVar(&o.rate, "rate", 10000, "queries per second of the load")
	fs.DurationVar(&o.before, "before", 10*time.Second, "load before the replacement (baseline)")
	fs.DurationVar(&o.lead, "lead", 3*time.Second, "load before the replacement in the reload run")
	fs.DurationVar(&o.after, "after", 40*time.Second, "load after the replacement")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Second, "dnsperf: a query unanswered for this long is lost")
	fs.IntVar(&o.nqueries, "n", 200000, "queries in the query file")
	servers := fs.String("servers", "gslb,gdnsd", "servers to measure, in order")
	pidfile := fs.String("pidfile", "", "append the process group of every server started")
	dbInfo := fs.String("dbinfo", "", "a description of the databases, for the report")
	out := fs.String("out", "", "Markdown report (also printed)")
	fs.Parse(args)
	if o.work == "" || o.db == "" || o.db2 == "" {
		return errors.New("-work, -db and -db2 are required")
	}
	if *pidfile != "" {
		f, err := os.OpenFile(*pidfile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		o.pids = f
	}
	o.queries = filepath.Join(o.work, "queries.bin")
	geologf("writing %d ECS queries for the ten names from %s", o.nqueries, o.db)
	var err error
	if o.walked4, o.walked6, err = geoQueries(o.db, o.queries, o.nqueries); err != nil {
		return err
	}
	loadBefore := loadAverage()
	var results []geoResult
	for _, name := range strings.Split(*servers, ",") {
		geologf("%s", name)
		res, err := o.measure(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		geologf("%s: %s", name, res)
		results = append(results, res)
	}
	report := geoReport(o, results, loadBefore, loadAverage(), *dbInfo)
	fmt.Print(report)
	if *out != "" {
		return os.WriteFile(*out, []byte(report), 0o644)
	}
	return nil
}

func geologf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[geoip] "+format+"\n", args...)
}

// geoOpts are the settings of one benchmark run.
type geoOpts struct {
	gslb, gdnsd, dnsperf string
	work, db, db2        string
	queries              string
	rate, nqueries       int
	before, lead, after  time.Duration
	timeout              time.Duration
	pids                 *os.File
	walked4, walked6     int // networks a walk of -db yields, by family
}

// geoResult holds the figures of one server.
type geoResult struct {
	server       string
	firstAnswer  time.Duration // start to the first answer
	ready        time.Duration // start to the ranking tables (gdnsd: the first answer)
	readyCPU     time.Duration // CPU time until ready
	idle         memory        // 2 s after ready
	tables       geoTables     // gslb's table metrics after ready
	base         geoLoad       // the load without a replacement
	reload       geoLoad       // the load with the replacement
	served       time.Duration // replacement to the new data answered for every name; 0: never
	rebuilt      time.Duration // replacement to the tables current again (gslb); 0: never
	peak         memory        // during the reload run
	reloadTables geoTables     // after the reload run
}

// geoTables are gslb's gslb_ranking_* metrics.
type geoTables struct {
	tables, bytes   float64
	current         float64
	buildSeconds    float64
	built           float64 // gslb_ranking_tables_built_timestamp_seconds
	heapInuseBytes  float64 // go_memstats_heap_inuse_bytes
	heapSysBytes    float64 // go_memstats_heap_sys_bytes
	heapAllocsBytes float64 // go_memstats_alloc_bytes
}

// geoLoad is what dnsperf saw in one run.
type geoLoad struct {
	sent, completed, lost, servfail int
	all, during                     latencies // during: the intervals that overlap the rebuild
}

type latencies struct {
	n             int
	p50, p99, max float64 // microseconds
	timeouts      int     // queries dnsperf gave up on (for a window: sent in it, as far as the interval lines tell)
}

func (r geoResult) String() string {
	return fmt.Sprintf("first answer %.2fs, ready %.2fs (cpu %.2fs), rss %d MiB hwm %d MiB, tables %.0f (%.1f MiB); base: %d sent %d lost %d servfail p99 %.0fµs; reload: served after %.2fs, tables after %.2fs, %d sent %d lost %d servfail, p99 %.0fµs (during %.0fµs), peak rss %d MiB hwm %d MiB",
		r.firstAnswer.Seconds(), r.ready.Seconds(), r.readyCPU.Seconds(), r.idle.rss>>10, r.idle.hwm>>10,
		r.tables.tables, r.tables.bytes/(1<<20), r.base.sent, r.base.lost, r.base.servfail, r.base.all.p99,
		r.served.Seconds(), r.rebuilt.Seconds(), r.reload.sent, r.reload.lost, r.reload.servfail, r.reload.all.p99, r.reload.during.p99,
		r.peak.rss>>10, r.peak.hwm>>10)
}

// geoQueries writes a dnsperf -B file: pN.geo.test A for a random pool,
// with an ECS subnet drawn from the database (60% IPv4 /24, 40% IPv6).
func geoQueries(db, out string, n int) (v4, v6 int, err error) {
	nets, err := loadNetworks(db)
	if err != nil {
		return 0, 0, err
	}
	d := newDrawer(nets, 1, 40)
	mix := rand.New(rand.NewPCG(2, 3))
	f, err := os.Create(out)
	if err != nil {
		return 0, 0, err
	}
	w := bufio.NewWriter(f)
	var lenbuf [2]byte
	for range n {
		m := query(geoPools[mix.IntN(len(geoPools))].name+".geo.test.", dns.TypeA, d.subnet())
		wire, err := m.Pack()
		if err != nil {
			return 0, 0, err
		}
		binary.BigEndian.PutUint16(lenbuf[:], uint16(len(wire)))
		w.Write(lenbuf[:])
		w.Write(wire)
	}
	if err := w.Flush(); err != nil {
		return 0, 0, err
	}
	return len(nets.v4), len(nets.v6), f.Close()
}

// geoServer is gslb or gdnsd under test, in its own process group.
type geoServer struct {
	name    string
	dir     string
	addr    string
	ctl     string // gslb's control address
	timeout time.Duration
	db      string // the database path it serves (replaced by rename)
	cmd     *exec.Cmd
	exited  chan error
	scratch *scaleServer // for memory and CPU readings of the group
}

func (o *geoOpts) measure(name string) (geoResult, error) {
	res := geoResult{server: name}
	ports, err := freePorts(2)
	if err != nil {
		return res, err
	}
	s := &geoServer{name: name, dir: filepath.Join(o.work, name), addr: fmt.Sprintf("127.0.0.1:%d", ports[0]),
		ctl: fmt.Sprintf("127.0.0.1:%d", ports[1]), timeout: o.timeout}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return res, err
	}
	s.db = filepath.Join(s.dir, "City.mmdb")
	if err := os.Link(o.db, s.db); err != nil {
		return res, err
	}
	var bin string
	var args []string
	switch name {
	case "gslb":
		bin, args = o.gslb, []string{"serve", "-config", filepath.Join(s.dir, "gslb.toml")}
		err = writeGslbGeo(s.dir, ports[0], ports[1], s.db)
	case "gdnsd":
		bin, args = o.gdnsd, []string{"-c", s.dir, "start"}
		err = writeGdnsdGeo(s.dir, ports[0], s.db)
	default:
		err = fmt.Errorf("unknown server %q", name)
	}
	if err != nil {
		return res, err
	}
	logf, err := os.Create(filepath.Join(s.dir, name+".out"))
	if err != nil {
		return res, err
	}
	defer logf.Close()
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = s.dir
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return res, fmt.Errorf("start: %w", err)
	}
	if o.pids != nil {
		fmt.Fprintln(o.pids, s.cmd.Process.Pid)
	}
	s.scratch = &scaleServer{name: name, cmd: s.cmd}
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait() }()
	defer func() {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
	}()

	// Start: the first answer, then (gslb) the tables.
	c := &dns.Client{Net: "udp", Timeout: 200 * time.Millisecond}
	if err := s.poll(start, 10*time.Minute, func() bool { return answered(c, s.addr, "p0.geo.test.", dns.TypeA, "") }); err != nil {
		return res, err
	}
	res.firstAnswer = time.Since(start)
	if name == "gslb" {
		if err := s.poll(start, 10*time.Minute, func() bool {
			t, err := s.tableMetrics()
			return err == nil && t.current == 1 && t.tables > 0
		}); err != nil {
			return res, err
		}
	}
	res.ready = time.Since(start)
	res.readyCPU = ticks(s.scratch.cpuTicks())
	time.Sleep(2 * time.Second)
	res.idle = s.scratch.memory()
	if name == "gslb" {
		res.tables, _ = s.tableMetrics()
	}

	// The answers for the probe subnets before the replacement.
	probes := geoProbes()
	before := map[string]string{}
	for _, p := range probes {
		a, err := probeAnswer(c, s.addr, p)
		if err != nil {
			return res, fmt.Errorf("probe %s: %w", p, err)
		}
		before[p.key()] = a
	}

	// Baseline load, then the same load with the replacement.
	if res.base, err = o.load(s, "baseline", o.before, nil); err != nil {
		return res, err
	}
	var replaced, rebuiltAt time.Time
	peak := s.scratch.memory()
	replace := func() error {
		tmp := filepath.Join(s.dir, ".City.mmdb.new")
		if err := os.Link(o.db2, tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, s.db); err != nil {
			return err
		}
		replaced = time.Now()
		pending := slices.Clone(probes)
		sawStale := name != "gslb"
		for time.Since(replaced) < o.after-time.Second {
			peak = peakOf(peak, s.scratch.memory())
			var still []geoProbe
			for _, p := range pending {
				a, err := probeAnswer(c, s.addr, p)
				if err != nil || a == before[p.key()] {
					still = append(still, p)
				}
			}
			pending = still
			if len(pending) == 0 && res.served == 0 {
				res.served = time.Since(replaced)
			}
			if name == "gslb" && rebuiltAt.IsZero() {
				if t, err := s.tableMetrics(); err == nil {
					if t.current == 0 {
						sawStale = true
					}
					if sawStale && t.current == 1 && t.built > res.tables.built {
						rebuiltAt = time.Now()
						res.rebuilt = rebuiltAt.Sub(replaced)
					}
				}
			}
			if res.served > 0 && (name != "gslb" || !rebuiltAt.IsZero()) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		return nil
	}
	if res.reload, err = o.load(s, "reload", o.lead+o.after, replace); err != nil {
		return res, err
	}
	res.peak = peakOf(peak, s.scratch.memory())
	if name == "gslb" {
		res.reloadTables, _ = s.tableMetrics()
	}
	end := replaced.Add(res.served)
	if !rebuiltAt.IsZero() {
		end = rebuiltAt
	}
	if res.served == 0 {
		end = replaced.Add(o.after)
	}
	res.reload.during = s.during(replaced, end)
	return res, nil
}

// poll calls ok every 10 ms until it is true, the server exits or limit
// passes.
func (s *geoServer) poll(start time.Time, limit time.Duration, ok func() bool) error {
	for !ok() {
		select {
		case err := <-s.exited:
			s.exited <- err
			return fmt.Errorf("exited: %v (see %s)", err, filepath.Join(s.dir, s.name+".out"))
		default:
		}
		if time.Since(start) > limit {
			return fmt.Errorf("not ready after %s", limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// tableMetrics scrapes gslb's /metrics for the ranking table metrics.
func (s *geoServer) tableMetrics() (geoTables, error) {
	var t geoTables
	cl := &http.Client{Timeout: time.Second}
	resp, err := cl.Get("http://" + s.ctl + "/metrics")
	if err != nil {
		return t, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return t, err
	}
	fields := map[string]*float64{
		"gslb_ranking_tables":                         &t.tables,
		"gslb_ranking_table_bytes":                    &t.bytes,
		"gslb_ranking_tables_current":                 &t.current,
		"gslb_ranking_tables_build_seconds":           &t.buildSeconds,
		"gslb_ranking_tables_built_timestamp_seconds": &t.built,
		"go_memstats_heap_inuse_bytes":                &t.heapInuseBytes,
		"go_memstats_heap_sys_bytes":                  &t.heapSysBytes,
		"go_memstats_alloc_bytes":                     &t.heapAllocsBytes,
	}
	found := 0
	for _, line := range strings.Split(string(body), "\n") {
		name, val, ok := strings.Cut(line, " ")
		if p, want := fields[name]; ok && want {
			if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
				*p = v
				found++
			}
		}
	}
	if found < 5 {
		return t, errors.New("no gslb_ranking_* metrics")
	}
	return t, nil
}

// geoProbe is one name asked with the ECS subnet of a probe network (a
// place the replacement database moves from Sydney to Amsterdam).
type geoProbe struct {
	name   string
	subnet netip.Prefix
}

func (p geoProbe) key() string { return p.name + " " + p.subnet.String() }

func (p geoProbe) String() string { return p.key() }

// geoProbes are the ten names asked for the probe network: every pool
// answers Sydney and Amsterdam from different datacenters (the maps fence
// Oceania and Europe), so every answer changes with the replacement.
func geoProbes() []geoProbe {
	var out []geoProbe
	for _, p := range geoPools {
		out = append(out, geoProbe{p.name + ".geo.test.", netip.MustParsePrefix("198.18.0.0/24")})
	}
	return out
}

// probeAnswer returns the first A record of the answer to p.
func probeAnswer(c *dns.Client, addr string, p geoProbe) (string, error) {
	m := query(p.name, dns.TypeA, p.subnet)
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		return "", err
	}
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0 {
		return "", fmt.Errorf("rcode %s, %d answers", dns.RcodeToString[r.Rcode], len(r.Answer))
	}
	a, ok := r.Answer[0].(*dns.A)
	if !ok {
		return "", errors.New("not an A record")
	}
	return a.A.String(), nil
}

// load runs dnsperf at the rate for d with -v (a line per query) and -S 1
// (a time-stamped line every second); during runs after o.lead, while the
// load goes on.
func (o *geoOpts) load(s *geoServer, label string, d time.Duration, during func() error) (geoLoad, error) {
	var res geoLoad
	outPath := filepath.Join(s.dir, "dnsperf-"+label+".out")
	out, err := os.Create(outPath)
	if err != nil {
		return res, err
	}
	defer out.Close()
	perf := exec.Command(o.dnsperf, "-B", "-d", o.queries, "-s", "127.0.0.1", "-p", strings.TrimPrefix(s.addr, "127.0.0.1:"),
		"-Q", strconv.Itoa(o.rate), "-l", strconv.Itoa(int(d.Seconds())), "-t", strconv.Itoa(int(o.timeout.Seconds())),
		"-c", "1", "-q", "2000", "-v", "-S", "1")
	perf.Stdout, perf.Stderr = out, out
	if err := perf.Start(); err != nil {
		return res, fmt.Errorf("dnsperf: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- perf.Wait() }()
	if during != nil {
		time.Sleep(o.lead)
		if err := during(); err != nil {
			perf.Process.Kill()
			<-done
			return res, err
		}
	}
	if err := <-done; err != nil {
		return res, fmt.Errorf("dnsperf: %w (see %s)", err, outPath)
	}
	text, err := os.ReadFile(outPath)
	if err != nil {
		return res, err
	}
	res.sent = perfFigure(text, `Queries sent:\s+(\d+)`)
	res.completed = perfFigure(text, `Queries completed:\s+(\d+)`)
	res.lost = perfFigure(text, `Queries lost:\s+(\d+)`)
	res.servfail = max(0, perfFigure(text, `SERVFAIL (\d+)`))
	all, _ := perfWindows(text, time.Time{}, time.Time{}, o.timeout)
	res.all = all
	return res, nil
}

// during returns the latencies of the reload run's one-second intervals
// that overlap [from, to].
func (s *geoServer) during(from, to time.Time) latencies {
	text, err := os.ReadFile(filepath.Join(s.dir, "dnsperf-reload.out"))
	if err != nil {
		return latencies{}
	}
	_, in := perfWindows(text, from, to, s.timeout)
	return in
}

// perfWindows reads dnsperf -v -S 1 output: per-query lines "> RCODE
// name type seconds" between time-stamped interval lines "EPOCH.USEC:
// qps". It returns the latencies of every query, and of the queries in
// the intervals that overlap [from, to] (none when from is zero).
func perfWindows(text []byte, from, to time.Time, timeout time.Duration) (all, in latencies) {
	var lat, inLat []float64
	var pending []float64 // queries since the last interval line
	timeouts, inTimeouts, pendingTimeouts := 0, 0, 0
	prev := time.Time{}
	flush := func(end time.Time) {
		if !from.IsZero() && !prev.IsZero() && end.After(from) && prev.Before(to.Add(time.Second)) {
			inLat = append(inLat, pending...)
		}
		// A timeout is printed when dnsperf gives up, timeout after the
		// query was sent.
		if !from.IsZero() && !prev.IsZero() && end.After(from.Add(timeout)) && prev.Before(to.Add(timeout+time.Second)) {
			inTimeouts += pendingTimeouts
		}
		pending, pendingTimeouts = pending[:0], 0
		prev = end
	}
	sc := bufio.NewScanner(strings.NewReader(string(text)))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "> ") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[1] == "T" {
				timeouts++
				pendingTimeouts++
				continue
			}
			if len(f) < 3 || f[1] == "I" {
				continue
			}
			v, err := strconv.ParseFloat(f[len(f)-1], 64)
			if err != nil {
				continue
			}
			lat = append(lat, v*1e6)
			pending = append(pending, v*1e6)
			continue
		}
		// An interval line: "1764567890.123456: 10000.000000".
		if ts, _, ok := strings.Cut(line, ": "); ok {
			if sec, err := strconv.ParseFloat(ts, 64); err == nil && sec > 1e9 {
				flush(time.Unix(0, int64(sec*1e9)))
			}
		}
	}
	all, in = summarize(lat), summarize(inLat)
	all.timeouts, in.timeouts = timeouts, inTimeouts
	return all, in
}

func summarize(v []float64) latencies {
	if len(v) == 0 {
		return latencies{}
	}
	slices.Sort(v)
	return latencies{n: len(v), p50: pct(v, 50), p99: pct(v, 99), max: v[len(v)-1]}
}
