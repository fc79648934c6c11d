package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/health/cluster"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// serveCmd runs the server until SIGINT or SIGTERM. SIGHUP reloads the
// server configuration, the zone files and the GeoIP databases.
func serveCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "gslb.toml", "server configuration `file`")
	statePath := fs.String("state", "", "state `file` (overrides the configuration's state)")
	replace := fs.Bool("replace", false, "take over from the gslb serving with the same state file: answer on its addresses, then stop it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*configFile)
	if err != nil {
		for _, e := range tomlcheck.Errors(err) {
			fmt.Fprintln(stderr, e)
		}
		return 1
	}
	opts := serveOptions{State: *statePath, NotifySocket: os.Getenv("NOTIFY_SOCKET"), Level: new(slog.LevelVar),
		Replace: *replace, Args: append([]string{"serve"}, args...)}
	if opts.State != "" {
		cfg.State = opts.State
	}
	setLevel(opts.Level, cfg.LogLevel)
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: opts.Level}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serveWith(ctx, cfg, logger, nil, opts); err != nil {
		logger.Error("gslb stopped", "error", err)
		return 1
	}
	return 0
}

// setLevel sets v to the level named by a log_level value.
func setLevel(v *slog.LevelVar, level string) {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by package config
	v.Set(l)
}

// serveOptions are what serve takes beside the configuration, from the
// command line and the environment. The zero value works.
type serveOptions struct {
	// State is the -state flag: it overrides the configuration's state
	// file, at start and in every configuration reloaded. "": none.
	State string
	// NotifySocket is $NOTIFY_SOCKET: where the service manager listens
	// for READY=1, RELOADING=1 and STOPPING=1. "": no notifications.
	NotifySocket string
	// Level is the logger's level, set from log_level at every reload.
	// nil: the level of the logger stays as it is.
	Level *slog.LevelVar
	// Cluster, when set, adjusts the gossip configuration of [cluster]
	// before gossip starts (tests: shorter timings, a partition drill).
	// nil: as configured.
	Cluster func(*cluster.Config)
	// Replace is the -replace flag: when another server holds the state
	// file, take over from it (handover.go) instead of failing.
	Replace bool
	// StopPredecessor stops the server being replaced once this one
	// answers. nil: SIGTERM to the process holding the state file's lock.
	StopPredecessor func() error
	// Args is the command line after the program name (`serve ...`),
	// which SIGUSR2 runs again with -replace. nil: SIGUSR2 is ignored.
	Args []string
}

// running is what serve exposes to tests once it listens.
type running struct {
	DNS     []string     // bound DNS addresses (UDP and TCP share them)
	Control string       // bound control API address; "" when disabled
	Reload  func() error // what SIGHUP does
	// ConfigReload is the outcome of the last load of the server
	// configuration (the metrics' source).
	ConfigReload func() configReload
	// ControlConns returns the control API's open connections (0 when
	// it is disabled).
	ControlConns func() int
}

// serve runs every part of the server until ctx ends. started, if not nil,
// receives the bound addresses once the server answers queries.
//
// The parts are built in order, each by one step of server; the sockets
// are bound before anything runs, so that queries arriving early wait in
// their buffers, and run answers them once health is ready.
func serve(ctx context.Context, cfg *config.Config, logger *slog.Logger, started chan<- running) error {
	return serveWith(ctx, cfg, logger, started, serveOptions{})
}

// serveWith is serve with the options of the command line and the
// environment.
func serveWith(ctx context.Context, cfg *config.Config, logger *slog.Logger, started chan<- running, opts serveOptions) error {
	s := newServer(cfg, logger, opts)
	s.lifetime = ctx
	defer s.close()
	for _, step := range []func() error{
		s.openState,
		s.newCluster,
		s.newMonitor,
		s.openGeoIP,
		s.loadZones,
		s.listenDNS,
		s.newMetrics,
		s.listenControl,
	} {
		if ctx.Err() != nil {
			s.log.Info("stopped while starting")
			return nil
		}
		if err := step(); err != nil {
			if ctx.Err() != nil {
				s.log.Info("stopped while starting")
				return nil
			}
			return err
		}
	}
	return s.run(ctx, started)
}
