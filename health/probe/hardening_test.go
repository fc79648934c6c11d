package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
)

// allTypes are the probe types that open a socket.
var allTypes = []health.CheckType{health.CheckHTTP, health.CheckHTTPS, health.CheckTCP, health.CheckDNS}

func TestRefusedAtDial(t *testing.T) {
	for _, a := range []string{"169.254.169.254", "169.254.0.1", "fe80::1", "::ffff:169.254.169.254", "fd00:ec2::254"} {
		for _, typ := range allTypes {
			t.Run(a+"/"+string(typ), func(t *testing.T) {
				// The hook runs after the address checks: reaching it
				// means the socket would have connected.
				p := &Prober{Control: func(network, address string, _ syscall.RawConn) error {
					t.Errorf("%s socket to %s passed the address checks", network, address)
					return errors.New("test: never connect off loopback")
				}}
				c := health.Check{Type: typ, Port: 80, Timeout: time.Second}
				err := p.Probe(context.Background(), c, netip.MustParseAddr(a))
				if !errors.Is(err, ErrRefused) {
					t.Errorf("Probe(%s %s) = %v, want ErrRefused", typ, a, err)
				}
				if IsLocal(err) {
					t.Errorf("Probe(%s %s) = %v counts as a local error", typ, a, err)
				}
			})
		}
	}
}

func TestRefuseHook(t *testing.T) {
	accepted := make(chan struct{}, 8)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close()
		}
	}()
	addr, port := addrPort(t, ln.Addr().String())
	own := netip.AddrPortFrom(addr, port)
	p := &Prober{Refuse: func(ap netip.AddrPort) string {
		if ap == own {
			return "the control listener"
		}
		return ""
	}}
	for _, typ := range []health.CheckType{health.CheckHTTP, health.CheckTCP} {
		err := p.Probe(context.Background(), health.Check{Type: typ, Port: port, Timeout: time.Second}, addr)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "the control listener") {
			t.Errorf("Probe(%s %s) = %v, want ErrRefused naming the control listener", typ, own, err)
		}
	}
	select {
	case <-accepted:
		t.Error("a refused probe connected")
	default:
	}
	// Another port of the same address is probed.
	other, otherPort := silentListener(t)
	if err := p.Probe(context.Background(), health.Check{Type: health.CheckTCP, Port: otherPort, Timeout: time.Second}, other); err != nil {
		t.Errorf("Probe(another port) = %v, want success", err)
	}
}

func TestLocalErrorsInjected(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer ts.Close()
	addr, port := serverAddr(t, ts)
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.EADDRNOTAVAIL} {
		for _, typ := range allTypes {
			t.Run(errno.Error()+"/"+string(typ), func(t *testing.T) {
				p := &Prober{Control: func(string, string, syscall.RawConn) error {
					return os.NewSyscallError("socket", errno)
				}}
				err := p.Probe(context.Background(), health.Check{Type: typ, Port: port, Timeout: time.Second}, addr)
				if !errors.Is(err, ErrLocal) || !errors.Is(err, errno) || !IsLocal(err) {
					t.Errorf("Probe(%s) with %v = %v, want ErrLocal wrapping it", typ, errno, err)
				}
			})
		}
	}
	// A failure of the target is not local.
	closed, closedP := closedPort(t)
	err := Probe(context.Background(), health.Check{Type: health.CheckTCP, Port: closedP, Timeout: time.Second}, closed)
	if err == nil || IsLocal(err) {
		t.Errorf("Probe(closed port) = %v, want a failure that is not local", err)
	}
}

// TestLocalErrorSourceGone binds a source address this host does not have
// (EADDRNOTAVAIL, as when an address is removed from an interface): the
// bind fails before anything is sent.
func TestLocalErrorSourceGone(t *testing.T) {
	addr, port := silentListener(t)
	c := health.Check{Type: health.CheckTCP, Port: port, Timeout: time.Second, Source: netip.MustParseAddr("192.0.2.254")}
	err := Probe(context.Background(), c, addr)
	if !errors.Is(err, ErrLocal) || !errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Errorf("Probe from a source this host lacks = %v, want ErrLocal (EADDRNOTAVAIL)", err)
	}
}

