// Package zones owns gslb's configuration and zone files: the TOML schema of
// FORMAT.md, loading and validation (every problem collected, sorted and
// positioned as file:line:col: key.path: message), the compiled immutable
// zone Set that the query path reads, authoritative lookup semantics (CNAME
// chains, wildcards, empty non-terminals, delegations, negative answers) and
// reload of the zones directory.
//
// The package never imports miekg/dns: records are parsed by a Parser that
// the caller supplies (the dns package's ParseRecord), and they travel
// through here as opaque values with the few facts validation and lookup need
// (owner, type, TTL, target name, address).
package zones
