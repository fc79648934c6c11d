package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/geo/mmdb"
	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/monitor"
	"github.com/gslb/gslb/health/store"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/route"
	"github.com/gslb/gslb/zones"
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
func serve(ctx context.Context, cfg *config.Config, logger *slog.Logger, started chan<- running) error {
	log := logger.With("component", "main")
	st, err := store.Open(cfg.State, store.Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("open state file: %w", err)
	}
	defer st.Close()

	mon, err := monitor.New(monitor.Options{
		Store:        st,
		Logger:       logger,
		MaxInFlight:  cfg.Health.MaxInFlight,
		Staleness:    cfg.Health.Staleness,
		MaxStartWait: cfg.Health.MaxStartWait,
	})
	if err != nil {
		return fmt.Errorf("health monitor: %w", err)
	}

	var geoDB *mmdb.DB
	var geoSrc route.GeoSource
	if cfg.GeoIP.City != "" {
		geoDB, err = mmdb.Config{City: cfg.GeoIP.City, ASN: cfg.GeoIP.ASN, Logger: logger}.Open()
		if err != nil {
			return fmt.Errorf("geoip: %w", err)
		}
		geoSrc = geoDB
	}

	router := route.New(route.Options{
		Geo:    geoSrc,
		Health: mon,
		Logger: logger,
	})
	zstore := zones.NewStore(cfg, dns.ParseRecord, logger, func(set *zones.Set) {
		router.Update(set)
		mon.SetTargets(targetsOf(set, cfg))
	})
	if err := zstore.Reload(); err != nil {
		log.Error("some zone files have errors: their zones are not served until fixed", "problems", len(tomlcheck.Errors(err)))
	}
	if len(zstore.Current().Zones()) == 0 {
		mon.SetTargets(nil) // nothing to probe: readiness must not wait
	}
	reload := func() error {
		err := zstore.Reload()
		if geoDB != nil {
			if gerr := geoDB.Reload(); gerr != nil {
				err = errors.Join(err, gerr)
			}
		}
		return err
	}

	srv := dns.NewServer(dns.Config{
		Listen:         cfg.Listen,
		MaxUDPSize:     int(cfg.MaxUDPSize),
		TCPIdleTimeout: cfg.TCPIdleTimeout,
		ReadTimeout:    cfg.TCPTimeout,
		WriteTimeout:   cfg.TCPTimeout,
		MaxTCPConns:    cfg.TCPMaxConnections,
		NSID:           cfg.NSID,
		Logger:         logger,
		Zones:          zstore,
		Router:         router,
	})
	if err := srv.Listen(); err != nil {
		return fmt.Errorf("listen: %w", err)
	}

	var ctlLn net.Listener
	if cfg.Control.Listen != "" {
		token := ""
		if cfg.Control.TokenFile != "" {
			b, err := os.ReadFile(cfg.Control.TokenFile)
			if err != nil {
				return fmt.Errorf("control token: %w", err)
			}
			token = strings.TrimSpace(string(b))
			if token == "" {
				return fmt.Errorf("control token file %s is empty", cfg.Control.TokenFile)
			}
		}
		ctlLn, err = net.Listen("tcp", cfg.Control.Listen)
		if err != nil {
			return fmt.Errorf("control API: %w", err)
		}
		api := control.New(control.Config{Monitor: controlMonitor{mon}, Zones: zstore, Reload: reload, Token: token})
		hs := &http.Server{Handler: api, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := hs.Serve(ctlLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("control API stopped", "error", err)
			}
		}()
		defer hs.Close()
	}

	var wg sync.WaitGroup
	bg := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil {
				log.Error(name+" stopped", "error", err)
			}
		}()
	}
	bg("health monitor", mon.Run)
	bg("zone watcher", func(ctx context.Context) error { return zstore.Watch(ctx, 0) })
	bg("ranking tables", func(ctx context.Context) error { router.Run(ctx); return nil })
	if geoDB != nil {
		bg("geoip watcher", geoDB.Watch)
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	bg("sighup", func(ctx context.Context) error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-hup:
				log.Info("SIGHUP: reloading zones and GeoIP databases")
				_ = reload() // errors are logged where they happen
			}
		}
	})

	// The sockets are bound: queries arriving now wait in their buffers.
	// Answer them once health has a first view of every target (fresh
	// persisted state or a first probe round, at most max_start_wait), so
	// that no client is sent to a datacenter never probed.
	select {
	case <-mon.Ready():
	case <-ctx.Done():
		wg.Wait()
		return nil
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ctx) }()
	select {
	case <-srv.Ready():
	case err := <-serveErr:
		return err
	}
	r := running{Reload: reload}
	for _, a := range srv.Addrs() {
		r.DNS = append(r.DNS, a.String())
	}
	if ctlLn != nil {
		r.Control = ctlLn.Addr().String()
	}
	log.Info("gslb serving", "dns", strings.Join(r.DNS, ","), "control", r.Control, "zones", len(zstore.Current().Zones()))
	if started != nil {
		started <- r
	}
	err = <-serveErr
	wg.Wait()
	if errors.Is(err, dns.ErrServerClosed) {
		err = nil
	}
	return err
}

// targetsOf returns every health target of the zone set.
func targetsOf(set *zones.Set, cfg *config.Config) map[health.Target]health.Check {
	out := map[health.Target]health.Check{}
	for _, z := range set.Zones() {
		for t, c := range z.Targets(cfg.Checks) {
			out[t] = c
		}
	}
	return out
}
