package probe

import "errors"

// Errors wrapped by probe failures; test for them with errors.Is. Network
// errors (refused, unreachable, TLS verification) are wrapped as returned by
// the standard library.
var (
	// ErrTimeout is wrapped when the probe did not finish within the check's
	// Timeout.
	ErrTimeout = errors.New("timed out")
	// ErrStatus is wrapped when an HTTP response has a status code outside
	// ExpectStatus.
	ErrStatus = errors.New("unexpected status")
	// ErrBody is wrapped when an HTTP response body lacks BodyContains within
	// the first BodyLimit bytes.
	ErrBody = errors.New("body mismatch")
	// ErrRcode is wrapped when a DNS response has an rcode other than
	// ExpectRcode.
	ErrRcode = errors.New("unexpected rcode")
	// ErrResponse is wrapped when a DNS response is malformed (too short, not
	// a response, wrong opcode).
	ErrResponse = errors.New("bad response")
	// ErrCheck is wrapped when the check itself cannot be run: an unknown
	// type, an invalid address or query name, an unreadable CA file.
	ErrCheck = errors.New("invalid check")
	// ErrRefused is wrapped when the probe was not sent because its
	// address is one that probes never go to: link-local and metadata
	// addresses (health.Unprobeable), or one Prober.Refuse refuses (the
	// control listener).
	ErrRefused = errors.New("probe refused")
	// ErrLocal is wrapped when the probe failed for a reason of this host,
	// not of the target: out of file descriptors (EMFILE, ENFILE), of
	// buffers or memory (ENOBUFS, ENOMEM), or of local addresses and ports
	// (EADDRNOTAVAIL, EADDRINUSE: the source address is gone, or no
	// ephemeral port is left). Such a probe says nothing of the target;
	// see IsLocal.
	ErrLocal = errors.New("local error")
)
