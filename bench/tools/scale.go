package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// scaleCmd measures gslb, NSD and Knot on the same generated data (see
// bench/scale.sh): for each scenario and server, the time from start to
// the first answer of the last-loaded name, the memory, and the time until
// a one-line edit of a zone file is served while dnsperf sends a steady
// load, with the queries lost meanwhile and the memory peak.
func scaleCmd(args []string) error {
	fs := flag.NewFlagSet("scale", flag.ExitOnError)
	var bins scaleBins
	fs.StringVar(&bins.gslb, "gslb", "bin/gslb", "gslb binary")
	fs.StringVar(&bins.nsd, "nsd", "/usr/sbin/nsd", "nsd binary")
	fs.StringVar(&bins.knotd, "knotd", "/usr/sbin/knotd", "knotd binary")
	fs.StringVar(&bins.knotc, "knotc", "/usr/sbin/knotc", "knotc binary")
	fs.StringVar(&bins.dnsperf, "dnsperf", "dnsperf", "dnsperf binary")
	work := fs.String("work", "", "working directory (required)")
	records := fs.Int("records", 1_000_000, "records of the big zone")
	nzones := fs.Int("zones", 10_000, "zones of the many-zones scenario")
	rate := fs.Int("rate", 20_000, "queries per second during the edit")
	before := fs.Duration("before", 5*time.Second, "load before the edit")
	after := fs.Duration("after", 40*time.Second, "load after the edit (the edit must be served within it)")
	timeout := fs.Duration("timeout", 2*time.Second, "dnsperf: a query unanswered for this long is lost")
	servers := fs.String("servers", "gslb,nsd,knot", "servers to measure, in order")
	scenarios := fs.String("scenarios", "big,many", "big (one zone of -records), many (-zones small zones)")
	pidfile := fs.String("pidfile", "", "append the process group of every server started")
	out := fs.String("out", "", "Markdown report (also printed)")
	fs.Parse(args)
	if *work == "" {
		return errors.New("-work is required")
	}
	var pids *os.File
	if *pidfile != "" {
		f, err := os.OpenFile(*pidfile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		pids = f
	}
	var results []scaleResult
	for _, sc := range strings.Split(*scenarios, ",") {
		for _, name := range strings.Split(*servers, ",") {
			run := scaleRun{
				scenario: sc, server: name, bins: bins, work: filepath.Join(*work, sc, name),
				records: *records, zones: *nzones, rate: *rate, before: *before, after: *after,
				timeout: *timeout, pids: pids,
			}
			logf("%s: %s", sc, name)
			res, err := run.measure()
			if err != nil {
				return fmt.Errorf("%s %s: %w", sc, name, err)
			}
			logf("%s: %s: %s", sc, name, res)
			results = append(results, res)
		}
	}
	report := scaleReport(results, *records, *nzones, *rate, *timeout)
	fmt.Print(report)
	if *out != "" {
		return os.WriteFile(*out, []byte(report), 0o644)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[scale] "+format+"\n", args...)
}

// scaleRun is one server in one scenario.
type scaleRun struct {
	scenario, server string
	bins             scaleBins
	work             string
	records, zones   int
	rate             int
	before, after    time.Duration
	timeout          time.Duration
	pids             *os.File
}

// scaleResult holds the figures of one run.
type scaleResult struct {
	scenario, server string
	load             time.Duration // start to the first answer of the probe name
	loadCPU          time.Duration // CPU time spent until then
	idle             memory        // after loading
	applied          time.Duration // edit to the new answer served; 0: not within window
	window           time.Duration // how long the edit was waited for
	peak             memory        // during and after the reload
	sent, lost       int           // dnsperf's figures over the whole load with the edit
	baseLost         int           // lost by the same load without an edit
	maxLatency       time.Duration
}

// loadResult holds dnsperf's figures of one run and the memory peak.
type loadResult struct {
	sent, lost int
	maxLatency time.Duration
	peak       memory
}

// load runs dnsperf against s for before+after at the rate; when during
// is not nil it is called after before, while the load goes on.
func (r *scaleRun) load(s *scaleServer, queryFile, label string, during func() error) (loadResult, error) {
	var res loadResult
	perf := exec.Command(r.bins.dnsperf, "-s", "127.0.0.1", "-p", strings.TrimPrefix(s.addr, "127.0.0.1:"), "-d", queryFile,
		"-Q", strconv.Itoa(r.rate), "-l", strconv.Itoa(int((r.before + r.after).Seconds())),
		"-t", strconv.Itoa(int(r.timeout.Seconds())), "-c", "1", "-q", "1000",
		// dnsperf's own socket gets 4 MiB, as bench-compare's fixed-rate
		// runs do: with the system's 208 KiB it overflowed whenever dnsperf
		// was descheduled for ~10 ms, and its losses were counted as the
		// server's (seen with ss: every drop of a 2026-12-01 run was at
		// dnsperf's socket, none at the server's).
		"-b", "4096")
	perfOut, err := os.Create(filepath.Join(r.work, "dnsperf-"+label+".out"))
	if err != nil {
		return res, err
	}
	defer perfOut.Close()
	perf.Stdout, perf.Stderr = perfOut, perfOut
	if err := perf.Start(); err != nil {
		return res, fmt.Errorf("dnsperf: %w", err)
	}
	perfDone := make(chan error, 1)
	go func() { perfDone <- perf.Wait() }()
	if during != nil {
		time.Sleep(r.before)
		if err := during(); err != nil {
			perf.Process.Kill()
			<-perfDone
			return res, err
		}
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
wait:
	for {
		select {
		case err := <-perfDone:
			if err != nil {
				return res, fmt.Errorf("dnsperf: %w (see %s)", err, perfOut.Name())
			}
			break wait
		case <-t.C:
			res.peak = peakOf(res.peak, s.memory())
		}
	}
	res.peak = peakOf(res.peak, s.memory())
	text, _ := os.ReadFile(perfOut.Name())
	res.sent = perfFigure(text, `Queries sent:\s+(\d+)`)
	res.lost = perfFigure(text, `Queries lost:\s+(\d+)`)
	if m := regexp.MustCompile(`max ([0-9.]+)\)`).FindSubmatch(text); m != nil {
		f, _ := strconv.ParseFloat(string(m[1]), 64)
		res.maxLatency = time.Duration(f * float64(time.Second)).Round(time.Microsecond)
	}
	return res, nil
}

func (r scaleResult) String() string {
	return fmt.Sprintf("load %.2fs (cpu %.2fs) rss %d MiB hwm %d MiB pss %d MiB; edit served after %.2fs, peak rss %d MiB hwm %d MiB; %d sent, %d lost (%d without the edit), max latency %s",
		r.load.Seconds(), r.loadCPU.Seconds(), r.idle.rss>>10, r.idle.hwm>>10, r.idle.pss>>10,
		r.applied.Seconds(), r.peak.rss>>10, r.peak.hwm>>10, r.sent, r.lost, r.baseLost, r.maxLatency)
}

func (r *scaleRun) measure() (scaleResult, error) {
	res := scaleResult{scenario: r.scenario, server: r.server, window: r.after}
	ports, err := freePorts(1)
	if err != nil {
		return res, err
	}
	s, err := newScaleServer(r.server, r.work, ports[0], r.bins)
	if err != nil {
		return res, err
	}
	// What to write, what to ask, what to edit.
	var zs []*scaleZone
	var probe, editOrigin, editFile, oldLine, newLine, queryFile string
	var probeType uint16
	queryFile = filepath.Join(r.work, "queries.txt")
	switch r.scenario {
	case "big":
		z := bigZone("big.test.", r.records)
		zs = []*scaleZone{z}
		last := len(z.records) - 3 // index of the last h record
		probe, probeType = "h"+strconv.Itoa(last)+".big.test.", typeOf(bigRecord(last))
		editOrigin, oldLine, newLine = z.origin, "h0 A 10.0.0.0", "h0 A 10.255.255.254"
		if err := bigQueries(queryFile, z.origin, r.records, 200_000, 1); err != nil {
			return res, err
		}
	case "many":
		zs = smallZones("test.", r.zones)
		probe, probeType = fmt.Sprintf("www.z%d.test.", r.zones-1), dns.TypeA
		editOrigin, oldLine, newLine = fmt.Sprintf("z%d.test.", r.zones/2), "www A 192.0.2.1", "www A 192.0.2.254"
		if err := smallQueries(queryFile, "test.", r.zones, 200_000, 1); err != nil {
			return res, err
		}
	default:
		return res, fmt.Errorf("unknown scenario %q", r.scenario)
	}
	origins := make([]string, len(zs))
	for i, z := range zs {
		origins[i] = z.origin
		path, err := z.write(s.zones, r.server)
		if err != nil {
			return res, err
		}
		if z.origin == editOrigin {
			editFile = path
		}
	}
	zs = nil // let the generator's copy go before the server loads
	if err := s.configure(ports[0], origins); err != nil {
		return res, err
	}
	if err := s.start(r.pids); err != nil {
		return res, err
	}
	defer s.stop()
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()

	// Load: poll for the probe name every 10 ms.
	start := time.Now()
	c := &dns.Client{Net: "udp", Timeout: 100 * time.Millisecond}
	for {
		select {
		case err := <-exited:
			return res, fmt.Errorf("%s exited while loading: %v (see %s)", r.server, err, filepath.Join(r.work, r.server+".out"))
		default:
		}
		if answered(c, s.addr, probe, probeType, "") {
			break
		}
		if time.Since(start) > 10*time.Minute {
			return res, errors.New("no answer after 10 minutes")
		}
		time.Sleep(10 * time.Millisecond)
	}
	res.load = time.Since(start)
	res.loadCPU = ticks(s.cpuTicks())
	time.Sleep(time.Second) // let start-up garbage settle before reading the memory
	res.idle = s.memory()

	// The same load without an edit first (what the machine loses
	// anyway), then with the edit.
	base, err := r.load(s, queryFile, "baseline", nil)
	if err != nil {
		return res, err
	}
	res.baseLost = base.lost
	editName := "h0.big.test."
	if r.scenario == "many" {
		editName = "www." + editOrigin
	}
	want := strings.Fields(newLine)[2]
	peak := s.memory()
	edit := func() error {
		if err := editLine(editFile, oldLine, newLine); err != nil {
			return err
		}
		edited := time.Now()
		if err := s.reload(editOrigin); err != nil {
			return err
		}
		for res.applied == 0 && time.Since(edited) < r.after {
			if answered(c, s.addr, editName, dns.TypeA, want) {
				res.applied = time.Since(edited)
			}
			peak = peakOf(peak, s.memory())
			time.Sleep(10 * time.Millisecond)
		}
		if res.applied == 0 {
			logf("%s: the edit was not served within %s", r.server, r.after)
		}
		return nil
	}
	withEdit, err := r.load(s, queryFile, "edit", edit)
	if err != nil {
		return res, err
	}
	res.peak = peakOf(peak, withEdit.peak)
	res.sent, res.lost, res.maxLatency = withEdit.sent, withEdit.lost, withEdit.maxLatency
	return res, nil
}

// answered asks name and type and reports whether the answer is NOERROR
// with records and, when want is not empty, whether its first record's
// data is want.
func answered(c *dns.Client, addr, name string, qtype uint16, want string) bool {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = false
	r, _, err := c.Exchange(m, addr)
	if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0 {
		return false
	}
	if want == "" {
		return true
	}
	a, ok := r.Answer[0].(*dns.A)
	return ok && a.A.String() == want
}

func typeOf(record string) uint16 { return dns.StringToType[strings.Fields(record)[1]] }

func peakOf(a, b memory) memory {
	return memory{rss: max(a.rss, b.rss), hwm: max(a.hwm, b.hwm), pss: max(a.pss, b.pss)}
}

// ticks converts clock ticks (USER_HZ, 100 on Linux) to a duration.
func ticks(n int64) time.Duration { return time.Duration(n) * 10 * time.Millisecond }

func perfFigure(text []byte, pattern string) int {
	m := regexp.MustCompile(pattern).FindSubmatch(text)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
