package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gslb/gslb/health"
)

// userAgent is sent with every HTTP probe unless the check's headers set one.
const userAgent = "gslb-health/1"

// http runs an HTTP or HTTPS GET against the target and judges the status
// code and, when asked, the start of the body.
func (p *Prober) http(ctx context.Context, c health.Check, addr netip.Addr, useTLS bool) error {
	ap := netip.AddrPortFrom(addr, port(c)).String()
	scheme := "http"
	var tlsConf *tls.Config
	if useTLS {
		scheme = "https"
		var err error
		if tlsConf, err = p.tlsConfig(c); err != nil {
			return err
		}
	}
	path := c.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+ap+path, nil)
	if err != nil {
		return fmt.Errorf("build request for path %q: %v: %w", c.Path, err, ErrCheck)
	}
	req.Close = true
	req.Header.Set("User-Agent", userAgent)
	for k, v := range c.Headers {
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if c.Host != "" {
		req.Host = c.Host
	}

	d := p.dialer(c, addr, "tcp")
	tr := &http.Transport{
		Proxy: nil, // never a proxy from the environment: probe the target itself
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "tcp", ap)
		},
		TLSClientConfig:        tlsConf,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the repeated method and URL
		}
		return err
	}
	defer resp.Body.Close()

	if !statusOK(resp.StatusCode, c.ExpectStatus) {
		return fmt.Errorf("%w %d, want %s", ErrStatus, resp.StatusCode, wantStatus(c.ExpectStatus))
	}
	if c.BodyContains == "" {
		return nil
	}
	limit := c.BodyLimit
	if limit <= 0 {
		limit = DefaultBodyLimit
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if !bytes.Contains(body, []byte(c.BodyContains)) {
		return fmt.Errorf("%w: %q not in the first %d bytes", ErrBody, c.BodyContains, len(body))
	}
	return nil
}

// statusOK reports whether code is accepted: one of want, or 200-399 when
// want is empty.
func statusOK(code int, want []int) bool {
	if len(want) == 0 {
		return code >= 200 && code <= 399
	}
	for _, w := range want {
		if code == w {
			return true
		}
	}
	return false
}

// wantStatus describes the accepted status codes for an error message.
func wantStatus(want []int) string {
	if len(want) == 0 {
		return "200-399"
	}
	s := make([]string, len(want))
	for i, w := range want {
		s[i] = strconv.Itoa(w)
	}
	return strings.Join(s, ",")
}

// tlsConfig returns the client TLS configuration of an https check: SNI from
// SNI or else the Host header's name (else none, verifying the address),
// roots from CAFile or else the system pool.
func (p *Prober) tlsConfig(c health.Check) (*tls.Config, error) {
	conf := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         c.SNI,
		InsecureSkipVerify: c.InsecureSkipVerify, //nolint:gosec // explicit opt-out in the check
	}
	if conf.ServerName == "" {
		conf.ServerName = hostName(c.Host)
	}
	if c.CAFile != "" {
		pool, err := p.caPool(c.CAFile)
		if err != nil {
			return nil, err
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// hostName returns the name part of a Host header value ("example.com:8443"
// gives "example.com", "[::1]:443" gives "::1").
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
}

// caEntry is a parsed CA file and the file facts it was parsed from.
type caEntry struct {
	size    int64
	modTime time.Time
	pool    *x509.CertPool
}

// caPool returns the certificate pool of a PEM file, parsing it again only
// when the file changed since the last call.
func (p *Prober) caPool(file string) (*x509.CertPool, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w: %w", err, ErrCheck)
	}
	p.mu.Lock()
	e, ok := p.cas[file]
	p.mu.Unlock()
	if ok && e.size == fi.Size() && e.modTime.Equal(fi.ModTime()) {
		return e.pool, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w: %w", err, ErrCheck)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s: no PEM certificates: %w", file, ErrCheck)
	}
	p.mu.Lock()
	if p.cas == nil {
		p.cas = make(map[string]caEntry)
	}
	p.cas[file] = caEntry{size: fi.Size(), modTime: fi.ModTime(), pool: pool}
	p.mu.Unlock()
	return pool, nil
}
