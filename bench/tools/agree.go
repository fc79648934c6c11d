package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/oschwald/maxminddb-golang/v2"
)

// agreeCmd asks two servers (gslb and gdnsd) for www.ZONE A with the same
// ECS subnets, maps the answered addresses to datacenters, and counts how
// often both chose the same datacenter and how their ECS scopes compare.
func agreeCmd(args []string) error {
	fs := flag.NewFlagSet("agree", flag.ExitOnError)
	gslb := fs.String("gslb", "", "gslb server address, host:port (loopback only)")
	gdnsd := fs.String("gdnsd", "", "gdnsd server address, host:port (loopback only)")
	zone := fs.String("zone", "example.com.", "zone of www")
	dcmapFile := fs.String("dcmap", "", `file of lines "DC ADDR..." mapping answer addresses to datacenters`)
	mmdb := fs.String("mmdb", "", "GeoIP2 City database to draw client subnets from")
	n := fs.Int("n", 500, "client subnets")
	seed := fs.Uint64("seed", 2, "random seed")
	v6 := fs.Int("v6", 40, "percent of IPv6 subnets")
	examples := fs.Int("examples", 8, "disagreements to list")
	out := fs.String("out", "", "also write the Markdown summary to this file")
	fs.Parse(args)
	for _, s := range []string{*gslb, *gdnsd} {
		if err := mustLoopback(s); err != nil {
			return err
		}
	}
	dcOf, err := readDCMap(*dcmapFile)
	if err != nil {
		return err
	}
	nets, err := loadNetworks(*mmdb)
	if err != nil {
		return err
	}
	geo, err := maxminddb.Open(*mmdb)
	if err != nil {
		return err
	}
	defer geo.Close()
	d := newDrawer(nets, *seed, *v6)
	name := "www." + dns.Fqdn(*zone)

	type famStats struct {
		n, same, differ, failed        int
		wider, equal, narrower         int
		sumScopeGslb, sumScopeGdnsd    int
		scopeAboveSrcG, scopeAboveSrcD int
	}
	var st [2]famStats // 0: IPv4, 1: IPv6
	var diffs, scopeDiffs []string
	for range *n {
		subnet := d.subnet()
		fam := 0
		if subnet.Addr().Is6() {
			fam = 1
		}
		s := &st[fam]
		s.n++
		ag, err1 := ask(*gslb, name, subnet, dcOf)
		ad, err2 := ask(*gdnsd, name, subnet, dcOf)
		if err1 != nil || err2 != nil {
			s.failed++
			if len(diffs) < *examples {
				diffs = append(diffs, fmt.Sprintf("%s: gslb %v / gdnsd %v", subnet, errOr(ag.dc, err1), errOr(ad.dc, err2)))
			}
			continue
		}
		if ag.dc == ad.dc {
			s.same++
		} else {
			s.differ++
			if len(diffs) < *examples {
				diffs = append(diffs, fmt.Sprintf("%s (%s): gslb %s /%d, gdnsd %s /%d", subnet, where(geo, subnet), ag.dc, ag.scope, ad.dc, ad.scope))
			}
		}
		switch {
		case ag.scope < ad.scope:
			s.wider++
		case ag.scope == ad.scope:
			s.equal++
		default:
			s.narrower++
		}
		if ag.scope != ad.scope && len(scopeDiffs) < *examples {
			scopeDiffs = append(scopeDiffs, fmt.Sprintf("%s (%s): gslb %s /%d, gdnsd %s /%d", subnet, where(geo, subnet), ag.dc, ag.scope, ad.dc, ad.scope))
		}
		s.sumScopeGslb += ag.scope
		s.sumScopeGdnsd += ad.scope
		if ag.scope > subnet.Bits() {
			s.scopeAboveSrcG++
		}
		if ad.scope > subnet.Bits() {
			s.scopeAboveSrcD++
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "Same ECS subnets asked of both servers (%d, seed %d, `www.%s A`):\n\n", *n, *seed, dns.Fqdn(*zone))
	fmt.Fprintln(&b, "| family | subnets | same datacenter | different | failed | gslb scope wider / equal / narrower | mean scope gslb / gdnsd | scope > source gslb / gdnsd |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---|---|---|")
	var tot famStats
	for i, s := range st {
		fam := []string{"IPv4 (/24)", "IPv6 (/48, /56)"}[i]
		answered := s.n - s.failed
		fmt.Fprintf(&b, "| %s | %d | %d (%s) | %d | %d | %d / %d / %d | %s / %s | %d / %d |\n", fam, s.n,
			s.same, pctOf(s.same, answered), s.differ, s.failed, s.wider, s.equal, s.narrower,
			mean(s.sumScopeGslb, answered), mean(s.sumScopeGdnsd, answered), s.scopeAboveSrcG, s.scopeAboveSrcD)
		tot.n += s.n
		tot.same += s.same
		tot.differ += s.differ
		tot.failed += s.failed
		tot.wider += s.wider
		tot.equal += s.equal
		tot.narrower += s.narrower
	}
	fmt.Fprintf(&b, "| all | %d | %d (%s) | %d | %d | %d / %d / %d | | |\n", tot.n, tot.same, pctOf(tot.same, tot.n-tot.failed),
		tot.differ, tot.failed, tot.wider, tot.equal, tot.narrower)
	if len(diffs) > 0 {
		fmt.Fprintf(&b, "\nDifferent datacenters (first %d):\n\n", len(diffs))
		for _, s := range diffs {
			fmt.Fprintf(&b, "- %s\n", s)
		}
	}
	if len(scopeDiffs) > 0 {
		fmt.Fprintf(&b, "\nDifferent scopes (first %d):\n\n", len(scopeDiffs))
		for _, s := range scopeDiffs {
			fmt.Fprintf(&b, "- %s\n", s)
		}
	}
	fmt.Print(b.String())
	if *out != "" {
		return os.WriteFile(*out, []byte(b.String()), 0o644)
	}
	return nil
}

type answer struct {
	dc    string
	scope int
}

// ask queries server for name A with an ECS option for subnet (UDP, two
// tries) and returns the datacenter of the answered addresses and the ECS
// scope prefix length of the answer.
func ask(server, name string, subnet netip.Prefix, dcOf map[netip.Addr]string) (answer, error) {
	c := &dns.Client{Net: "udp", Timeout: time.Second}
	m := query(name, dns.TypeA, subnet)
	m.Id = dns.Id()
	var r *dns.Msg
	var err error
	for range 2 {
		if r, _, err = c.Exchange(m, server); err == nil {
			break
		}
	}
	if err != nil {
		return answer{}, err
	}
	if r.Rcode != dns.RcodeSuccess {
		return answer{}, fmt.Errorf("rcode %s", dns.RcodeToString[r.Rcode])
	}
	var a answer
	if opt := r.IsEdns0(); opt != nil {
		for _, o := range opt.Option {
			if e, ok := o.(*dns.EDNS0_SUBNET); ok {
				a.scope = int(e.SourceScope)
			}
		}
	}
	var dcs []string
	for _, rr := range r.Answer {
		rec, ok := rr.(*dns.A)
		if !ok {
			continue
		}
		addr, _ := netip.AddrFromSlice(rec.A.To4())
		dc, ok := dcOf[addr]
		if !ok {
			dc = "?" + addr.String()
		}
		if !slices.Contains(dcs, dc) {
			dcs = append(dcs, dc)
		}
	}
	if len(dcs) == 0 {
		return a, fmt.Errorf("no A records")
	}
	slices.Sort(dcs)
	a.dc = strings.Join(dcs, "+")
	return a, nil
}

func readDCMap(path string) (map[netip.Addr]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[netip.Addr]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		for _, s := range fields[1:] {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			m[a] = fields[0]
		}
	}
	return m, sc.Err()
}

