// Package control owns the HTTP control API of a running gslb server and
// its client: the JSON documents both sides share, the handler that serves
// them (Server) and the typed client that the command-line tools use
// (Client).
//
// The API today:
//
//	GET    /v1/status     the Status document: readiness, every target, every pool, overrides, zones
//	GET    /v1/overrides  the admin overrides in force
//	POST   /v1/overrides  set an override (an OverrideRequest body)
//	DELETE /v1/overrides  clear the override named by the query (pool, datacenter, addr)
//	POST   /v1/reload     reload the zones and GeoIP databases (a ReloadResult)
//	GET    /              the status page: HTML that draws /v1/status, refreshed every 5 s
//	GET    /healthz       200 while the process serves
//	GET    /readyz        200 once the DNS server answers, 503 before (a Readiness body)
//	GET    /metrics       Prometheus metrics (Config.Metrics; see Metrics)
//
// With a token configured, every path needs "Authorization: Bearer TOKEN"
// (a read-only token, Config.ReadToken, lets GET and HEAD through and is
// answered 403 elsewhere; a request without a known token gets 401 and its
// connection is closed);
// without one the API is open, which the server configuration allows only
// on loopback. A browser cannot add that header to an address typed in, so
// GET / alone also takes the token as /?token=TOKEN; the page keeps it for
// its tab, takes it out of the address bar and sends it in the header of
// its own requests.
//
// The status page is one embedded HTML document (page/index.html with its
// style, script and a hand-drawn world outline put inline when the Server
// is created): nothing is loaded from anywhere else, and its
// Content-Security-Policy lets only its own script and style run. Errors are answered with an ErrorBody (or a ReloadResult for
// a failed reload) and a 4xx or 5xx status; the Client turns them into an
// *APIError carrying the server's message.
//
// Metrics is the Prometheus collector of the server: registered on a
// registry of the caller's (never the global one) and served at /metrics,
// it reads the DNS server's counters, the health monitor, the zone set and
// the GeoIP databases when scraped (DNSSource, HealthSource, ZoneSource
// and a function), so that the query path only counts in atomics.
//
// NewHTTPServer and Limit bound what a client can hold: every timeout of
// the http.Server is set, connections are capped per client address and
// in total, and at the total cap a new connection replaces the oldest one
// without a request in a handler (a slowloris), never a legitimate one.
//
// The package declares what it needs from the rest of gslb as small
// interfaces (Monitor, ZoneSource and the metrics' sources) and functions
// (reload, zone errors, GeoIP databases), so that the health monitor, the
// zone store and the reload logic do not know it exists. It keeps no package-level state: two Servers in one process are
// independent.
package control
