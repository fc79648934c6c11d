// Command interop is the differential test of gslb against NSD and Knot
// (bench/interop/run.sh, `make interop`): it serves the same zones with the
// three servers on loopback ports, sends every one the same queries and
// reports where gslb's replies differ, grouped by kind and classified by
// which peer agrees with gslb. It also compares which zone constructs the
// three servers' loaders accept (-load).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// scenario is a set of zones served together.
type scenario struct {
	name  string
	files []string // gslb zone files, relative to the repository root
}

var scenarios = []scenario{
	{"dns", []string{"testdata/dns/zones/example.com.toml", "testdata/dns/zones/example.org.toml"}},
	{"example", []string{"testdata/example/zones/example.com.toml"}},
	{"rich", []string{
		"bench/interop/zones/rich/interop.example.toml",
		"bench/interop/zones/rich/child.interop.example.toml",
		"bench/interop/zones/rich/other.example.toml",
		"bench/interop/zones/rich/wildapex.example.toml",
	}},
}

var (
	pidMu   sync.Mutex
	pidFile string
	pids    = map[int]bool{}
)

// registerPID records a started server in -pidfile, so that run.sh can end
// it if this program dies without stopping it.
func registerPID(pid int) {
	pidMu.Lock()
	defer pidMu.Unlock()
	pids[pid] = true
	writePIDs()
}

func unregisterPID(pid int) {
	pidMu.Lock()
	defer pidMu.Unlock()
	delete(pids, pid)
	writePIDs()
}

func writePIDs() {
	if pidFile == "" {
		return
	}
	var b []byte
	for p := range pids {
		b = strconv.AppendInt(b, int64(p), 10)
		b = append(b, '\n')
	}
	_ = os.WriteFile(pidFile, b, 0o644)
}

func main() {
	root := flag.String("root", "../..", "repository root")
	work := flag.String("work", "", "working directory (default: a new temporary one)")
	gslbBin := flag.String("gslb", "bin/gslb", "gslb binary, relative to -root or absolute")
	nsdBin := flag.String("nsd", "/usr/sbin/nsd", "nsd binary")
	knotBin := flag.String("knotd", "/usr/sbin/knotd", "knotd binary")
	seed := flag.Uint64("seed", 20261126, "seed of the random 0x20 case")
	only := flag.String("scenario", "", "run only this scenario (dns, example, rich, signed)")
	out := flag.String("out", "", "also write the report to this file")
	workers := flag.Int("workers", 8, "queries in flight")
	timeout := flag.Duration("timeout", time.Second, "wait for each reply")
	load := flag.Bool("load", true, "compare the zone loaders too")
	serveOnly := flag.Bool("serve", false, "start the servers of -scenario, print their addresses and keep them running until interrupted (for digging into a difference)")
	flag.StringVar(&pidFile, "pidfile", "", "file listing the servers' process IDs while they run")
	flag.Parse()

	tempWork := *work == ""
	if tempWork {
		d, err := os.MkdirTemp("", "gslb-interop-")
		if err != nil {
			fatal(err)
		}
		*work = d
	}
	bin := *gslbBin
	if !filepath.IsAbs(bin) {
		bin = filepath.Join(*root, bin)
	}
	bin, _ = filepath.Abs(bin)
	bins := map[string]string{"gslb": bin, "nsd": *nsdBin, "knot": *knotBin}

	var running []*server
	var runMu sync.Mutex
	stopAll := func() {
		runMu.Lock()
		defer runMu.Unlock()
		for _, s := range running {
			s.stop()
		}
		running = nil
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		stopAll()
		os.Exit(130)
	}()
	defer stopAll()

	var w io.Writer = os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		w = io.MultiWriter(os.Stdout, f)
	}
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "[interop] "+format+"\n", args...) }

	rep := newReport()
	for _, sc := range scenarios {
		if *only != "" && sc.name != *only {
			continue
		}
		var zs []*zone
		for _, f := range sc.files {
			z, err := convert(filepath.Join(*root, f))
			if err != nil {
				fatal(err)
			}
			zs = append(zs, z)
		}
		ports, err := freePorts(len(serverNames))
		if err != nil {
			fatal(err)
		}
		var srvs []*server
		for i, name := range serverNames {
			s, err := start(name, bins[name], filepath.Join(*work, sc.name, name), ports[i], zs)
			if err != nil {
				stopAll()
				fatal(err)
			}
			runMu.Lock()
			running = append(running, s)
			runMu.Unlock()
			srvs = append(srvs, s)
		}
		for _, s := range srvs {
			if err := s.ready(zs, 15*time.Second); err != nil {
				stopAll()
				fatal(err)
			}
		}
		if *serveOnly {
			for _, s := range srvs {
				fmt.Printf("%s %s\n", s.name, s.addr)
			}
			select {} // until SIGINT or SIGTERM
		}
		qs := build(zs, *seed)
		logf("scenario %s: %d zones, %d queries to gslb %s, nsd %s, knot %s", sc.name, len(zs), len(qs), srvs[0].addr, srvs[1].addr, srvs[2].addr)
		t0 := time.Now()
		replies := runQueries(qs, srvs, *workers, *timeout)
		logf("scenario %s: answered in %s", sc.name, time.Since(t0).Round(time.Millisecond))
		stopAll()
		for i, q := range qs {
			rep.add(sc.name, q, compare(q, replies[i]))
		}
	}
	rep.write(w)
	if *only == "" || *only == "signed" {
		track := func(s *server) {
			runMu.Lock()
			running = append(running, s)
			runMu.Unlock()
		}
		if err := runSigned(w, *root, *work, bins, *workers, *timeout, stopAll, track); err != nil {
			stopAll()
			fatal(err)
		}
	}
	if *load {
		if err := loadChecks(w, filepath.Join(*work, "load"), bins); err != nil {
			fatal(err)
		}
	}
	if tempWork {
		logf("servers' files and logs kept in %s", *work)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "[interop] error: %v\n", err)
	pidMu.Lock()
	for p := range pids {
		_ = syscall.Kill(-p, syscall.SIGKILL)
	}
	pidMu.Unlock()
	os.Exit(1)
}
