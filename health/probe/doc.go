// Package probe runs one health probe of a target: an HTTP or HTTPS request,
// a TCP connect, or a DNS query over UDP, as described by a health.Check and
// sent to one address. It owns the wire details of each probe type and
// nothing else: scheduling, thresholds and state live in health and
// health/monitor.
//
// Every probe ends within the check's Timeout (dial, TLS handshake, request,
// headers and body included) or earlier when its context ends. Probes share
// no connections: HTTP keep-alives are off, so each probe judges a fresh
// connection to its own target. Redirects are not followed; a 3xx status is
// judged by ExpectStatus like any other. The DNS probe builds its query and
// reads the response header by hand, without a DNS library.
//
// A probe returns nil on success, or an error saying why it failed in a form
// fit for logs and transition reasons ("status 500, want 200-399",
// "dial tcp 127.0.0.1:80: connect: connection refused"). Test the kind of
// failure with errors.Is against the sentinels in errors.go.
//
// Two kinds of failure say nothing of the target. A probe to a link-local
// or metadata address (health.Unprobeable), or to an address
// Prober.Refuse refuses, is never sent: every socket is checked before it
// connects, and the probe fails with ErrRefused. A probe that fails
// because this host ran out of descriptors, buffers, memory or local
// ports (EMFILE, ENFILE, ENOBUFS, ENOMEM, EADDRNOTAVAIL, EADDRINUSE)
// wraps ErrLocal; IsLocal tells them apart, and the monitor takes them as
// no result at all.
package probe
