package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// targetsCmd measures gslb probing many health targets (see
// bench/targets.sh): the targets are distinct 127.1.x.y addresses, all
// served by one in-process listener on 0.0.0.0:PORT; per scenario, after
// the first probe round (/readyz), it measures over a window the CPU share
// of one core, the memory, the probes per second the listener saw, how
// late probes arrived after one interval, and gslb's own probe-slot
// metrics.
func targetsCmd(args []string) error {
	fs := flag.NewFlagSet("targets", flag.ExitOnError)
	gslb := fs.String("gslb", "bin/gslb", "gslb binary")
	work := fs.String("work", "", "working directory (required)")
	n := fs.Int("targets", 5000, "health targets (distinct 127.1.x.y addresses, at most 63,750)")
	interval := fs.Duration("interval", 5*time.Second, "probe interval")
	timeout := fs.Duration("timeout", 2*time.Second, "probe timeout")
	window := fs.Duration("window", 60*time.Second, "measuring window after the first round")
	hang := fs.Int("hang", 10, "percent of targets that hang in the *-hang scenarios")
	maxInFlight := fs.Int("max-in-flight", 0, "[health] max_in_flight (0: gslb's default)")
	scenarios := fs.String("scenarios", "tcp,http-hang,http-hang:256", "tcp, http, http-hang, in order; a suffix :N sets max_in_flight to N for that scenario")
	pidfile := fs.String("pidfile", "", "append the process group of every gslb started")
	out := fs.String("out", "", "Markdown report (also printed)")
	fs.Parse(args)
	if *work == "" {
		return errors.New("-work is required")
	}
	bin, err := filepath.Abs(*gslb) // gslb runs in its scenario's directory
	if err != nil {
		return err
	}
	if *n < 1 || *n > 255*250 {
		return fmt.Errorf("-targets %d: want 1 to %d", *n, 255*250)
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
	load := procText("/proc/loadavg")
	var results []targetsResult
	for _, sc := range strings.Split(*scenarios, ",") {
		r := targetsRun{
			scenario: sc, gslb: bin, dir: filepath.Join(*work, strings.ReplaceAll(sc, ":", "-")), n: *n,
			interval: *interval, timeout: *timeout, window: *window, maxInFlight: *maxInFlight, pids: pids,
		}
		kind, slots, ok := strings.Cut(sc, ":")
		if ok {
			v, err := strconv.Atoi(slots)
			if err != nil || v < 1 {
				return fmt.Errorf("scenario %q: want KIND:max_in_flight", sc)
			}
			r.maxInFlight = v
		}
		switch kind {
		case "tcp":
		case "http":
			r.http = true
		case "http-hang":
			r.http, r.hang = true, *hang
		default:
			return fmt.Errorf("unknown scenario %q", sc)
		}
		res, err := r.measure()
		if err != nil {
			return fmt.Errorf("%s: %w", sc, err)
		}
		results = append(results, res)
	}
	report := targetsReport(gslbVersion(bin), results, *n, *interval, *timeout, *window, load, procText("/proc/loadavg"))
	fmt.Print(report)
	if *out != "" {
		return os.WriteFile(*out, []byte(report), 0o644)
	}
	return nil
}

// targetsRun is one scenario.
type targetsRun struct {
	scenario          string
	gslb, dir         string
	n                 int
	http              bool
	hang              int // percent of targets that never answer (http)
	interval, timeout time.Duration
	window            time.Duration
	maxInFlight       int
	pids              *os.File
}

// targetsResult holds the figures of one scenario.
type targetsResult struct {
	scenario          string
	ready             time.Duration // start to /readyz 200 (the first round done)
	cpuShare          float64       // CPU time / window
	rss, hwm          int64         // KiB at the end of the window
	probes            sinkStats
	window            time.Duration
	delayed           float64 // gslb_probes_delayed_total over the window
	slots             float64
	inFlightMax       float64 // largest gslb_probes_in_flight of the samples
	inFlightMean      float64
	up, down          int // gslb_target_up at the end
	hanging, expected int
}

// targetAddr is the i-th target address: 127.1.0.1 to 127.1.0.250,
// 127.1.1.1 ... (never .0 nor .255).
func targetAddr(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{127, 1, byte(i / 250), byte(1 + i%250)})
}

