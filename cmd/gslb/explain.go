package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"

	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/dns"
	"github.com/gslb/gslb/geo"
	"github.com/gslb/gslb/geo/mmdb"
	"github.com/gslb/gslb/pick"
	"github.com/gslb/gslb/route"
	"github.com/gslb/gslb/zones"
)

// explainCmd prints how the server answers NAME for CLIENT[/PREFIX]: the
// client's location, the ranked datacenters with distances and health, the
// decision, the answer, its TTL and ECS scope. It runs the server's code.
func explainCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "gslb.toml", "server configuration `file`")
	control := fs.String("control", "", "control API `address` of the running server, for live health (default: the config's control.listen)")
	noHealth := fs.Bool("no-health", false, "do not ask the running server for health: count every target up")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gslb explain -config FILE NAME CLIENT[/PREFIX] [A|AAAA]")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) < 2 || len(pos) > 3 {
		fs.Usage()
		return 2
	}
	qname := strings.ToLower(pos[0])
	if !strings.HasSuffix(qname, ".") {
		qname += "."
	}
	client, bits, err := parseClient(pos[1])
	if err != nil {
		fmt.Fprintf(stderr, "gslb explain: %v\n", err)
		return 2
	}
	fam := pick.IPv4
	qtype := "A"
	if len(pos) == 3 {
		qtype = strings.ToUpper(pos[2])
		switch qtype {
		case "A":
		case "AAAA":
			fam = pick.IPv6
		default:
			fmt.Fprintf(stderr, "gslb explain: type %q: want A or AAAA\n", pos[2])
			return 2
		}
	}

	cfg, err := config.Load(*configFile)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	store := zones.NewStore(cfg, dns.ParseRecord, slog.New(slog.DiscardHandler), nil)
	if err := store.Reload(); err != nil {
		fmt.Fprintf(stderr, "warning: zone files have errors (gslb check lists them); explaining the zones that load\n")
	}
	var geoDB route.GeoSource
	if cfg.GeoIP.City != "" {
		db, err := mmdb.Open(cfg.GeoIP.City, cfg.GeoIP.ASN, nil)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		geoDB = db
	}
	var hs route.HealthSource
	healthNote := "every target counted up (-no-health)"
	if !*noHealth {
		addr := *control
		if addr == "" {
			addr = cfg.Control.Listen
		}
		snap, err := fetchHealth(addr, cfg.Control.TokenFile)
		if err != nil {
			healthNote = fmt.Sprintf("no live health (%v): every target counted up", err)
		} else {
			hs = staticHealth{snap}
			healthNote = "live, from the server at " + addr
		}
	}
	set := store.Current()
	var ans zones.Answer
	set.Lookup(qname, map[pick.Family]uint16{pick.IPv4: zones.TypeA, pick.IPv6: zones.TypeAAAA}[fam], &ans)
	if ans.Outcome != zones.GSLB {
		fmt.Fprintf(stdout, "%s is not a GSLB name (lookup: %s); its answer does not depend on the client\n", qname, ans.Outcome)
		return 0
	}
	name := ans.GSLB
	r := route.New(route.Options{Geo: geoDB, Health: hs})
	r.BuildFor(name.Pool)
	e := r.Explain(name, fam, client, bits)

	w := func(format string, a ...any) { fmt.Fprintf(stdout, format, a...) }
	src := "no ECS: the resolver's own address"
	if bits > 0 {
		src = fmt.Sprintf("ECS source prefix /%d", bits)
	}
	w("query     %s %s from %s (%s)\n", qname, qtype, client, src)
	if ans.GSLBOwner != qname {
		w("via       CNAME chain to %s\n", ans.GSLBOwner)
	}
	if e.Embedding != geo.NotEmbedded {
		w("located   by %s (%s)\n", e.Located, e.Embedding)
	}
	w("location  %s\n", describeLocation(e.Location, geoDB != nil))
	w("health    %s\n", healthNote)
	w("ranking   %s\n\n", map[bool]string{true: "precomputed table (as the server answers)", false: "direct from the database lookup"}[e.FromTable])
	w("%s\n", strings.TrimRight(e.Trace.String(), "\n"))
	w("\nanswer    %s\n", describeAnswer(ans.GSLBOwner, e.Decision, qtype))
	w("reason    %s\n", e.Decision.Reason)
	ttlNote := "the name's ttl"
	if e.Decision.Degraded() {
		ttlNote = "degraded_ttl: " + e.Decision.Reason.String() + " answer"
	}
	w("ttl       %d (%s)\n", e.Decision.TTL, ttlNote)
	w("ecs scope %s\n", describeScope(e, client, bits))
	return 0
}

// describeScope says the ECS scope of the answer and why it has that
// length: the network around the client that ranks alike, or the client
// subnet a hash-based choice (sticky, spill, ramp-up) keyed on.
func describeScope(e route.Explanation, client netip.Addr, bits int) string {
	if bits == 0 {
		return "none (the query had no ECS option)"
	}
	d := e.Decision
	within := netip.PrefixFrom(client, d.Scope).Masked()
	if d.MinScope > e.RankBits {
		return fmt.Sprintf("/%d (the choice hashes the client's subnet %s; the ranking alone holds for /%d)", d.Scope, within, e.RankBits)
	}
	if d.Pool != nil && d.Pool.Policy == pick.Weighted && e.RankBits == 0 {
		return fmt.Sprintf("/%d (a weighted random draw: the same chances for every client)", d.Scope)
	}
	s := fmt.Sprintf("/%d (every client in %s gets this ranking", d.Scope, within)
	if d.MinScope > 0 {
		s += fmt.Sprintf("; the choice hashes the client's /%d, which is wider", d.MinScope)
	}
	return s + ")"
}

func parseClient(s string) (netip.Addr, int, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Addr{}, 0, fmt.Errorf("client %q: %w", s, err)
		}
		return p.Masked().Addr(), p.Bits(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("client %q: %w", s, err)
	}
	return a, 0, nil
}

func describeLocation(l geo.Location, haveDB bool) string {
	if !haveDB {
		return "unknown: no GeoIP database configured"
	}
	if !l.Known() {
		return "unknown: the database has no network for this address (configuration order)"
	}
	var parts []string
	place := strings.Join(nonEmpty(l.City, strings.Join(l.Subdivisions, "-"), l.Country, l.Continent), ", ")
	if place != "" {
		parts = append(parts, place)
	}
	if l.HasCoordinates {
		parts = append(parts, fmt.Sprintf("%.4f,%.4f ±%d km", l.Lat, l.Lon, l.AccuracyRadius))
	} else {
		parts = append(parts, "no coordinates (configuration order)")
	}
	if l.ASN != 0 {
		parts = append(parts, fmt.Sprintf("AS%d %s", l.ASN, l.ASOrg))
	}
	parts = append(parts, "database network "+l.Network.String())
	return strings.Join(parts, "; ")
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func describeAnswer(owner string, a pick.Decision, qtype string) string {
	switch a.Outcome {
	case pick.Addresses:
		lines := make([]string, len(a.Addrs))
		for i, ad := range a.Addrs {
			lines[i] = fmt.Sprintf("%s %d IN %s %s", owner, a.TTL, qtype, ad)
		}
		return strings.Join(lines, "\n          ")
	case pick.CNAME:
		return fmt.Sprintf("%s %d IN CNAME %s", owner, a.TTL, a.CNAME)
	case pick.NoData:
		return "NOERROR, no " + qtype + " records (NODATA, SOA in authority)"
	case pick.ServFail:
		return "SERVFAIL (when_all_down = \"servfail\")"
	}
	return a.Outcome.String()
}
