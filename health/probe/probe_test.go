package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gslb/gslb/health"
)

// addrPort splits a listener address into the probe's addr and port.
func addrPort(t *testing.T, a string) (netip.Addr, uint16) {
	t.Helper()
	ap, err := netip.ParseAddrPort(a)
	if err != nil {
		t.Fatalf("parse %q: %v", a, err)
	}
	return ap.Addr(), ap.Port()
}

// serverAddr returns the address and port of an httptest server.
func serverAddr(t *testing.T, ts *httptest.Server) (netip.Addr, uint16) {
	t.Helper()
	return addrPort(t, ts.Listener.Addr().String())
}

// closedPort returns a loopback TCP address on which nothing listens.
func closedPort(t *testing.T) (netip.Addr, uint16) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a, p := addrPort(t, ln.Addr().String())
	ln.Close()
	return a, p
}

// silentListener accepts TCP connections and never writes to them.
func silentListener(t *testing.T) (netip.Addr, uint16) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return addrPort(t, ln.Addr().String())
}

func TestHTTPStatus(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/"), "%d", &code)
		w.WriteHeader(code)
	}))
	defer ts.Close()
	addr, port := serverAddr(t, ts)
	tests := []struct {
		path   string
		expect []int
		ok     bool
	}{
		{"/200", nil, true},
		{"/204", nil, true},
		{"/399", nil, true},
		{"/404", nil, false},
		{"/500", nil, false},
		{"/503", []int{200, 503}, true},
		{"/200", []int{204}, false},
		{"204", []int{204}, true}, // a path without the leading slash
	}
	for _, tt := range tests {
		c := health.Check{Type: health.CheckHTTP, Port: port, Path: tt.path, ExpectStatus: tt.expect, Timeout: 2 * time.Second}
		err := Probe(context.Background(), c, addr)
		if (err == nil) != tt.ok {
			t.Errorf("Probe(path %s, expect %v) = %v, want ok=%v", tt.path, tt.expect, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrStatus) {
			t.Errorf("Probe(path %s) = %v, want ErrStatus", tt.path, err)
		}
	}
	c := health.Check{Type: health.CheckHTTP, Port: port, Path: "/500", Timeout: time.Second}
	if err := Probe(context.Background(), c, addr); err == nil || err.Error() != "unexpected status 500, want 200-399" {
		t.Errorf("Probe(/500) = %v, want %q", err, "unexpected status 500, want 200-399")
	}
}

func TestHTTPBody(t *testing.T) {
	body := strings.Repeat("x", 1000) + "READY" + strings.Repeat("y", 1000)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	defer ts.Close()
	addr, port := serverAddr(t, ts)
	tests := []struct {
		contains string
		limit    int64
		ok       bool
	}{
		{"READY", 0, true},
		{"READY", 1005, true},
		{"READY", 1004, false}, // the substring ends past the limit
		{"NOT-THERE", 0, false},
	}
	for _, tt := range tests {
		c := health.Check{Type: health.CheckHTTP, Port: port, BodyContains: tt.contains, BodyLimit: tt.limit, Timeout: 2 * time.Second}
		err := Probe(context.Background(), c, addr)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBody)) {
			t.Errorf("Probe(contains %q, limit %d) = %v, want ok=%v", tt.contains, tt.limit, err, tt.ok)
		}
	}
}

func TestHTTPRedirectNotFollowed(t *testing.T) {
	hits := make(chan string, 10)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits <- r.URL.Path
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer ts.Close()
	addr, port := serverAddr(t, ts)
	c := health.Check{Type: health.CheckHTTP, Port: port, Path: "/moved", Timeout: 2 * time.Second}
	if err := Probe(context.Background(), c, addr); err != nil {
		t.Errorf("Probe(302, default expect) = %v, want success", err)
	}
	c.ExpectStatus = []int{200}
	if err := Probe(context.Background(), c, addr); !errors.Is(err, ErrStatus) || !strings.Contains(err.Error(), "302") {
		t.Errorf("Probe(302, expect 200) = %v, want unexpected status 302", err)
	}
	ts.Close()
	close(hits)
	for p := range hits {
		if p != "/moved" {
			t.Errorf("probe requested %s: redirect was followed", p)
		}
	}
}

