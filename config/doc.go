// Package config owns the server configuration, gslb.toml: its schema (the
// keys of FORMAT.md's "Server configuration"), every default (defaults.go,
// the one place they are written) and its validation, which collects every
// problem, sorted and positioned as file:line:col: key.path: message.
//
// A Config is compiled once per load and not changed afterwards; a reload
// compiles a new one. Zone files refer to what it defines (datacenters,
// checks), so package zones compiles against a *Config.
//
// Layout: config.go reads the top-level keys and calls one function per
// table, each in its own file with the table's type (geoip.go, control.go,
// health.go, datacenters.go, checks.go). A key is added to its table's file
// (and its default to defaults.go); a table is added as a new file, a field
// of Config and a line in Parse's list of tables.
//
// The package imports neither package dns nor miekg/dns: DNS type and rcode
// names come from internal/dnscode.
package config