// TestLocalErrorRealEMFILE probes with every descriptor of the process in
// use, in a subprocess whose RLIMIT_NOFILE is lowered, and expects
// ErrLocal: the host, not the target, is at fault.
func TestLocalErrorRealEMFILE(t *testing.T) {
	if target := os.Getenv("GSLB_TEST_EMFILE_TARGET"); target != "" {
		emfileChild(target)
		return
	}
	addr, port := silentListener(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLocalErrorRealEMFILE$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GSLB_TEST_EMFILE_TARGET="+netip.AddrPortFrom(addr, port).String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("subprocess: %v\n%s", err, out)
	}
	var results []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if r, ok := strings.CutPrefix(sc.Text(), "RESULT "); ok {
			results = append(results, r)
		}
	}
	if len(results) != len(allTypes) {
		t.Fatalf("subprocess gave %d results, want %d:\n%s", len(results), len(allTypes), out)
	}
	for _, r := range results {
		if !strings.HasSuffix(r, " local=true emfile=true") {
			t.Errorf("with no descriptor left: %s, want a local EMFILE error", r)
		}
	}
}

// emfileChild lowers the descriptor limit, uses up every descriptor, and
// prints one RESULT line per probe type.
func emfileChild(target string) {
	ap := netip.MustParseAddrPort(target)
	var p Prober
	// A first probe sets up what probing needs once (the poller, the
	// resolver's files), so the probes below fail at their own socket.
	_ = p.Probe(context.Background(), health.Check{Type: health.CheckTCP, Port: ap.Port(), Timeout: time.Second}, ap.Addr())
	lim := syscall.Rlimit{Cur: 256, Max: 256}
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err == nil && old.Max < lim.Max {
		lim = syscall.Rlimit{Cur: old.Max, Max: old.Max}
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(1)
	}
	var held []*os.File
	for {
		f, err := os.Open(os.DevNull)
		if err != nil {
			if !errors.Is(err, syscall.EMFILE) {
				fmt.Println("open:", err)
				os.Exit(1)
			}
			break
		}
		held = append(held, f)
	}
	for _, typ := range allTypes {
		c := health.Check{Type: typ, Port: ap.Port(), Timeout: time.Second}
		err := p.Probe(context.Background(), c, ap.Addr())
		fmt.Println("RESULT "+string(typ)+": "+fmt.Sprint(err), "local="+strconv.FormatBool(errors.Is(err, ErrLocal)), "emfile="+strconv.FormatBool(errors.Is(err, syscall.EMFILE)))
	}
	for _, f := range held {
		f.Close()
	}
}

// trickle writes s to w a byte every 100 ms until done or a write fails.
func trickle(w interface{ Write([]byte) (int, error) }, flush func(), s string, done <-chan struct{}) {
	for i := 0; ; i = (i + 1) % len(s) {
		select {
		case <-done:
			return
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := w.Write([]byte{s[i]}); err != nil {
			return
		}
		flush()
	}
}

// TestHTTPTrickleCutAtTimeout serves a response a byte per 100 ms, in its
// status line and headers or in its body, from real HTTP servers: the
// probe ends at its timeout as a timeout.
func TestHTTPTrickleCutAtTimeout(t *testing.T) {
	const timeout = 700 * time.Millisecond
	done := make(chan struct{})
	defer close(done)

	body := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		trickle(w, w.(http.Flusher).Flush, "still loading ", r.Context().Done())
	}))
	defer body.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				_, _ = c.Read(buf) // the request
				trickle(c, func() {}, "HTTP/1.1 200 OK\r\nX-Slow: "+strings.Repeat("a", 1000), done)
			}()
		}
	}()

	for _, tc := range []struct {
		name string
		addr string
		c    health.Check
	}{
		{"headers", ln.Addr().String(), health.Check{Type: health.CheckHTTP}},
		{"body", body.Listener.Addr().String(), health.Check{Type: health.CheckHTTP, BodyContains: "READY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, port := addrPort(t, tc.addr)
			tc.c.Port, tc.c.Timeout = port, timeout
			start := time.Now()
			err := Probe(context.Background(), tc.c, addr)
			took := time.Since(start)
			if !errors.Is(err, ErrTimeout) {
				t.Errorf("Probe(trickled %s) = %v, want ErrTimeout", tc.name, err)
			}
			if took < timeout || took > timeout+time.Second {
				t.Errorf("Probe(trickled %s) took %v, want the timeout %v", tc.name, took, timeout)
			}
		})
	}
}