func TestHTTPRequest(t *testing.T) {
	type seen struct {
		host, ua, token, path string
		close                 bool
	}
	got := make(chan seen, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Host, r.UserAgent(), r.Header.Get("X-Token"), r.URL.RequestURI(), r.Close}
	}))
	defer ts.Close()
	addr, port := serverAddr(t, ts)

	c := health.Check{Type: health.CheckHTTP, Port: port, Path: "/healthz?full=1", Timeout: 2 * time.Second,
		Host: "www.example.com", Headers: map[string]string{"X-Token": "s3cret"}}
	if err := Probe(context.Background(), c, addr); err != nil {
		t.Fatalf("Probe = %v", err)
	}
	s := <-got
	want := seen{"www.example.com", userAgent, "s3cret", "/healthz?full=1", true}
	if s != want {
		t.Errorf("server saw %+v, want %+v", s, want)
	}

	c = health.Check{Type: health.CheckHTTP, Port: port, Timeout: 2 * time.Second,
		Headers: map[string]string{"host": "from-headers.example", "User-Agent": "custom"}}
	if err := Probe(context.Background(), c, addr); err != nil {
		t.Fatalf("Probe = %v", err)
	}
	if s := <-got; s.host != "from-headers.example" || s.ua != "custom" || s.path != "/" {
		t.Errorf("server saw %+v, want Host from headers, custom UA, path /", s)
	}

	c = health.Check{Type: health.CheckHTTP, Port: port, Timeout: 2 * time.Second}
	if err := Probe(context.Background(), c, addr); err != nil {
		t.Fatalf("Probe = %v", err)
	}
	if s, want := <-got, netip.AddrPortFrom(addr, port).String(); s.host != want {
		t.Errorf("default Host = %q, want %q", s.host, want)
	}
}

func TestHTTPRefusedAndTimeout(t *testing.T) {
	addr, port := closedPort(t)
	c := health.Check{Type: health.CheckHTTP, Port: port, Timeout: 2 * time.Second}
	err := Probe(context.Background(), c, addr)
	if err == nil || !strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "GET") {
		t.Errorf("Probe(closed port) = %v, want a bare connection refused", err)
	}

	for _, typ := range []health.CheckType{health.CheckHTTP, health.CheckHTTPS} {
		addr, port := silentListener(t)
		c := health.Check{Type: typ, Port: port, Timeout: 150 * time.Millisecond, InsecureSkipVerify: true}
		start := time.Now()
		err := Probe(context.Background(), c, addr)
		if took := time.Since(start); took > c.Timeout+time.Second {
			t.Errorf("%s probe of a silent server took %v, timeout %v", typ, took, c.Timeout)
		}
		if !errors.Is(err, ErrTimeout) || err.Error() != "timed out after 150ms" {
			t.Errorf("%s probe of a silent server = %v, want ErrTimeout", typ, err)
		}
	}
}

