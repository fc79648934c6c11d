// Package zones owns gslb's zone files: the TOML schema of FORMAT.md's
// "Zone file", loading and validation (every problem collected, sorted and
// positioned as file:line:col: key.path: message, through
// internal/tomlcheck), the compiled immutable zone Set that the query path
// reads, authoritative lookup semantics (CNAME chains, wildcards, empty
// non-terminals, delegations, negative answers) and reload of the zones
// directory.
//
// Zone files refer to what the server configuration defines (datacenters,
// checks): zones compiles against a *config.Config and never the other way
// round.
//
// The package never imports miekg/dns: records are parsed by a Parser that
// the caller supplies (the dns package's ParseRecord), and they travel
// through here as opaque values with the few facts validation and lookup need
// (owner, type, TTL, target name, address).
// DNS type names come from internal/dnscode. Likewise the keys of a zone
// with a [dnssec] table are loaded by a KeyLoader the caller supplies (the
// dns package's), which returns an opaque signer the zone keeps
// (DNSSEC.Signer); Zone.Types and Zone.RRset give the signer what denial
// of existence needs.
package zones
