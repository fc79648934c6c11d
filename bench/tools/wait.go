package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/miekg/dns"
)

// waitCmd polls a DNS server with NAME A until it gives a NOERROR answer,
// at most -tries times, -interval apart: readiness by a real query rather
// than a fixed sleep.
func waitCmd(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	server := fs.String("server", "", "server address, host:port (loopback only)")
	name := fs.String("name", "", "name to ask for (type A)")
	tries := fs.Int("tries", 150, "queries before giving up")
	interval := fs.Duration("interval", 100*time.Millisecond, "pause between queries")
	fs.Parse(args)
	if err := mustLoopback(*server); err != nil {
		return err
	}
	c := &dns.Client{Net: "udp", Timeout: 200 * time.Millisecond}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(*name), dns.TypeA)
	m.RecursionDesired = false
	var last error
	for i := range *tries {
		r, _, err := c.Exchange(m, *server)
		if err == nil && r.Rcode == dns.RcodeSuccess && len(r.Answer) > 0 {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("rcode %s, %d answers", dns.RcodeToString[r.Rcode], len(r.Answer))
		}
		last = err
		if i+1 < *tries {
			time.Sleep(*interval)
		}
	}
	return fmt.Errorf("%s did not answer %s A after %d tries: %v", *server, *name, *tries, last)
}