// TestCallerDeadlineIsTimeout: a caller's deadline of the check's timeout
// (as the monitor sets) is reported as the timeout, not as a cancellation.
func TestCallerDeadlineIsTimeout(t *testing.T) {
	for _, typ := range []health.CheckType{health.CheckHTTP, health.CheckTCP, health.CheckDNS} {
		addr, port := silentListener(t)
		c := health.Check{Type: typ, Port: port, Timeout: 200 * time.Millisecond}
		switch typ {
		case health.CheckTCP:
			addr, c.Port = fullListener(t) // the connect hangs
		case health.CheckDNS:
			pc, err := net.ListenPacket("udp", "127.0.0.1:0") // never answers
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			c.Port = uint16(pc.LocalAddr().(*net.UDPAddr).Port)
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
		err := Probe(ctx, c, addr)
		cancel()
		if !errors.Is(err, ErrTimeout) || err.Error() != "timed out after 200ms" {
			t.Errorf("%s probe under a caller's deadline = %v, want `timed out after 200ms`", typ, err)
		}
	}
}

// TestDeadlineOverBeforeStart: a caller's deadline already over when the
// probe is called (a loaded host ran the probe too late) is a local
// error, which says nothing of the target, not a timeout.
func TestDeadlineOverBeforeStart(t *testing.T) {
	addr, port := silentListener(t)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
	defer cancel()
	err := Probe(ctx, health.Check{Type: health.CheckTCP, Port: port, Timeout: time.Second}, addr)
	if !IsLocal(err) || errors.Is(err, ErrTimeout) {
		t.Errorf("probe with its deadline over = %v, want a local error", err)
	}
}

// fullListener returns a loopback TCP address whose listener's accept
// queue is full: a connect to it hangs (the kernel drops its SYNs).
func fullListener(t *testing.T) (netip.Addr, uint16) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(sa.(*unix.SockaddrInet4).Port)
	target := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port).String()
	for range 8 { // never accepted: each connect takes a place until none is left
		c, err := net.DialTimeout("tcp", target, 100*time.Millisecond)
		if err != nil {
			return netip.MustParseAddr("127.0.0.1"), port
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatal("the accept queue of a listener with a backlog of 0 never filled")
	return netip.Addr{}, 0
}

func TestHTTPSlowBodyTimesOut(t *testing.T) {
	stop := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial ")
		w.(http.Flusher).Flush()
		select { // never finish the body
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer ts.Close()
	defer close(stop)
	addr, port := serverAddr(t, ts)
	c := health.Check{Type: health.CheckHTTP, Port: port, BodyContains: "READY", Timeout: 150 * time.Millisecond}
	start := time.Now()
	err := Probe(context.Background(), c, addr)
	if took := time.Since(start); took > c.Timeout+time.Second {
		t.Errorf("probe of a stalled body took %v, timeout %v", took, c.Timeout)
	}
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("Probe(stalled body) = %v, want ErrTimeout", err)
	}
}

func TestCanceledContext(t *testing.T) {
	addr, port := silentListener(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := health.Check{Type: health.CheckHTTP, Port: port, Timeout: time.Second}
	if err := Probe(ctx, c, addr); !errors.Is(err, context.Canceled) {
		t.Errorf("Probe(canceled ctx) = %v, want context.Canceled", err)
	}
}

// tlsServer starts an httptest TLS server that records the SNI it is sent.
func tlsServer(t *testing.T) (*httptest.Server, <-chan string) {
	t.Helper()
	sni := make(chan string, 10)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	ts.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		sni <- h.ServerName
		return nil, nil
	}}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, sni
}

