package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/config"
)

// freeAddr returns a loopback address whose port is free on UDP and TCP
// now, for two servers that must share it.
func freeAddr(t *testing.T) string {
	t.Helper()
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := u.LocalAddr().String()
		l, err := net.Listen("tcp", addr)
		u.Close()
		if err == nil {
			l.Close()
			return addr
		}
	}
	t.Fatal("no free port on UDP and TCP")
	return ""
}

// TestReplace: `serve -replace` on the state file of a running server
// answers on its addresses, with the drain set on it, stops it, and takes
// the state file over; no query sent over UDP meanwhile is lost.
func TestReplace(t *testing.T) {
	ams, _ := twoBackends(t)
	dir := t.TempDir()
	writeSetup(t, dir, ams.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	dnsAddr, ctlAddr := freeAddr(t), freeAddr(t)
	cfgPath := filepath.Join(dir, "gslb.toml")
	b, _ := os.ReadFile(cfgPath)
	b = bytes.Replace(b, []byte(`listen = ["127.0.0.1:0"]`), []byte(fmt.Sprintf("listen = [%q]", dnsAddr)), 1)
	b = bytes.Replace(b, []byte(`listen = "127.0.0.1:0"`), []byte(fmt.Sprintf("listen = %q", ctlAddr)), 1)
	os.WriteFile(cfgPath, b, 0o644)

	old := startServer(t, dir)
	old.waitAnswer("www.example.com.", "192.0.2.0/24", "127.0.0.1")
	var out bytes.Buffer
	if code := adminCmd([]string{"-control", ctlAddr, "drain", "ams", "-reason", "before the upgrade"}, &out, &out); code != 0 {
		t.Fatalf("drain: %s", out.String())
	}
	old.waitAnswer("www.example.com.", "192.0.2.0/24", "127.0.0.2")

	// A second server without -replace is refused, with the hint.
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	err = serve(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)), nil)
	if err == nil || !strings.Contains(err.Error(), "start this one with -replace") {
		t.Errorf("a second server on the same state file: %v, want a refusal naming -replace", err)
	}

	// Queries from many client ports, without waiting for answers.
	load := startUDPLoad(t, dnsAddr, 8)

	cfg.State = filepath.Join(dir, "gslb.db")
	next := startWith(t, cfg, serveOptions{Replace: true, StopPredecessor: func() error { old.cancel(); return nil }})
	if got := answerText(next.query("www.example.com.", mdns.TypeA, "192.0.2.0/24", false)); got != "127.0.0.2" {
		t.Errorf("the successor answers %s with the drain in force, want 127.0.0.2", got)
	}
	if err := <-old.done; err != nil {
		t.Errorf("the replaced server returned %v", err)
	}
	old.done <- nil // for its cleanup
	next.waitLog("state file taken over")
	if sent, answered := load.stop(); sent == 0 || answered != sent {
		t.Errorf("across the replacement: %d queries sent, %d answered", sent, answered)
	}
	// The successor owns the state file now: overrides change and persist.
	out.Reset()
	if code := adminCmd([]string{"-control", ctlAddr, "clear", "ams"}, &out, &out); code != 0 {
		t.Fatalf("clear after the takeover: %s", out.String())
	}
	next.waitAnswer("www.example.com.", "192.0.2.0/24", "127.0.0.1")
	if got := answerText(next.query("static.example.com.", mdns.TypeA, "", true)); got != "192.0.2.80" {
		t.Errorf("TCP after the takeover: %s", got)
	}
}

// TestStopDuringZoneLoad: a server told to stop while it compiles a
// large zone at start stops at once, not after the load.
func TestStopDuringZoneLoad(t *testing.T) {
	dir := t.TempDir()
	writeSetup(t, dir, 1, "", fmt.Sprintf(e2eZone, "fail-open"))
	var zone strings.Builder
	zone.WriteString("origin = \"big.example.\"\nttl = \"1h\"\nrecords = [\"@ NS ns1\", \"ns1 A 192.0.2.1\",\n")
	for i := range 400000 { // a load of about a second: the stop comes in its middle
		fmt.Fprintf(&zone, "\"h%d A 10.%d.%d.%d\",\n", i, i>>16&255, i>>8&255, i&255)
	}
	zone.WriteString("]\n")
	os.WriteFile(filepath.Join(dir, "zones", "big.example.toml"), []byte(zone.String()), 0o644)
	cfg, err := config.Load(filepath.Join(dir, "gslb.toml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	logs.mu = make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil)), nil) }()
	time.Sleep(300 * time.Millisecond) // into the load, which takes seconds
	cancel()
	start := time.Now()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve = %v, want nil", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("stopped %v after being told to", d)
		}
		if !strings.Contains(logs.String(), "stopped while starting") {
			t.Errorf("the load finished before the stop: make the zone bigger\n%s", logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s of its context's end")
	}
}

// TestStopHolder: the holder of the state file's lock is found in
// /proc/locks and told to stop.
func TestStopHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gslb.db")
	os.WriteFile(path, nil, 0o600)
	cmd := exec.Command("flock", "-x", path, "sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatalf("flock (util-linux): %v", err)
	}
	defer cmd.Process.Kill()
	var pid int
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) { // until flock holds it
		if pid, err = stopHolder(path); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("stopHolder: %v", err)
	}
	if pid != cmd.Process.Pid {
		t.Errorf("stopHolder stopped %d, want flock's %d", pid, cmd.Process.Pid)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("flock ended with %v, want killed by SIGTERM", err)
	}
}

// udpLoad sends static.example.com. A to a server from clients UDP
// sockets, each paced at 500 queries/s without waiting for answers, and
// counts the answers, until stop.
type udpLoad struct {
	sent, answered atomic.Int64
	quit           chan struct{}
	wg             sync.WaitGroup
}

func startUDPLoad(t *testing.T, addr string, clients int) *udpLoad {
	t.Helper()
	l := &udpLoad{quit: make(chan struct{})}
	q := new(mdns.Msg)
	q.SetQuestion("static.example.com.", mdns.TypeA)
	wire, _ := q.Pack()
	for range clients {
		c, err := net.Dial("udp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		l.wg.Add(2)
		go func() {
			defer l.wg.Done()
			buf := make([]byte, 1500)
			for {
				c.SetReadDeadline(time.Now().Add(2 * time.Second))
				if _, err := c.Read(buf); err != nil {
					return
				}
				l.answered.Add(1)
			}
		}()
		go func() {
			defer l.wg.Done()
			for {
				select {
				case <-l.quit:
					return
				case <-time.After(2 * time.Millisecond): // pacing
				}
				if _, err := c.Write(wire); err == nil {
					l.sent.Add(1)
				}
			}
		}()
	}
	return l
}

// stop stops sending, waits for the last answers (2 s at most) and returns
// how many queries were sent and answered.
func (l *udpLoad) stop() (sent, answered int64) {
	close(l.quit)
	l.wg.Wait()
	return l.sent.Load(), l.answered.Load()
}
