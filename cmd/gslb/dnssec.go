package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/zones"
)

// dnssecCmd runs a DNSSEC subcommand: ds.
func dnssecCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "ds" {
		fmt.Fprintln(stderr, "usage: gslb dnssec ds -config FILE [-state FILE] ZONE")
		return 2
	}
	return dsCmd(args[1:], stdout, stderr)
}

// dsCmd prints the DS records of a signed zone's keys, to give to the
// parent zone.
func dsCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dnssec ds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", defaultConfig, "server configuration `file`")
	statePath := fs.String("state", "", "state `file` (overrides the configuration's state): generated keys are beside it")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: gslb dnssec ds -config FILE [-state FILE] ZONE")
		return 2
	}
	origin := strings.ToLower(pos[0])
	if !strings.HasSuffix(origin, ".") {
		origin += "."
	}
	cfg, err := config.Load(*configFile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *statePath != "" {
		cfg.State = *statePath
	}
	store := zones.NewStore(cfg, dns.ParseRecord, slog.New(slog.DiscardHandler), nil)
	store.SetKeyLoader(dns.KeyLoader(dns.KeyOptions{Dir: dns.KeyDir(cfg.State)}))
	loadErr := store.Reload()
	z := store.Current().Zone(origin)
	if z == nil {
		fmt.Fprintf(stderr, "gslb dnssec ds: zone %s is not served by %s\n", origin, *configFile)
		if loadErr != nil {
			fmt.Fprintf(stderr, "zone files with errors:\n%v\n", loadErr)
		}
		return 1
	}
	ds, err := dns.DSRecords(z)
	if err != nil {
		fmt.Fprintf(stderr, "gslb dnssec ds: %v\n", err)
		return 1
	}
	for _, d := range ds {
		fmt.Fprintln(stdout, d)
	}
	return 0
}
