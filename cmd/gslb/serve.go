package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// serveCmd runs the server until SIGINT or SIGTERM. SIGHUP reloads the zone
// files and the GeoIP databases.
func serveCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "gslb.toml", "server configuration `file`")
	statePath := fs.String("state", "", "state `file` (overrides the configuration's state)")
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
	if *statePath != "" {
		cfg.State = *statePath
	}
	logger := newLogger(stderr, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, logger, nil); err != nil {
		logger.Error("gslb stopped", "error", err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// running is what serve exposes to tests once it listens.
type running struct {
	DNS     []string // bound DNS addresses (UDP and TCP share them)
	Control string   // bound control API address; "" when disabled
	Reload  func() error
}

// serve runs every part of the server until ctx ends. started, if not nil,
// receives the bound addresses once the server answers queries.
//
// The parts are built in order, each by one step of server; the sockets
// are bound before anything runs, so that queries arriving early wait in
// their buffers, and run answers them once health is ready.
func serve(ctx context.Context, cfg *config.Config, logger *slog.Logger, started chan<- running) error {
	s := newServer(cfg, logger)
	defer s.close()
	for _, step := range []func() error{
		s.openState,
		s.newMonitor,
		s.openGeoIP,
		s.loadZones,
		s.listenDNS,
		s.listenControl,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return s.run(ctx, started)
}
