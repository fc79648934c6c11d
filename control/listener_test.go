package control_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gslb/gslb/control"
)

// serveLimited serves a small API on 127.0.0.1:0 behind Limit(max,
// perClient) and returns its listener and address.
func serveLimited(t *testing.T, max, perClient int) (*control.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := control.Limit(ln, max, perClient)
	srv := control.NewHTTPServer(control.New(control.Config{}), slog.New(slog.DiscardHandler))
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l, ln.Addr().String()
}

// dialFrom connects to addr from a loopback source address.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 2 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// get sends GET /healthz on c and returns the status line.
func get(t *testing.T, c net.Conn) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return "write: " + err.Error()
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "read: " + err.Error()
	}
	return strings.TrimSpace(line)
}

func TestLimitPerClient(t *testing.T) {
	l, addr := serveLimited(t, 8, 2)
	a1, a2 := dialFrom(t, "127.0.0.1", addr), dialFrom(t, "127.0.0.1", addr)
	io.WriteString(a1, "G") // two connections trickling their requests
	io.WriteString(a2, "G")
	third := dialFrom(t, "127.0.0.1", addr)
	third.SetDeadline(time.Now().Add(3 * time.Second))
	b, _ := io.ReadAll(third)
	if !strings.HasPrefix(string(b), "HTTP/1.1 503") || !strings.Contains(string(b), `"error": "too many connections from this address (at most 2)"`) {
		t.Errorf("third connection from one address got %q, want a 503 in JSON", b)
	}
	if got := get(t, dialFrom(t, "127.0.5.1", addr)); got != "HTTP/1.1 200 OK" {
		t.Errorf("another address: %q, want 200", got)
	}
	if l.Rejected() != 1 {
		t.Errorf("Rejected() = %d, want 1", l.Rejected())
	}
}

func TestLimitEvictsTricklers(t *testing.T) {
	l, addr := serveLimited(t, 4, 4)
	var slow []net.Conn
	for i := range 4 {
		c := dialFrom(t, fmt.Sprintf("127.0.6.%d", 1+i), addr)
		io.WriteString(c, "GET / HTTP/1.1\r\n") // and never the rest
		slow = append(slow, c)
	}
	// A client sending its request at once takes the place of the oldest
	// trickler, which is closed.
	if got := get(t, dialFrom(t, "127.0.5.1", addr)); got != "HTTP/1.1 200 OK" {
		t.Errorf("a prompt request with the table full of tricklers: %q, want 200", got)
	}
	slow[0].SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := slow[0].Read(make([]byte, 1)); err == nil {
		t.Error("the oldest trickler was not closed")
	}
	if l.Evicted() != 1 || l.Open() > 4 {
		t.Errorf("Evicted, Open = %d, %d; want 1, at most 4", l.Evicted(), l.Open())
	}
}

func TestTimeouts(t *testing.T) {
	srv := control.NewHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if srv.ReadHeaderTimeout == 0 || srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 || srv.MaxHeaderBytes == 0 {
		t.Errorf("http.Server has a zero timeout or header limit: %+v", srv)
	}
}