// writeCA writes the test server's certificate as a PEM file.
func writeCA(t *testing.T, ts *httptest.Server) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestHTTPS(t *testing.T) {
	ts, sni := tlsServer(t)
	addr, port := serverAddr(t, ts)
	ca := writeCA(t, ts)
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)

	var p Prober // shared, so the CA cache is exercised
	tests := []struct {
		name    string
		check   health.Check
		ok      bool
		errText string
		wantSNI string
	}{
		{name: "default roots reject the test CA", check: health.Check{}, errText: "certificate", wantSNI: ""},
		{name: "CA file", check: health.Check{CAFile: ca}, ok: true, wantSNI: ""},
		{name: "CA file again (cached)", check: health.Check{CAFile: ca}, ok: true, wantSNI: ""},
		{name: "insecure", check: health.Check{InsecureSkipVerify: true}, ok: true, wantSNI: ""},
		{name: "SNI sent and verified", check: health.Check{CAFile: ca, SNI: "example.com"}, ok: true, wantSNI: "example.com"},
		{name: "SNI from Host", check: health.Check{CAFile: ca, Host: "example.com:8443"}, ok: true, wantSNI: "example.com"},
		{name: "SNI not in the certificate", check: health.Check{CAFile: ca, SNI: "other.test"}, errText: "certificate", wantSNI: "other.test"},
		{name: "insecure with any SNI", check: health.Check{InsecureSkipVerify: true, SNI: "other.test"}, ok: true, wantSNI: "other.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.check
			c.Type, c.Port, c.Timeout = health.CheckHTTPS, port, 2*time.Second
			err := p.Probe(context.Background(), c, addr)
			if (err == nil) != tt.ok || (err != nil && !strings.Contains(err.Error(), tt.errText)) {
				t.Errorf("Probe = %v, want ok=%v (error containing %q)", err, tt.ok, tt.errText)
			}
			select {
			case got := <-sni:
				if got != tt.wantSNI {
					t.Errorf("server saw SNI %q, want %q", got, tt.wantSNI)
				}
			default:
				t.Error("server saw no TLS handshake")
			}
		})
	}

	c := health.Check{Type: health.CheckHTTPS, Port: port, Timeout: time.Second, CAFile: bad}
	if err := p.Probe(context.Background(), c, addr); !errors.Is(err, ErrCheck) {
		t.Errorf("Probe(bad CA file) = %v, want ErrCheck", err)
	}
	c.CAFile = filepath.Join(t.TempDir(), "missing.pem")
	if err := p.Probe(context.Background(), c, addr); !errors.Is(err, ErrCheck) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Probe(missing CA file) = %v, want ErrCheck and ErrNotExist", err)
	}
}

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
		close(accepted)
	}()
	addr, port := addrPort(t, ln.Addr().String())
	c := health.Check{Type: health.CheckTCP, Port: port, Timeout: time.Second}
	if err := Probe(context.Background(), c, addr); err != nil {
		t.Errorf("Probe(listening) = %v, want success", err)
	}
	<-accepted
	ln.Close()
	if err := Probe(context.Background(), c, addr); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("Probe(closed) = %v, want connection refused", err)
	}
}

func TestNoneAndInvalid(t *testing.T) {
	if err := Probe(context.Background(), health.Check{Type: health.CheckNone}, netip.Addr{}); err != nil {
		t.Errorf("Probe(none) = %v, want nil", err)
	}
	addr := netip.MustParseAddr("127.0.0.1")
	if err := Probe(context.Background(), health.Check{Type: "icmp"}, addr); !errors.Is(err, ErrCheck) {
		t.Errorf("Probe(icmp) = %v, want ErrCheck", err)
	}
	if err := Probe(context.Background(), health.Check{Type: health.CheckTCP}, netip.Addr{}); !errors.Is(err, ErrCheck) {
		t.Errorf("Probe(no address) = %v, want ErrCheck", err)
	}
	c := health.Check{Type: health.CheckDNS, QueryName: "a..b.", Timeout: time.Second}
	if err := Probe(context.Background(), c, addr); !errors.Is(err, ErrCheck) {
		t.Errorf("Probe(bad query name) = %v, want ErrCheck", err)
	}
}

func TestBuildQuery(t *testing.T) {
	got, err := buildQuery(0xBEEF, "www.Example.com.", 28)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 28, 0, 1}
	if !bytes.Equal(got, want) {
		t.Errorf("buildQuery = % x, want % x", got, want)
	}
	for _, name := range []string{"", "."} {
		got, err := buildQuery(1, name, 6)
		if err != nil || !bytes.Equal(got[12:], []byte{0, 0, 6, 0, 1}) {
			t.Errorf("buildQuery(%q) = % x, %v, want the root", name, got, err)
		}
	}
	long := strings.Repeat(strings.Repeat("a", 63)+".", 4)
	if _, err := buildQuery(1, long, 1); !errors.Is(err, ErrCheck) {
		t.Errorf("buildQuery(256-byte name) = %v, want ErrCheck", err)
	}
	if _, err := buildQuery(1, strings.Repeat("a", 64)+".", 1); !errors.Is(err, ErrCheck) {
		t.Errorf("buildQuery(64-byte label) = %v, want ErrCheck", err)
	}
}

