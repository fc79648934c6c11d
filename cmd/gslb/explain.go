package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
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
	asJSON := fs.Bool("json", false, "print a JSON document instead of the text")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gslb explain -config FILE NAME CLIENT[/PREFIX] [A|AAAA]")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
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
		if *asJSON {
			return printJSON(stdout, explainDoc{Name: qname, Type: qtype, Client: client.String(), SourcePrefix: bits, Lookup: ans.Outcome.String(), Ranking: []explainMember{}})
		}
		fmt.Fprintf(stdout, "%s is not a GSLB name (lookup: %s); its answer does not depend on the client\n", qname, ans.Outcome)
		return 0
	}
	name := ans.GSLB
	r := route.New(route.Options{Geo: geoDB, Health: hs})
	r.BuildFor(name.Pool)
	e := r.Explain(name, fam, client, bits)
	if *asJSON {
		return printJSON(stdout, newExplainDoc(qname, qtype, ans.GSLBOwner, e, describeLocation(e.Location, geoDB != nil), healthNote, describeScope(e, client, bits)))
	}

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

// explainDoc is the document `gslb explain -json` prints.
type explainDoc struct {
	Name         string          `json:"name"`
	Type         string          `json:"type"`
	Client       string          `json:"client"`
	SourcePrefix int             `json:"source_prefix"` // 0: no ECS
	GSLB         bool            `json:"gslb"`          // a geo-routed name; false: the answer does not depend on the client
	Lookup       string          `json:"lookup"`        // the zone lookup's outcome
	Via          string          `json:"via,omitempty"` // the GSLB name a CNAME chain led to
	Location     string          `json:"location,omitempty"`
	Health       string          `json:"health,omitempty"`
	FromTable    bool            `json:"from_table"`
	Pool         string          `json:"pool,omitempty"`
	Family       string          `json:"family,omitempty"`
	Ranking      []explainMember `json:"ranking"`
	Decision     string          `json:"decision,omitempty"`
	Answer       *explainAnswer  `json:"answer,omitempty"`
}

// explainMember is one ranked datacenter.
type explainMember struct {
	Rank       int      `json:"rank"`
	Datacenter string   `json:"datacenter"`
	DistanceKM *float64 `json:"distance_km,omitempty"` // absent without coordinates
	CNAME      string   `json:"cname,omitempty"`
	Eligible   bool     `json:"eligible"` // has addresses of the family, or a CNAME
	Up         bool     `json:"up"`
	Drained    bool     `json:"drained"`
	AddrsUp    int      `json:"addrs_up"`
	Addrs      []string `json:"addrs"`
	Override   string   `json:"override,omitempty"`
	Chosen     bool     `json:"chosen"`
	Note       string   `json:"note,omitempty"`
}

// explainAnswer is the decision as answered.
type explainAnswer struct {
	Outcome    string   `json:"outcome"`
	Reason     string   `json:"reason"`
	Datacenter string   `json:"datacenter,omitempty"`
	Addrs      []string `json:"addrs"`
	CNAME      string   `json:"cname,omitempty"`
	TTL        uint32   `json:"ttl"`
	Scope      int      `json:"ecs_scope"`
	ScopeNote  string   `json:"ecs_scope_note"`
}

func newExplainDoc(qname, qtype, owner string, e route.Explanation, location, healthNote, scope string) explainDoc {
	d := explainDoc{
		Name: qname, Type: qtype, Client: e.Client.String(), SourcePrefix: e.SourceBits,
		GSLB: true, Lookup: zones.GSLB.String(), Location: location, Health: healthNote,
		FromTable: e.FromTable, Pool: e.Trace.Pool, Family: e.Trace.Family.String(),
		Ranking: []explainMember{}, Decision: e.Trace.Decision,
	}
	if owner != qname {
		d.Via = owner
	}
	for i, m := range e.Trace.Members {
		em := explainMember{
			Rank: i + 1, Datacenter: m.Datacenter, CNAME: m.CNAME, Eligible: m.Eligible, Up: m.Up,
			Drained: m.Drained, AddrsUp: m.AddrsUp, Addrs: []string{}, Override: m.Override, Chosen: m.Chosen, Note: m.Note,
		}
		if m.HasKM {
			km := math.Round(m.KM*10) / 10
			em.DistanceKM = &km
		}
		for _, a := range m.Addrs {
			em.Addrs = append(em.Addrs, a.Addr.String())
		}
		d.Ranking = append(d.Ranking, em)
	}
	dec := e.Decision
	a := &explainAnswer{Outcome: dec.Outcome.String(), Reason: dec.Reason.String(), Addrs: []string{}, CNAME: dec.CNAME, TTL: dec.TTL, Scope: dec.Scope, ScopeNote: scope}
	if dec.Pool != nil && dec.Member >= 0 && dec.Member < len(dec.Pool.Members) {
		a.Datacenter = dec.Pool.Members[dec.Member].Datacenter.Name
	}
	for _, ad := range dec.Addrs {
		a.Addrs = append(a.Addrs, ad.String())
	}
	d.Answer = a
	return d
}
