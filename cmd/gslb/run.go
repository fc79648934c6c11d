package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gslb/gslb/dns"
)

// run starts the background loops, answers queries once health has a
// first view of every target, and returns when ctx ends (nil), serving
// fails, or cluster gossip fails (this node's name is taken). The loops
// have stopped when it returns.
func (s *server) run(ctx context.Context, started chan<- running) error {
	ctx, cancel := context.WithCancel(ctx)
	var loops sync.WaitGroup
	fatal := make(chan error, 1)
	defer func() {
		cancel()
		loops.Wait()
	}()
	s.startLoops(ctx, cancel, fatal, &loops)

	// The sockets are bound: queries arriving now wait in their buffers.
	// Answer them once health has a first view of every target (fresh
	// persisted state or a first probe round, at most max_start_wait), so
	// that no client is sent to a datacenter never probed.
	var err error
	select {
	case <-s.mon.Ready():
		err = s.answer(ctx, started)
	case <-ctx.Done():
		s.stopping()
	}
	select {
	case f := <-fatal: // sent before ctx was cancelled for it
		return f
	default:
		return err
	}
}

// startLoops starts what runs in the background until ctx ends: the
// health monitor, cluster gossip, the zone and GeoIP watchers, the
// ranking tables' rebuilds, and SIGHUP reloads. Gossip's failure is
// fatal: it is sent to fatal and stop is called.
func (s *server) startLoops(ctx context.Context, stop context.CancelFunc, fatal chan<- error, loops *sync.WaitGroup) {
	bg := func(name string, f func(context.Context) error) {
		loops.Add(1)
		go func() {
			defer loops.Done()
			if err := f(ctx); err != nil {
				s.log.Error(name+" stopped", "error", err)
			}
		}()
	}
	bg("health monitor", s.mon.Run)
	if s.cluster != nil {
		loops.Add(1)
		go func() {
			defer loops.Done()
			if err := s.cluster.Run(ctx); err != nil {
				fatal <- fmt.Errorf("cluster gossip: %w", err)
				stop()
			}
		}()
	}
	bg("zone watcher", func(ctx context.Context) error { return s.zones.Watch(ctx, 0) })
	bg("ranking tables", func(ctx context.Context) error {
		// Building tables takes seconds of CPU at start and after a GeoIP
		// reload, while queries are answered: give way to them.
		if err := backgroundThread(); err != nil {
			s.log.Warn("cannot lower the priority of the ranking table builder", "error", err)
		}
		s.router.Run(ctx)
		return nil
	})
	bg("pool transitions", func(ctx context.Context) error { s.watchPools(ctx, 5*time.Second); return nil })
	if s.geoDB != nil {
		bg("geoip watcher", s.geoDB.Watch)
		bg("geoip age", func(ctx context.Context) error {
			watchGeoIPAge(ctx, s.geoDB, func() time.Duration { return s.zones.Config().GeoIP.MaxAge }, s.log)
			return nil
		})
	}
	if s.opts.Args != nil {
		usr2 := make(chan os.Signal, 1)
		signal.Notify(usr2, syscall.SIGUSR2)
		bg("sigusr2", func(ctx context.Context) error {
			defer signal.Stop(usr2)
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-usr2:
					s.startSuccessor()
				}
			}
		})
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	bg("sighup", func(ctx context.Context) error {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-hup:
				s.log.Info("SIGHUP: reloading the server configuration, zones and GeoIP databases")
				s.zones.Rewatch() // the zones directory may have been replaced unseen
				// A stop does not wait for a long reload (see loadZones).
				done := make(chan struct{})
				go func() {
					defer close(done)
					_ = s.reload() // errors are logged where they happen
				}()
				select {
				case <-done:
				case <-ctx.Done():
					return nil
				}
			}
		}
	})
}

// answer serves DNS on the bound sockets, tells started (when not nil)
// and the service manager once it does, and waits until serving ends.
func (s *server) answer(ctx context.Context, started chan<- running) error {
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.dns.Serve(ctx) }()
	select {
	case <-s.dns.Ready():
	case err := <-serveErr:
		return err
	}
	r := running{Control: s.ctlAddr, Reload: s.reload, ConfigReload: s.ConfigReload, ControlConns: func() int { return 0 }}
	if s.ctlLn != nil {
		r.ControlConns = s.ctlLn.Open
	}
	for _, a := range s.dns.Addrs() {
		r.DNS = append(r.DNS, a.String())
	}
	s.log.Info("gslb serving", "dns", strings.Join(r.DNS, ","), "control", r.Control, "zones", len(s.zones.Current().Zones()))
	s.answering.Store(true)
	if s.handover != nil {
		s.notify.readyAsMain()
	} else {
		s.notify.ready()
	}
	if started != nil {
		started <- r
	}
	if s.handover != nil {
		var takeover sync.WaitGroup
		defer takeover.Wait()
		takeover.Add(1)
		go func() {
			defer takeover.Done()
			s.takeOver(ctx)
		}()
	}
	var err error
	select {
	case err = <-serveErr:
	case <-ctx.Done():
		s.stopping()
		err = <-serveErr
	}
	if errors.Is(err, dns.ErrServerClosed) {
		err = nil
	}
	return err
}

// takeOver, once this server answers in place of the one it replaces
// (-replace), stops that one and takes the state file over as soon as
// it is free, adopting the overrides it holds then.
func (s *server) takeOver(ctx context.Context) {
	stop := s.opts.StopPredecessor
	if stop == nil {
		stop = func() error {
			pid, err := stopHolder(s.cfg.State)
			if err != nil && os.Getenv(predecessorEnv) == strconv.Itoa(os.Getppid()) {
				// Started by SIGUSR2: the parent is the one replaced.
				pid, err = os.Getppid(), syscall.Kill(os.Getppid(), syscall.SIGTERM)
			}
			if err == nil {
				s.log.Info("answering: told the gslb being replaced to stop (SIGTERM)", "pid", pid)
			}
			return err
		}
	}
	if err := stop(); err != nil {
		s.log.Error("cannot stop the gslb being replaced: stop it yourself (SIGTERM); both answer until then", "error", err)
	}
	ovs, err := s.handover.take(ctx, s.cfg.State)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("cannot take the state file over: health states and overrides are not saved", "state", s.cfg.State, "error", err)
		}
		return
	}
	adoptOverrides(s.mon, ovs, s.log)
	s.log.Info("state file taken over from the gslb replaced", "state", s.cfg.State)
}

// stopping tells the service manager that gslb stops (STOPPING=1), unless
// a successor started by SIGUSR2 runs: that one is the service's main
// process now, and the service does not stop.
func (s *server) stopping() {
	if !s.successorRuns.Load() {
		s.notify.stopping()
	}
}
