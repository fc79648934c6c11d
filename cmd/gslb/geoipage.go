package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/gslb/gslb/geo/mmdb"
)

// staleGeoIP returns the databases of in older than maxAge at now, by
// their build time.
func staleGeoIP(in mmdb.Info, maxAge time.Duration, now time.Time) []mmdb.FileInfo {
	var out []mmdb.FileInfo
	for _, f := range []mmdb.FileInfo{in.City, in.ASN} {
		if f.Path != "" && !f.BuildTime.IsZero() && now.Sub(f.BuildTime) > maxAge {
			out = append(out, f)
		}
	}
	return out
}

// watchGeoIPAge warns at start and after every reload of the GeoIP
// databases when one is older than maxAge (read at each check: a reload of
// the configuration may change it), until ctx ends.
func watchGeoIPAge(ctx context.Context, db *mmdb.DB, maxAgeOf func() time.Duration, log *slog.Logger) {
	for {
		maxAge := maxAgeOf()
		snap := db.Snapshot()
		for _, f := range staleGeoIP(snap.Info(), maxAge, time.Now()) {
			log.Warn("GeoIP database is older than [geoip] max_age: is geoipupdate running?",
				"file", f.Path, "built", f.BuildTime.Format(time.RFC3339),
				"age", time.Since(f.BuildTime).Round(time.Hour).String(), "max_age", maxAge.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-snap.Replaced():
		}
	}
}
