package main

import (
	"errors"
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

// checkReport is the document `gslb check -json` prints.
type checkReport struct {
	OK          bool           `json:"ok"` // no errors (warnings allowed)
	Errors      []checkProblem `json:"errors"`
	Warnings    []checkProblem `json:"warnings"`
	Zones       int            `json:"zones"`
	Names       int            `json:"gslb_names"`
	Datacenters int            `json:"datacenters"`
	Checks      int            `json:"checks"`
}

// checkProblem is one error or warning with its position.
type checkProblem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	Text    string `json:"text"` // as printed: file:line:col: key.path: message
}

func problems(l tomlcheck.ErrorList) []checkProblem {
	out := make([]checkProblem, len(l))
	for i, e := range l {
		out[i] = checkProblem{File: e.Pos.File, Line: e.Pos.Line, Col: e.Pos.Col, Path: e.Path, Message: e.Msg, Text: e.Error()}
	}
	return out
}

// checkCmd loads and validates everything and prints every problem, sorted.
func checkCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", defaultConfig, "server configuration `file`")
	asJSON := fs.Bool("json", false, "print a JSON document: ok, errors, warnings and counts")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gslb check: unexpected arguments: %v\n", fs.Args())
		return 2
	}
	rep := checkReport{Errors: []checkProblem{}, Warnings: []checkProblem{}}
	errs, warns, set, cfg := runCheck(*configFile)
	rep.Errors, rep.Warnings = problems(errs), problems(warns)
	rep.OK = len(errs) == 0
	if cfg != nil {
		rep.Datacenters, rep.Checks = len(cfg.Datacenters), len(cfg.Checks)
	}
	if set != nil && rep.OK {
		rep.Zones = len(set.Zones())
		for _, z := range set.Zones() {
			rep.Names += len(z.Names())
		}
	}
	code := 0
	if !rep.OK {
		code = 1
	}
	if *asJSON {
		if printJSON(stdout, rep) != 0 {
			return 1
		}
		return code
	}
	for _, e := range errs {
		fmt.Fprintln(stdout, e)
	}
	for _, w := range warns {
		fmt.Fprintln(stdout, w)
	}
	if rep.OK {
		fmt.Fprintf(stdout, "ok: %d zones, %d GSLB names, %d datacenters, %d checks", rep.Zones, rep.Names, rep.Datacenters, rep.Checks)
		if len(warns) > 0 {
			fmt.Fprintf(stdout, ", %d warnings", len(warns))
		}
		fmt.Fprintln(stdout)
	}
	return code
}

// runCheck loads the configuration at path, its zone files and GeoIP
// databases, and returns the errors and the warnings, each sorted, with
// the zone set that loaded and the configuration (nil when it did not
// load).
func runCheck(path string) (errs, warns tomlcheck.ErrorList, set *zones.Set, cfg *config.Config) {
	cfg, err := config.Load(path)
	if err != nil {
		return tomlcheck.Errors(err), nil, nil, nil
	}
	store := zones.NewStore(cfg, dns.ParseRecord, slog.New(slog.DiscardHandler), nil)
	// Key files are read and checked; a generated key is made by gslb
	// serve, not here.
	store.SetKeyLoader(dns.KeyLoader(dns.KeyOptions{Dir: dns.KeyDir(cfg.State), AllowMissing: true}))
	errs = append(errs, tomlcheck.Errors(store.Reload())...)
	if cfg.GeoIP.City != "" {
		if _, err := mmdb.Open(cfg.GeoIP.City, cfg.GeoIP.ASN, slog.New(slog.DiscardHandler)); err != nil {
			errs.Add(tomlcheck.Position{File: cfg.File}, "geoip", "%v", err)
		}
	}
	if cfg.GeoIP.City == "" {
		warns.Add(tomlcheck.Position{File: cfg.File, Line: 1, Col: 1}, "", "warning: no [geoip] city database: every client's location is unknown, so every pool answers in member order")
	}
	if files, err := zones.ZoneFiles(cfg.ZonesDir); err == nil && len(files) == 0 {
		warns.Add(tomlcheck.Position{File: cfg.ZonesDir}, "", "warning: the zones directory has no zone files (*.toml): nothing would be served")
	}
	for _, z := range store.Current().Zones() {
		warns = append(warns, z.Warnings()...)
	}
	errs.Sort()
	warns.Sort()
	return errs, warns, store.Current(), cfg
}
