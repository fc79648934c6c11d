package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// startHardened starts a server whose control API has a full token, a
// read-only token and the given [control] lines, and returns it with the
// two tokens.
func startHardened(t *testing.T, controlLines string) (h *harness, full, ro string) {
	t.Helper()
	ams, _ := twoBackends(t)
	dir := t.TempDir()
	full, ro = "fu11-s3cret", "r3ad-0nly"
	os.WriteFile(filepath.Join(dir, "token"), []byte(full+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "ro-token"), []byte(ro+"\n"), 0o600)
	writeSetup(t, dir, ams.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	cfgPath := filepath.Join(dir, "gslb.toml")
	b, _ := os.ReadFile(cfgPath)
	lines := "[control]\ntoken_file = \"token\"\nread_token_file = \"ro-token\"\n" + controlLines
	os.WriteFile(cfgPath, bytes.Replace(b, []byte("[control]\n"), []byte(lines), 1), 0o644)
	h = startServer(t, dir)
	h.waitAnswer("www.example.com.", "192.0.2.0/24", "127.0.0.1")
	return h, full, ro
}

// apiFrom sends one request to the control API from a loopback source
// address and returns the status code and body.
func apiFrom(t *testing.T, src, addr, method, path, token string) (int, string) {
	t.Helper()
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}).DialContext}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	req, _ := http.NewRequest(method, "http://"+addr+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s from %s: %v", method, path, src, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestControlReadToken: monitoring with the read-only token reads every
// GET endpoint; draining needs the full token.
func TestControlReadToken(t *testing.T) {
	h, full, ro := startHardened(t, "")
	for _, path := range []string{"/v1/status", "/metrics", "/", "/healthz", "/readyz", "/v1/overrides"} {
		if code, body := apiFrom(t, "127.0.0.1", h.run.Control, "GET", path, ro); code != 200 {
			t.Errorf("GET %s with the read-only token = %d %s, want 200", path, code, body)
		}
	}
	var out bytes.Buffer
	roFile := filepath.Join(h.dir, "ro-token")
	if code := adminCmd([]string{"-control", h.run.Control, "-token-file", roFile, "drain", "ams"}, &out, &out); code == 0 || !strings.Contains(out.String(), "403") {
		t.Errorf("gslb admin drain with the read-only token: exit %d, %s; want a failure with 403", code, out.String())
	}
	if code, _ := apiFrom(t, "127.0.0.1", h.run.Control, "POST", "/v1/reload", full); code != 200 {
		t.Errorf("POST /v1/reload with the full token = %d, want 200", code)
	}
	// A rotated read-only token applies on reload; the old one is refused.
	os.WriteFile(roFile, []byte("r0tated\n"), 0o600)
	if code, _ := apiFrom(t, "127.0.0.1", h.run.Control, "POST", "/v1/reload", full); code != 200 {
		t.Errorf("reload after rotating the read-only token = %d", code)
	}
	if code, _ := apiFrom(t, "127.0.0.1", h.run.Control, "GET", "/v1/status", "r0tated"); code != 200 {
		t.Errorf("the rotated read-only token = %d, want 200", code)
	}
	if code, _ := apiFrom(t, "127.0.0.1", h.run.Control, "GET", "/v1/status", ro); code != 401 {
		t.Errorf("the read-only token before rotation = %d, want 401", code)
	}
	if strings.Contains(h.logs.String(), full) || strings.Contains(h.logs.String(), ro) || strings.Contains(h.logs.String(), "r0tated") {
		t.Errorf("a token is in the log:\n%s", h.logs.String())
	}
}

// TestControlSlowloris: hundreds of connections trickling their request
// header one byte a second, from one address and from many, affect
// neither DNS answering nor a legitimate request.
func TestControlSlowloris(t *testing.T) {
	h, full, _ := startHardened(t, "max_connections = 64\nmax_connections_per_client = 8\n")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer func() { close(stop); wg.Wait() }()
	var conns []net.Conn
	// 200 from 127.0.0.1 (most refused by the per-client cap) and 200
	// from 20 other addresses (over the total cap: they evict each other).
	for i := range 400 {
		src := "127.0.0.1"
		if i >= 200 {
			src = fmt.Sprintf("127.0.3.%d", 1+i%20)
		}
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 2 * time.Second}
		c, err := d.Dial("tcp", h.run.Control)
		if err != nil {
			t.Fatalf("slowloris connection %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	wg.Add(1)
	go func() { // one header byte a second on every connection
		defer wg.Done()
		header := "GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 100)
		for i := 0; ; i++ {
			for _, c := range conns {
				c.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
				c.Write([]byte{header[i%len(header)]})
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
		}
	}()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		start := time.Now()
		if code, body := apiFrom(t, "127.0.5.1", h.run.Control, "GET", "/v1/status", full); code != 200 {
			t.Fatalf("legitimate GET /v1/status during the slowloris = %d %s", code, body)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("legitimate request took %v during the slowloris", d)
		}
		for _, tcp := range []bool{false, true} {
			start := time.Now()
			// Either datacenter: on a loaded machine a 100 ms probe may fail.
			if got := answerText(h.query("www.example.com.", mdns.TypeA, "192.0.2.0/24", tcp)); got != "127.0.0.1" && got != "127.0.0.2" {
				t.Errorf("DNS (tcp %v) during the slowloris = %s", tcp, got)
			}
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("DNS (tcp %v) took %v during the slowloris", tcp, d)
			}
		}
		time.Sleep(200 * time.Millisecond) // pacing of the checks
	}
	if n := h.run.ControlConns(); n > 64 {
		t.Errorf("control API holds %d connections, cap 64", n)
	}
	_, metrics := apiFrom(t, "127.0.5.1", h.run.Control, "GET", "/metrics", full)
	for _, name := range []string{"gslb_control_connections_rejected_total", "gslb_control_connections_evicted_total"} {
		var v float64
		for _, line := range strings.Split(metrics, "\n") {
			if strings.HasPrefix(line, name+" ") {
				fmt.Sscan(strings.TrimPrefix(line, name+" "), &v)
			}
		}
		if v == 0 {
			t.Errorf("%s = 0 after the slowloris, want some", name)
		}
	}
}

// TestControl401sClosed: 1,100 clients that got 401 and keep their end
// open hold no descriptor of the server: it closed each connection after
// its answer.
func TestControl401sClosed(t *testing.T) {
	h, full, _ := startHardened(t, "")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range 1100 {
		src := fmt.Sprintf("127.0.4.%d", 1+i%100) // under the per-client cap: each is answered
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 2 * time.Second}
		c, err := d.Dial("tcp", h.run.Control)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || !resp.Close {
			t.Fatalf("connection %d: %d, close %v; want 401 and Connection: close", i, resp.StatusCode, resp.Close)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.run.ControlConns() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	if n := h.run.ControlConns(); n > 0 {
		t.Errorf("after 1,100 answered 401: the server still holds %d connections", n)
	}
	if got := answerText(h.query("www.example.com.", mdns.TypeA, "192.0.2.0/24", true)); got != "127.0.0.1" {
		t.Errorf("DNS over TCP after the 401s = %s", got)
	}
	if code, _ := apiFrom(t, "127.0.5.1", h.run.Control, "GET", "/v1/status", full); code != 200 {
		t.Errorf("legitimate request after the 401s = %d", code)
	}
}