// where describes the database's location of the subnet's address.
func where(db *maxminddb.Reader, subnet netip.Prefix) string {
	var rec struct {
		City struct {
			Names map[string]string `maxminddb:"names"`
		} `maxminddb:"city"`
		Country struct {
			ISOCode string `maxminddb:"iso_code"`
		} `maxminddb:"country"`
		Location struct {
			Latitude  *float64 `maxminddb:"latitude"`
			Longitude *float64 `maxminddb:"longitude"`
		} `maxminddb:"location"`
	}
	res := db.Lookup(subnet.Addr())
	if !res.Found() {
		return "not in the database"
	}
	if err := res.Decode(&rec); err != nil {
		return err.Error()
	}
	s := rec.City.Names["en"]
	if s == "" {
		s = "country " + rec.Country.ISOCode
	}
	if rec.Location.Latitude != nil && rec.Location.Longitude != nil {
		s += fmt.Sprintf(" %.4f,%.4f", *rec.Location.Latitude, *rec.Location.Longitude)
	} else {
		s += ", no coordinates"
	}
	return s + " in " + res.Prefix().String()
}

func errOr(s string, err error) string {
	if err != nil {
		return err.Error()
	}
	return s
}

func pctOf(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

func mean(sum, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(sum)/float64(n))
}
