package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"

	"github.com/miekg/dns"
)

// queriesCmd writes a query file in dnsperf's binary format (-B): every
// record is a 2-byte big-endian length followed by a DNS message in wire
// format, whose first two bytes (the ID) dnsperf overwrites. Every message
// carries EDNS (UDP size 1232) and an ECS option, which dnsperf cannot add in
// binary mode (-e/-E are exclusive with -B).
func queriesCmd(args []string) error {
	fs := flag.NewFlagSet("queries", flag.ExitOnError)
	mmdb := fs.String("mmdb", "", "GeoIP2 City database to draw client subnets from")
	zone := fs.String("zone", "example.com.", "zone of the geo-routed name www")
	n := fs.Int("n", 100000, "queries to write")
	seed := fs.Uint64("seed", 1, "random seed")
	v6 := fs.Int("v6", 40, "percent of IPv6 ECS subnets")
	static := fs.Int("static", 3, "percent of static-name queries")
	nx := fs.Int("nx", 2, "percent of NXDOMAIN queries")
	do := fs.Int("do", 0, "percent of queries with the DO bit (drawn apart: the same seed gives the same queries with any -do)")
	cookie := fs.Int("cookie", 0, "percent of queries with a DNS client cookie (8 random octets, no server cookie; drawn apart like -do)")
	out := fs.String("out", "", "output file")
	fs.Parse(args)
	if *mmdb == "" || *out == "" {
		return fmt.Errorf("-mmdb and -out are required")
	}
	origin := dns.Fqdn(*zone)
	nets, err := loadNetworks(*mmdb)
	if err != nil {
		return err
	}
	d := newDrawer(nets, *seed, *v6)
	mix := rand.New(rand.NewPCG(*seed+1, 7))
	doMix := rand.New(rand.NewPCG(*seed+2, 9))
	cookieMix := rand.New(rand.NewPCG(*seed+3, 11))
	statics := []struct {
		name  string
		qtype uint16
	}{
		{origin, dns.TypeSOA}, {origin, dns.TypeNS}, {origin, dns.TypeMX},
		{origin, dns.TypeTXT}, {"ns1." + origin, dns.TypeA}, {"mail." + origin, dns.TypeA},
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	var counts struct{ www4, www6, static, nx, do, cookie int }
	var lenbuf [2]byte
	for range *n {
		name, qtype := "www."+origin, dns.TypeA
		switch r := mix.IntN(100); {
		case r < *static:
			s := statics[mix.IntN(len(statics))]
			name, qtype = s.name, s.qtype
			counts.static++
		case r < *static+*nx:
			name = fmt.Sprintf("nx%06x.%s", mix.Uint32()&0xffffff, origin)
			counts.nx++
		}
		subnet := d.subnet()
		if name == "www."+origin {
			if subnet.Addr().Is4() {
				counts.www4++
			} else {
				counts.www6++
			}
		}
		m := query(name, qtype, subnet)
		if doMix.IntN(100) < *do {
			m.IsEdns0().SetDo()
			counts.do++
		}
		if cookieMix.IntN(100) < *cookie {
			opt := m.IsEdns0()
			opt.Option = append(opt.Option, &dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: fmt.Sprintf("%016x", cookieMix.Uint64())})
			counts.cookie++
		}
		wire, err := m.Pack()
		if err != nil {
			return err
		}
		binary.BigEndian.PutUint16(lenbuf[:], uint16(len(wire)))
		w.Write(lenbuf[:])
		w.Write(wire)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Printf("%s: %d queries: www A with IPv4 ECS %d, with IPv6 ECS %d, static names %d, NXDOMAIN %d, with DO %d, with a client cookie %d (seed %d, %d IPv4 and %d IPv6 networks)\n",
		*out, *n, counts.www4, counts.www6, counts.static, counts.nx, counts.do, counts.cookie, *seed, len(nets.v4), len(nets.v6))
	return nil
}

// query builds a non-recursive query with EDNS and an ECS option for subnet.
func query(name string, qtype uint16, subnet netip.Prefix) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.Id = 0
	m.RecursionDesired = false
	m.SetEdns0(1232, false)
	ecs := &dns.EDNS0_SUBNET{
		Code:          dns.EDNS0SUBNET,
		SourceNetmask: uint8(subnet.Bits()),
		Address:       subnet.Addr().AsSlice(),
	}
	if subnet.Addr().Is4() {
		ecs.Family = 1
	} else {
		ecs.Family = 2
	}
	opt := m.IsEdns0()
	opt.Option = append(opt.Option, ecs)
	return m
}
