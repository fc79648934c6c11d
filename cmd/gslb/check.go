package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/geo/mmdb"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/zones"
)

// checkCmd loads and validates everything and prints every problem, sorted.
func checkCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "gslb.toml", "server configuration `file`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*configFile)
	if err != nil {
		for _, e := range tomlcheck.Errors(err) {
			fmt.Fprintln(stdout, e)
		}
		return 1
	}
	var problems tomlcheck.ErrorList
	store := zones.NewStore(cfg, dns.ParseRecord, slog.New(slog.DiscardHandler), nil)
	problems = append(problems, tomlcheck.Errors(store.Reload())...)
	if cfg.GeoIP.City != "" {
		if _, err := mmdb.Open(cfg.GeoIP.City, cfg.GeoIP.ASN, slog.New(slog.DiscardHandler)); err != nil {
			problems.Add(tomlcheck.Position{File: cfg.File}, "geoip", "%v", err)
		}
	}
	if err := problems.Err(); err != nil {
		for _, e := range problems {
			fmt.Fprintln(stdout, e)
		}
		return 1
	}
	set := store.Current()
	names := 0
	for _, z := range set.Zones() {
		names += len(z.Names())
	}
	fmt.Fprintf(stdout, "ok: %d zones, %d GSLB names, %d datacenters, %d checks\n", len(set.Zones()), names, len(cfg.Datacenters), len(cfg.Checks))
	return 0
}
