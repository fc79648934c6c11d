// Package dns is gslb's DNS front end and the only package that imports
// miekg/dns: the UDP and TCP listeners, the query handler, answer building,
// EDNS0, Client Subnet and truncation, and the mapping of lookup outcomes to
// rcodes. It also parses zone records (ParseRecord), so that zones stays
// free of the wire format.
//
// # Serving
//
// A Server serves every address of its Config on UDP and TCP:
//
//	srv := dns.NewServer(dns.Config{
//		Listen: []string{"192.0.2.53:53"},
//		Zones:  store,  // *zones.Store, or any ZoneSource
//		Router: router, // geo-routed names; nil answers them SERVFAIL
//	})
//	if err := srv.Listen(); err != nil { ... } // optional: addresses known early
//	go srv.Serve(ctx)                            // until ctx ends or Shutdown
//	<-srv.Ready()
//
// On Linux each address gets one UDP socket per core, bound with
// SO_REUSEPORT, and a socket bound to a specific address is read and
// answered in batches of up to 32 datagrams per system call
// (recvmmsg/sendmmsg), with a receive buffer of UDPReceiveBuffer. TCP
// connections live in a table capped overall and per client prefix: a
// new connection over a cap takes the place of the connection idle
// longest (never one answering a query). Each connection must send its
// first query within TCPFirstQueryTimeout, each later one within an idle
// timeout (cut under pressure), and read each answer within a write
// timeout, so that idle or stalled clients, from one host or many, cannot
// lock others out of TCP or exhaust the server.
//
// # Answers
//
// The handler reads queries from the wire itself, not through miekg/dns's
// unpacking, to keep what that normalises away: the question is echoed
// octet for octet (0x20 case included), and an EDNS Client Subnet option
// whose address is longer or shorter than its prefix is rejected. It
// follows the authoritative servers NSD and Knot:
//
//   - packets shorter than a header, and responses (QR set), get no reply,
//     nor does a TCP query whose question the message cuts short (the
//     connection is closed); opcodes other than QUERY get NOTIMP (NOTIFY:
//     REFUSED), with the question and the OPT record echoed; a query
//     without exactly one readable question, with records in its answer
//     or authority section, more than one OPT record or a malformed one,
//     or a TSIG that is not the last record gets FORMERR (one without a
//     question keeps its OPT record); EDNS versions other than 0 get
//     BADVERS; a TSIG-signed query gets NOTAUTH with a BADKEY TSIG (RFC
//     8945 5.2.2: we have no keys);
//   - class CH answers TXT (and ANY) for id.server. and hostname.bind.
//     with the NSID, for version.bind. and version.server. with Version,
//     when set, as NSD and Knot do; everything else in CH is REFUSED;
//   - classes other than IN, CH and ANY get REFUSED; QCLASS ANY is answered
//     from the IN data without AA (RFC 1034: a QCLASS=* answer is not
//     authoritative unless it covers every class); AXFR over UDP gets
//     NOTIMP, AXFR and IXFR of a served zone REFUSED, of any other name
//     NOTAUTH; names outside every served zone get REFUSED with the
//     Extended DNS Error "Not Authoritative" (RFC 8914) when the query
//     has EDNS;
//   - answers, NODATA and NXDOMAIN (with the zone's SOA carrying the
//     negative TTL) set AA, also after a CNAME chain; referrals clear it
//     and carry the NS set in authority and the glue in additional; RA is
//     never set, RD is copied, and so is EDNS's DO bit (RFC 3225);
//   - ANY answers one RRset (RFC 8482), over UDP and TCP, as NSD and Knot
//     do: the first by type, with its additional data;
//   - names are compressed case-insensitively into the question, which
//     is echoed octet for octet: owners and targets under the query name
//     show the query's case, as in NSD's and Knot's replies;
//   - a UDP answer is at most 512 octets without EDNS, else the smaller of
//     the client's payload size and Config.MaxUDPSize. What does not fit
//     is dropped by whole RRsets: additional data silently, a referral's
//     in-domain glue (RFC 9471) or any answer or authority record with TC
//     set (the answer then holds the question alone);
//   - NSID (RFC 5001) is sent to queries asking with an NSID option, and
//     an ECS option (RFC 7871) is echoed with scope 0, or with the
//     Router's scope for geo-routed answers.
//
// Shared zone records are never modified: records answered under another
// owner (wildcards) are copies.
//
// # DNSSEC
//
// Zones with a [dnssec] table are signed online. KeyLoader, given to the
// zone store, loads a zone's key pairs in BIND's format (or generates one
// ECDSA P-256 key in KeyOptions.Dir) when its file compiles, and the zone
// keeps the resulting signer. For a query with DO, the handler adds the
// apex DNSKEY RRset, the compact denial of existence of RFC 9824 (NXDOMAIN
// as NOERROR with an NSEC whose bitmap has NXNAME, or NXDOMAIN when the
// query sets CO; NODATA as an NSEC of the name's other types), a
// referral's DS or its denial, and the RRSIGs of every RRset of the answer
// and authority sections and of the additional section's authoritative
// data, not glue (dnssec_answer.go); truncation drops the additional
// RRSIGs first and never separates an RRset from its RRSIGs (pack.go).
// Signatures come from a sharded, bounded cache keyed by the RRset's
// content, filled outside any lock, concurrent misses of one RRset
// coalesced into one signing (dnssec_cache.go, dnssec_sign.go); a
// signature that cannot be made is SERVFAIL for that query, counted, and
// logged at most every 30 s (dnssec_faillog.go). DSRecords gives the DS records for the
// parent. Queries without DO are answered as from an unsigned zone.
//
// # Protection
//
// DNS Cookies (RFC 7873) are answered with server cookies in the RFC 9018
// format (cookie.go): a query with a valid server cookie has proven its
// address. Response rate limiting (rrl.go, protect.go), off by default,
// counts UDP responses per client prefix and kind of response in a table
// of fixed size and, above Config.RRL's rate, sends every Slip-th limited
// response as a slip (TC set, no records; BADCOOKIE to a client with a
// cookie) and drops the others; TCP, valid server cookies and exempt
// prefixes are never limited. Both are changed while serving with
// Server.SetProtection; time is read only when a query has a cookie or RRL
// is on (handler.now, a fake clock in tests).
//
// # Query log
//
// With Config.Tap, every answered query is logged in dnstap format (an
// AUTH_QUERY and an AUTH_RESPONSE message) to a collector over Frame
// Streams, on a unix socket or TCP. The serving goroutines hand each query
// and reply to a bounded queue after writing the reply and never wait:
// while no collector is connected or when the queue is full, the query is
// dropped and counted (Stats.TapDropped). A writer goroutine, run by Serve,
// owns the connection and reconnects with exponential backoff; Serve sends
// what is queued within TapConfig.FlushTimeout before it returns. Without
// Config.Tap nothing is copied.
package dns
