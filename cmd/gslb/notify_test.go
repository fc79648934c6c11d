package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/gslb/gslb/config"
)

// listenNotify is a service manager's notify socket: a unix datagram
// socket at path (or abstract, with '@').
func listenNotify(t *testing.T, path string) *net.UnixConn {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// next reads the next notification.
func next(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("reading the notify socket: %v", err)
	}
	return string(buf[:n])
}

// TestNotify runs the server with NOTIFY_SOCKET set and reads what a
// service manager would: READY=1 once answering, RELOADING=1 with
// MONOTONIC_USEC and READY=1 around a reload, STOPPING=1 at the end.
func TestNotify(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("MONOTONIC_USEC is sent on Linux only")
	}
	dead := newBackend(t, "127.0.0.1", 0)
	dir := t.TempDir()
	writeSetup(t, dir, dead.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	sock := filepath.Join(dir, "notify.sock")
	conn := listenNotify(t, sock)
	cfg, err := config.Load(filepath.Join(dir, "gslb.toml"))
	if err != nil {
		t.Fatal(err)
	}
	h := startWith(t, cfg, serveOptions{NotifySocket: sock})
	if got := next(t, conn); got != "READY=1" {
		t.Fatalf("first notification = %q, want READY=1", got)
	}
	if err := h.run.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := next(t, conn); !regexp.MustCompile(`^RELOADING=1\nMONOTONIC_USEC=[1-9][0-9]*$`).MatchString(got) {
		t.Errorf("at a reload = %q, want RELOADING=1 and MONOTONIC_USEC", got)
	}
	if got := next(t, conn); got != "READY=1" {
		t.Errorf("after a reload = %q, want READY=1", got)
	}
	h.stop()
	if got := next(t, conn); got != "STOPPING=1" {
		t.Errorf("at the end = %q, want STOPPING=1", got)
	}
}

// TestNotifyAbstract sends to an abstract socket, named with '@'.
func TestNotifyAbstract(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("abstract sockets are Linux's")
	}
	name := fmt.Sprintf("@gslb-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	conn := listenNotify(t, name)
	notifier{socket: name}.ready()
	if got := next(t, conn); got != "READY=1" {
		t.Errorf("abstract socket got %q, want READY=1", got)
	}
}
