package main

import (
	"fmt"
	"time"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// configReload is the outcome of the last load of the server
// configuration: at start, then at every reload (SIGHUP, the control API).
// gslb_config_last_reload_successful and
// gslb_config_last_reload_success_timestamp_seconds report the whole
// reload (server.reload: this, the zone files and the GeoIP databases), so
// a configuration that is not applied sets them to 0 too.
type configReload struct {
	OK          bool      // the last load was applied
	At          time.Time // when the last load was tried
	LastSuccess time.Time // when a load was last applied
	Err         error     // why the last load was not applied; nil when OK
}

// ConfigReload returns the outcome of the last load of the server
// configuration. It is safe to call at any time, from any goroutine.
func (s *server) ConfigReload() configReload { return *s.lastReload.Load() }

// reloadConfig reads the server configuration file again and, when it is
// valid and every serving zone compiles against it, puts it in force:
// datacenters, checks, maps, server pools (every zone is compiled again,
// the router rebuilds its tables, the monitor probes the new targets and
// applies changed checks to the kept ones), [health] (the monitor's
// limits: probe slots, staleness, start wait), the zones directory (read
// by the zones reload that follows), the DNS limits, the query log and the
// log level. Settings
// read only at start keep their running value, with a warning per changed
// key. Otherwise the running configuration stays, and every problem is
// logged with its position and returned.
func (s *server) reloadConfig() error {
	running := s.zones.Config()
	next, err := config.Load(running.File)
	if err == nil {
		if s.opts.State != "" {
			next.State = s.opts.State
		}
		applied, fixed := config.Reloaded(running, next)
		// The token file is read again (a rotated token applies on reload),
		// then other GeoIP files: if either fails, nothing is applied.
		var token, readTok string
		token, readTok, err = readTokens(applied.Control)
		if err != nil {
			err = fmt.Errorf("%s: %w", next.File, err)
		}
		if err == nil {
			err = s.setGeoIPFiles(running, applied)
		}
		// Tried before the warnings, so that they are not logged for a
		// configuration that is not applied.
		if err == nil {
			if err = s.zones.SetConfig(applied); err != nil {
				_ = s.setGeoIPFiles(applied, running) // back to the files that were serving
			}
		}
		if err == nil {
			for _, key := range fixed {
				s.log.Warn("server configuration: restart needed to apply a change; the running value is kept", "key", key, "file", running.File)
			}
			if s.opts.Level != nil {
				setLevel(s.opts.Level, applied.LogLevel)
			}
			s.zones.SetDir(applied.ZonesDir) // read by the zones reload that follows
			if s.dns != nil {
				s.dns.SetLimits(dnsLimits(applied))
				if applied.DNSTap != running.DNSTap {
					s.dns.SetTap(tapConfig(applied.DNSTap))
					s.log.Info("query log changed", "dnstap", dnstapTarget(applied.DNSTap))
				}
				s.dns.SetProtection(dnsProtection(applied))
			}
			s.mon.SetLimits(healthLimits(applied))
			if s.api != nil {
				s.api.SetToken(token)
				s.api.SetReadToken(readTok)
			}
			s.recordReload(nil)
			s.log.Info("server configuration reloaded", "file", running.File, "datacenters", len(applied.Datacenters), "checks", len(applied.Checks), "zones", len(s.zones.Current().Zones()))
			return nil
		}
	}
	for _, e := range tomlcheck.Errors(err) {
		s.log.Error("server configuration not applied: the running one stays", "error", e.Error())
	}
	s.recordReload(err)
	return err
}

// recordReload records the outcome of a configuration load.
func (s *server) recordReload(err error) {
	prev := s.lastReload.Load()
	r := &configReload{OK: err == nil, At: time.Now(), LastSuccess: prev.LastSuccess, Err: err}
	if r.OK {
		r.LastSuccess = r.At
	}
	s.lastReload.Store(r)
}

// setGeoIPFiles opens the GeoIP databases of next when they are other files
// than those of running; the error names the file that does not load.
func (s *server) setGeoIPFiles(running, next *config.Config) error {
	if s.geoDB == nil || (running.GeoIP.City == next.GeoIP.City && running.GeoIP.ASN == next.GeoIP.ASN) {
		return nil
	}
	if err := s.geoDB.SetFiles(next.GeoIP.City, next.GeoIP.ASN); err != nil {
		return fmt.Errorf("%s: geoip: %w", next.File, err)
	}
	return nil
}

// dnstapTarget names where [dnstap] sends the query log: "none" without
// the table.
func dnstapTarget(d config.DNSTap) string {
	switch {
	case d.Socket != "":
		return "unix:" + d.Socket
	case d.Address != "":
		return "tcp:" + d.Address
	}
	return "none"
}
