package dns

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	mdns "github.com/miekg/dns"
)

// tapToolsHint installs the dnstap tools of Debian that
// TestTapFstrmCapture runs.
const tapToolsHint = "apt-get install -y --no-install-recommends fstrm-bin dnstap-ldns"

// TestTapFstrmCapture logs queries to Debian's fstrm_capture (the Frame
// Streams collector of the fstrm C library) and reads the capture with
// dnstap-ldns: the reference implementations accept the stream, its
// handshake and its end (STOP, FINISH). make test and CI install both
// (.ci/deps.sh); without them the test fails, naming the install step.
func TestTapFstrmCapture(t *testing.T) {
	capture, err1 := exec.LookPath("fstrm_capture")
	ldns, err2 := exec.LookPath("dnstap-ldns")
	if err1 != nil || err2 != nil {
		t.Fatalf("fstrm_capture or dnstap-ldns is missing: run bash .ci/deps.sh (make test does), or %s", tapToolsHint)
	}
	dir := t.TempDir()
	sock, file := filepath.Join(dir, "tap.sock"), filepath.Join(dir, "queries.fstrm")
	fc := exec.Command(capture, "-t", "protobuf:dnstap.Dnstap", "-u", sock, "-w", file)
	var fcOut strings.Builder
	fc.Stdout, fc.Stderr = &fcOut, &fcOut
	if err := fc.Start(); err != nil {
		t.Fatal(err)
	}
	fcDone := make(chan error, 1)
	go func() { fcDone <- fc.Wait() }()
	stopCapture := func() {
		if fc.Process != nil {
			fc.Process.Signal(syscall.SIGTERM)
			<-fcDone
			fc.Process = nil
		}
	}
	defer stopCapture()
	waitFor(t, "fstrm_capture's socket", func() bool {
		_, err := os.Stat(sock)
		return err == nil
	})

	s := startTapServer(t, "127.0.0.1:0", TapConfig{Network: "unix", Address: sock, Identity: "ns-interop"})
	waitFor(t, "the connection to fstrm_capture", s.connected)
	exchange(t, "udp", s.addr, msgFor("www.example.com.", mdns.TypeA))
	exchange(t, "tcp", s.addr, msgFor("big.example.com.", mdns.TypeTXT))
	s.stop() // sends the rest, STOP, and waits for FINISH
	if st := s.Stats(); st.TapSent != 4 || st.TapDropped != 0 {
		t.Errorf("TapSent, TapDropped = %d, %d; want 4, 0", st.TapSent, st.TapDropped)
	}
	stopCapture()

	out, err := exec.Command(ldns, "-r", file).CombinedOutput()
	if err != nil {
		t.Fatalf("dnstap-ldns: %v\n%s\nfstrm_capture said:\n%s", err, out, fcOut.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := []string{
		`AQ 127.0.0.1 UDP`, `AR 127.0.0.1 UDP`, `AQ 127.0.0.1 TCP`, `AR 127.0.0.1 TCP`,
	}
	names := []string{`"www.example.com." IN A`, `"www.example.com." IN A`, `"big.example.com." IN TXT`, `"big.example.com." IN TXT`}
	if len(lines) != len(want) {
		t.Fatalf("dnstap-ldns printed %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	// Each expected message once, in any order: the UDP reader logs its
	// batch after sending it, so the TCP query that followed its answer
	// may be logged first when the reader waits for the CPU.
	used := make([]bool, len(lines))
	for i := range want {
		found := false
		for j, l := range lines {
			if !used[j] && strings.Contains(l, want[i]) && strings.HasSuffix(l, names[i]) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("no line %q ... %s in:\n%s", want[i], names[i], out)
		}
	}
	yaml, err := exec.Command(ldns, "-y", "-r", file).CombinedOutput()
	if err != nil || !strings.Contains(string(yaml), `identity: "ns-interop"`) || !strings.Contains(string(yaml), "type: AUTH_RESPONSE") {
		t.Errorf("dnstap-ldns -y: %v\n%s", err, yaml)
	}
}
