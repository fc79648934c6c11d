package config

import (
	"strings"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/dnscode"
	"github.com/gslb/gslb/internal/tomlcheck"
)

// parseChecks reads the [checks.NAME] tables: how the targets of the pools
// that name a check are probed. A check with problems is left out.
func parseChecks(t *tomlcheck.Table, c *Config) {
	c.Checks = map[string]health.Check{}
	for _, name := range t.Keys() {
		ct, ok := t.Table(name)
		if !ok {
			continue
		}
		if ch, ok := parseCheck(name, ct, c); ok {
			c.Checks[name] = ch
		}
	}
}

// parseCheck reads one [checks.NAME] table. It reports false when it found
// a problem.
func parseCheck(name string, t *tomlcheck.Table, c *Config) (health.Check, bool) {
	ch := health.Check{
		Name:     name,
		Interval: DefaultCheckInterval,
		Rise:     DefaultCheckRise,
		Fall:     DefaultCheckFall,
	}
	before := t.ErrorCount()
	t.Required("type")
	typ, _ := t.Str("type")
	ch.Type = health.CheckType(typ)
	switch ch.Type {
	case health.CheckHTTP:
		ch.Port = DefaultHTTPPort
	case health.CheckHTTPS:
		ch.Port = DefaultHTTPSPort
	case health.CheckDNS:
		ch.Port = DefaultDNSPort
	case health.CheckTCP, health.CheckNone:
	case "":
	default:
		t.Errorf(t.KeyPath("type"), "unknown check type %q: want http, https, tcp, dns or none", typ)
	}
	if n, ok := t.Int("port", 1, 65535); ok {
		ch.Port = uint16(n)
	} else if ch.Type == health.CheckTCP && !t.Has("port") {
		t.Errorf(t.Path(), "missing required key \"port\" for a tcp check")
	}
	if d, ok := t.Duration("interval"); ok {
		if d < 100*time.Millisecond {
			t.Errorf(t.KeyPath("interval"), "interval %v is shorter than 100ms", d)
		}
		ch.Interval = d
	}
	ch.Timeout = min(DefaultCheckTimeout, ch.Interval/2)
	if d, ok := t.Duration("timeout"); ok {
		ch.Timeout = d
		if d <= 0 || d >= ch.Interval {
			t.Errorf(t.KeyPath("timeout"), "timeout %v must be positive and less than interval %v", d, ch.Interval)
		}
	}
	if n, ok := t.Int("rise", 1, 100); ok {
		ch.Rise = int(n)
	}
	if n, ok := t.Int("fall", 1, 100); ok {
		ch.Fall = int(n)
	}
	ch.Path = DefaultCheckPath
	if s, ok := t.Str("path"); ok {
		if !strings.HasPrefix(s, "/") {
			t.Errorf(t.KeyPath("path"), "path %q must start with /", s)
		}
		ch.Path = s
	}
	ch.Host, _ = t.Str("host")
	if s, ok := t.Str("source"); ok {
		if a, ok := t.Addr(t.KeyPath("source"), s); ok {
			ch.Source = a
		}
	}
	if v, ok := t.Get("expect_status"); ok {
		arr, isArr := v.([]any)
		if !isArr {
			t.Errorf(t.KeyPath("expect_status"), "must be an array of status codes")
		}
		for i, e := range arr {
			n, isInt := e.(int64)
			if !isInt || n < 100 || n > 599 {
				t.Errorf(append(t.KeyPath("expect_status"), tomlcheck.Index(i)), "status code must be an integer from 100 to 599")
				continue
			}
			ch.ExpectStatus = append(ch.ExpectStatus, int(n))
		}
	}
	ch.BodyContains, _ = t.Str("body_contains")
	ch.BodyLimit = DefaultCheckBodyLimit
	if n, ok := t.Int("body_limit", 1, 16<<20); ok {
		ch.BodyLimit = n
	}
	if h, ok := t.Table("headers"); ok {
		ch.Headers = map[string]string{}
		for _, k := range h.Keys() {
			if v, ok := h.Str(k); ok {
				ch.Headers[k] = v
			}
		}
	}
	ch.SNI, _ = t.Str("sni")
	if s, ok := t.Str("ca_file"); ok {
		ch.CAFile = c.rel(s)
	}
	ch.InsecureSkipVerify, _ = t.Bool("insecure_skip_verify")
	ch.QueryName = DefaultCheckQueryName
	if s, ok := t.Str("query_name"); ok {
		if !strings.HasSuffix(s, ".") {
			s += "."
		}
		ch.QueryName = s
	}
	ch.QueryType = DefaultCheckQueryType
	if s, ok := t.Str("query_type"); ok {
		if n, ok := dnscode.ParseType(s); ok {
			ch.QueryType = n
		} else {
			t.Errorf(t.KeyPath("query_type"), "unknown RR type %q (use a mnemonic like A, AAAA, SOA, or TYPEnnn)", s)
		}
	}
	if v, ok := t.Get("expect_rcode"); ok {
		switch r := v.(type) {
		case string:
			if n, ok := dnscode.ParseRcode(r); ok {
				ch.ExpectRcode = n
			} else {
				t.Errorf(t.KeyPath("expect_rcode"), "unknown rcode %q", r)
			}
		case int64:
			if r < 0 || r > 15 {
				t.Errorf(t.KeyPath("expect_rcode"), "rcode %d out of range [0, 15]", r)
			}
			ch.ExpectRcode = int(r)
		default:
			t.Errorf(t.KeyPath("expect_rcode"), "must be an rcode name or number")
		}
	}
	t.Unknown(nil)
	return ch, t.ErrorCount() == before
}