// hangs says whether address a is one of the hanging ones: its index
// modulo 100 is below the percentage.
func hangs(a netip.Addr, percent int) bool {
	b := a.As4()
	if b[0] != 127 || b[1] != 1 {
		return false
	}
	i := int(b[2])*250 + int(b[3]) - 1
	return i%100 < percent
}

func (r *targetsRun) measure() (targetsResult, error) {
	res := targetsResult{scenario: r.scenario, window: r.window}
	if err := os.MkdirAll(filepath.Join(r.dir, "zones"), 0o755); err != nil {
		return res, err
	}
	ports, err := freePorts(3) // DNS, control, probe target (0.0.0.0)
	if err != nil {
		return res, err
	}
	sink, err := newProbeSink(fmt.Sprintf("0.0.0.0:%d", ports[2]), r.http, func(a netip.Addr) bool { return hangs(a, r.hang) })
	if err != nil {
		return res, fmt.Errorf("probe target listener: %w", err)
	}
	defer sink.Close()
	if err := r.configure(ports); err != nil {
		return res, err
	}
	for i := range r.n {
		if hangs(targetAddr(i), r.hang) {
			res.hanging++
		}
	}
	cmd, err := r.start()
	if err != nil {
		return res, err
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	}()
	control := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	begin := time.Now()
	if err := waitReady(control, 90*time.Second, cmd); err != nil {
		return res, fmt.Errorf("%w (see %s)", err, filepath.Join(r.dir, "gslb.out"))
	}
	res.ready = time.Since(begin)
	targetsLogf("%s: ready after %v (first round done); measuring %v", r.scenario, res.ready.Round(time.Millisecond), r.window)

	pid := cmd.Process.Pid
	m0, err := scrape(control)
	if err != nil {
		return res, err
	}
	t0, c0 := time.Now(), procCPU(pid)
	var samples []float64
	for time.Since(t0) < r.window {
		// 1.1 s, not a divisor of the interval: the samples must not
		// all fall on the same phase of the probe schedule.
		time.Sleep(min(1100*time.Millisecond, r.window-time.Since(t0)))
		m, err := scrape(control)
		if err != nil {
			return res, err
		}
		samples = append(samples, m.inFlight)
	}
	t1, c1 := time.Now(), procCPU(pid)
	m1, err := scrape(control)
	if err != nil {
		return res, err
	}
	st := procFields(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	res.rss, res.hwm = st["VmRSS"], st["VmHWM"]
	res.window = t1.Sub(t0)
	res.cpuShare = float64(c1-c0) / float64(res.window)
	res.probes = sink.stats(t0, t1, r.interval)
	res.delayed = m1.delayed - m0.delayed
	res.slots = m1.slots
	res.up, res.down = m1.up, m1.down
	for _, s := range samples {
		res.inFlightMax = max(res.inFlightMax, s)
		res.inFlightMean += s / float64(len(samples))
	}
	res.expected = r.n
	targetsLogf("%s: %s", r.scenario, res.summary())
	return res, nil
}

func (r targetsResult) summary() string {
	return fmt.Sprintf("CPU %.1f%% of a core, RSS %d MiB, %.0f probes/s, late p99 %v, delayed %.0f, in flight max %.0f of %.0f, up %d down %d",
		100*r.cpuShare, r.rss/1024, float64(r.probes.probes)/r.window.Seconds(), quantile(r.probes.late, 0.99).Round(time.Millisecond),
		r.delayed, r.inFlightMax, r.slots, r.up, r.down)
}

// configure writes gslb.toml and one zone: pools of 100 targets each
// (ten datacenters, ten addresses per member), all with the check.
func (r *targetsRun) configure(ports []int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "listen = [\"127.0.0.1:%d\"]\nzones = \"zones\"\nstate = \"gslb.db\"\n\n", ports[0])
	fmt.Fprintf(&b, "[control]\nlisten = \"127.0.0.1:%d\"\n\n", ports[1])
	if r.maxInFlight > 0 {
		fmt.Fprintf(&b, "[health]\nmax_in_flight = %d\n\n", r.maxInFlight)
	}
	for d := range 10 {
		fmt.Fprintf(&b, "[datacenters.dc%d]\nlat = %d\nlon = %d\n\n", d, d*8-40, d*30-150)
	}
	typ, path := "tcp", ""
	if r.http {
		typ, path = "http", "path = \"/healthz\"\n"
	}
	fmt.Fprintf(&b, "[checks.bench]\ntype = %q\nport = %d\n%sinterval = %q\ntimeout = %q\nrise = 1\nfall = 1\n",
		typ, ports[2], path, r.interval.String(), r.timeout.String())
	if err := os.WriteFile(filepath.Join(r.dir, "gslb.toml"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("origin = \"targets.test.\"\nttl = 300\nrecords = ['@ NS ns1', 'ns1 A 192.0.2.53']\n\n[soa]\nprimary = \"ns1.targets.test.\"\n")
	pools := (r.n + 99) / 100
	for p := range pools {
		fmt.Fprintf(&b, "\n[gslb.n%d]\npool = \"p%d\"\n\n[pools.p%d]\ncheck = \"bench\"\nmembers = [\n", p, p, p)
		for d := range 10 {
			var addrs []string
			for k := range 10 {
				if i := p*100 + d*10 + k; i < r.n {
					addrs = append(addrs, strconv.Quote(targetAddr(i).String()))
				}
			}
			if len(addrs) > 0 {
				fmt.Fprintf(&b, "  { datacenter = \"dc%d\", addresses = [%s] },\n", d, strings.Join(addrs, ", "))
			}
		}
		b.WriteString("]\n")
	}
	return os.WriteFile(filepath.Join(r.dir, "zones", "targets.test.toml"), []byte(b.String()), 0o644)
}

// start launches gslb in its own process group; pids records the group so
// that the calling script can end it if this program dies.
func (r *targetsRun) start() (*exec.Cmd, error) {
	out, err := os.Create(filepath.Join(r.dir, "gslb.out"))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd := exec.Command(r.gslb, "serve", "-config", filepath.Join(r.dir, "gslb.toml"))
	cmd.Dir = r.dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start gslb: %w", err)
	}
	if r.pids != nil {
		fmt.Fprintln(r.pids, cmd.Process.Pid)
	}
	return cmd, nil
}

// waitReady polls /readyz until 200 (bounded), failing early when gslb
// exited.
func waitReady(control string, limit time.Duration, cmd *exec.Cmd) error {
	c := http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if !alive(cmd.Process.Pid) {
			return errors.New("gslb exited")
		}
		resp, err := c.Get(control + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %v", limit)
}

// alive says whether pid runs (not a zombie).
func alive(pid int) bool {
	stat := procText(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if stat == "" {
		return false
	}
	f := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// procCPU returns the user+system CPU time of one process so far.
func procCPU(pid int) time.Duration {
	stat := procText(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if stat == "" {
		return 0
	}
	f := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
	var t int64
	for _, i := range []int{11, 12} { // utime, stime (after comm)
		if i < len(f) {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			t += v
		}
	}
	return ticks(t)
}

// healthMetrics are the figures read from gslb's /metrics.
type healthMetrics struct {
	delayed, slots, inFlight float64
	up, down                 int
}

// scrape reads the probe metrics and the target states from /metrics.
func scrape(control string) (healthMetrics, error) {
	var m healthMetrics
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(control + "/metrics")
	if err != nil {
		return m, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return m, fmt.Errorf("metrics: %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		name, _, _ := strings.Cut(line[:i], "{")
		switch name {
		case "gslb_probes_delayed_total":
			m.delayed += v
		case "gslb_probe_slots":
			m.slots = v
		case "gslb_probes_in_flight":
			m.inFlight = v
		case "gslb_target_up":
			if v == 1 {
				m.up++
			} else {
				m.down++
			}
		}
	}
	return m, sc.Err()
}

func targetsLogf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[targets] "+format+"\n", args...)
}