// dnsResponder answers every query on a loopback UDP socket through answer,
// which gets the query and returns the datagrams to send back (none: stay
// silent). It returns the responder's address and the queries it received.
func dnsResponder(t *testing.T, answer func(q []byte) [][]byte) (netip.Addr, uint16, <-chan []byte) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	queries := make(chan []byte, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := append([]byte(nil), buf[:n]...)
			queries <- q
			for _, r := range answer(q) {
				pc.WriteTo(r, from)
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	a, p := addrPort(t, pc.LocalAddr().String())
	return a, p, queries
}

// reply returns a response header for query q with the given ID delta,
// flags and rcode.
func reply(q []byte, idDelta uint16, flags uint16, rcode byte) []byte {
	r := append([]byte(nil), q...)
	binary.BigEndian.PutUint16(r, binary.BigEndian.Uint16(q)+idDelta)
	binary.BigEndian.PutUint16(r[2:], flags|uint16(rcode))
	return r
}

func TestDNS(t *testing.T) {
	const qr = 0x8000 | 0x0400 // QR, AA
	tests := []struct {
		name   string
		answer func(q []byte) [][]byte
		expect int
		is     error
	}{
		{"noerror", func(q []byte) [][]byte { return [][]byte{reply(q, 0, qr, 0)} }, 0, nil},
		{"servfail", func(q []byte) [][]byte { return [][]byte{reply(q, 0, qr, 2)} }, 0, ErrRcode},
		{"nxdomain expected", func(q []byte) [][]byte { return [][]byte{reply(q, 0, qr, 3)} }, 3, nil},
		{"noerror when nxdomain expected", func(q []byte) [][]byte { return [][]byte{reply(q, 0, qr, 0)} }, 3, ErrRcode},
		{"extended rcode bits ignored", func(q []byte) [][]byte {
			return [][]byte{reply(q, 0, qr|0x0010, 0)} // a Z/AD bit set, rcode still 0
		}, 0, nil},
		{"wrong ID ignored", func(q []byte) [][]byte {
			return [][]byte{reply(q, 1, qr, 2), reply(q, 0, qr, 0)}
		}, 0, nil},
		{"not a response", func(q []byte) [][]byte { return [][]byte{reply(q, 0, 0, 0)} }, 0, ErrResponse},
		{"short", func(q []byte) [][]byte { return [][]byte{q[:5]} }, 0, ErrResponse},
		{"silent", func(q []byte) [][]byte { return nil }, 0, ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, port, queries := dnsResponder(t, tt.answer)
			c := health.Check{Type: health.CheckDNS, Port: port, Timeout: 200 * time.Millisecond,
				QueryName: "example.com.", QueryType: 6, ExpectRcode: tt.expect}
			start := time.Now()
			err := Probe(context.Background(), c, addr)
			if took := time.Since(start); took > c.Timeout+time.Second {
				t.Errorf("probe took %v, timeout %v", took, c.Timeout)
			}
			if (tt.is == nil && err != nil) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Fatalf("Probe = %v, want %v", err, tt.is)
			}
			q := <-queries
			if want, _ := buildQuery(binary.BigEndian.Uint16(q), "example.com.", 6); !bytes.Equal(q, want) {
				t.Errorf("query sent = % x, want % x", q, want)
			}
		})
	}

	addr, port, _ := dnsResponder(t, func(q []byte) [][]byte { return [][]byte{reply(q, 0, qr, 5)} })
	c := health.Check{Type: health.CheckDNS, Port: port, Timeout: time.Second}
	if err := Probe(context.Background(), c, addr); err == nil || err.Error() != "unexpected rcode REFUSED, want NOERROR" {
		t.Errorf("Probe(REFUSED) = %v", err)
	}
}

func TestDNSPortUnreachable(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr, port := addrPort(t, pc.LocalAddr().String())
	pc.Close()
	c := health.Check{Type: health.CheckDNS, Port: port, Timeout: 500 * time.Millisecond}
	if err := Probe(context.Background(), c, addr); err == nil {
		t.Error("Probe(closed UDP port) succeeded")
	}
}
