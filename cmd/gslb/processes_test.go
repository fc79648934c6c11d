package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// asGSLB, set to 1 in its environment, makes the test binary run as gslb
// (TestMain): tests start real gslb processes with it.
const asGSLB = "GSLB_TEST_AS_GSLB"

// gslbProcess is a `gslb serve` process run from the test binary, whose
// standard error is collected.
type gslbProcess struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs strings.Builder
	seen chan struct{} // signalled on every log line
}

// startProcess runs `gslb serve ARGS` as a process, with env added to
// its environment.
func startProcess(t *testing.T, env []string, args ...string) *gslbProcess {
	t.Helper()
	p := &gslbProcess{cmd: exec.Command(os.Args[0], append([]string{"serve"}, args...)...), seen: make(chan struct{}, 1)}
	p.cmd.Env = append(append(os.Environ(), asGSLB+"=1"), env...)
	// A pipe of the test's own rather than StderrPipe: Wait closes that
	// one's reading end when the process exits, and a successor that
	// inherited the writing end would then die of SIGPIPE on its next
	// log line.
	stderr, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = w
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.seen <- struct{}{}:
			default:
			}
		}
		io.Copy(io.Discard, stderr)
		stderr.Close()
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	})
	return p
}

func (p *gslbProcess) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// waitLog waits until the process's log (or the other's, when a
// successor logs to the same stream) contains s.
func (p *gslbProcess) waitLog(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !strings.Contains(p.log(), s) {
		select {
		case <-p.seen:
		case <-deadline:
			t.Fatalf("log lacks %q:\n%s", s, p.log())
		}
	}
}

// TestProcessesSIGUSR2: SIGUSR2 to a gslb process starts its successor
// (the same program, -replace) which takes over; the old process exits
// 0 after a SIGTERM from the successor (found through /proc/locks or as
// its parent); UDP queries sent meanwhile are all answered.
func TestProcessesSIGUSR2(t *testing.T) {
	ams, _ := twoBackends(t)
	dir := t.TempDir()
	writeSetup(t, dir, ams.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	dnsAddr := freeAddr(t)
	cfgPath := filepath.Join(dir, "gslb.toml")
	b, _ := os.ReadFile(cfgPath)
	b = []byte(strings.Replace(string(b), `listen = ["127.0.0.1:0"]`, fmt.Sprintf("listen = [%q]", dnsAddr), 1))
	b = []byte(strings.Replace(string(b), "[control]\nlisten = \"127.0.0.1:0\"", "[control]\nlisten = \"\"", 1))
	os.WriteFile(cfgPath, b, 0o644)

	// A service manager's notify socket: what each process tells it.
	notifyPath := filepath.Join(dir, "notify.sock")
	notifySock, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: notifyPath, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notifySock.Close()
	var notes []string
	var notesMu sync.Mutex
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := notifySock.Read(buf)
			if err != nil {
				return
			}
			notesMu.Lock()
			notes = append(notes, strings.ReplaceAll(string(buf[:n]), "\n", " "))
			notesMu.Unlock()
		}
	}()

	old := startProcess(t, []string{"NOTIFY_SOCKET=" + notifyPath}, "-config", cfgPath)
	old.waitLog(t, "gslb serving")

	load := startUDPLoad(t, dnsAddr, 4)
	time.Sleep(200 * time.Millisecond) // queries to the old process alone
	if err := old.cmd.Process.Signal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	// The successor logs to the same standard error.
	old.waitLog(t, "SIGUSR2: started a new gslb")
	old.waitLog(t, "told the gslb being replaced to stop")
	done := make(chan error, 1)
	go func() { done <- old.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the old process: %v, want exit 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the old process did not exit\n%s", old.log())
	}
	old.waitLog(t, "state file taken over")
	time.Sleep(200 * time.Millisecond) // queries to the successor alone
	if sent, answered := load.stop(); sent == 0 || answered != sent {
		t.Errorf("across SIGUSR2: %d queries sent, %d answered\n%s", sent, answered, old.log())
	}
	// The successor is a child of the old process: stop it through the
	// state file's holder, as an operator would find it.
	pid, err := stopHolder(filepath.Join(dir, "gslb.db"))
	if err != nil {
		t.Fatalf("stopping the successor: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(20 * time.Millisecond) { // until it exits
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the successor %d did not stop on SIGTERM\n%s", pid, old.log())
		}
	}
	notesMu.Lock()
	got := strings.Join(notes, " | ")
	notesMu.Unlock()
	if want := fmt.Sprintf("READY=1 | MAINPID=%d READY=1", pid); !strings.HasPrefix(got, want) {
		t.Errorf("notifications = %q, want them to start %q (no STOPPING=1 from the old process)", got, want)
	}
	if strings.Contains(old.log(), "level=ERROR") {
		t.Errorf("errors in the log:\n%s", old.log())
	}
}
