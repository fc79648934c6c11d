package main

import (
	"github.com/gslb/gslb/config"
	"github.com/gslb/gslb/dns"
)

// dnsProtection returns the DNS server's RRL and cookie settings of
// [rrl] and [cookies], which a reload applies.
func dnsProtection(c *config.Config) (dns.RRLConfig, dns.CookieConfig) {
	r := c.RRL
	rrl := dns.RRLConfig{
		ResponsesPerSecond: r.ResponsesPerSecond,
		Window:             r.Window,
		Slip:               r.Slip,
		IPv4Prefix:         r.IPv4Prefix,
		IPv6Prefix:         r.IPv6Prefix,
		Exempt:             r.Exempt,
		DryRun:             r.DryRun,
	}
	cookies := dns.CookieConfig{Disabled: !c.Cookies.Enabled}
	for _, s := range c.Cookies.Secrets {
		cookies.Secrets = append(cookies.Secrets, dns.CookieSecret(s))
	}
	return rrl, cookies
}
