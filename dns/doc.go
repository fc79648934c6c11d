// Package dns is gslb's DNS front end and the only package that imports
// miekg/dns: the UDP and TCP listeners, the query handler, answer building
// (fresh records per response, never mutating shared ones), EDNS0, Client
// Subnet and truncation, and the mapping of lookup outcomes to rcodes. It
// also parses zone records (ParseRecord), so that zones stays free of the
// wire format.
package dns
