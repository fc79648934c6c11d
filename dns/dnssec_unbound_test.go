package dns

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/gslb/gslb/zones"
)

// unboundPath is the validating resolver of these tests, from the Debian
// package unbound (.ci/deps.sh installs it).
const unboundPath = "/usr/sbin/unbound"

// serveSet serves a zone set on 127.0.0.1:0 with the fake router until the
// test ends and returns the address.
func serveSet(t *testing.T, set *zones.Set) string {
	t.Helper()
	s := NewServer(Config{
		Listen: []string{"127.0.0.1:0"},
		Zones:  ZonesFunc(func() *zones.Set { return set }),
		Router: fakeRouter{},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx) }()
	select {
	case <-s.Ready():
	case err := <-errc:
		t.Fatalf("Serve: %v", err)
	}
	t.Cleanup(func() { cancel(); <-errc })
	return s.Addrs()[0].String()
}

// freePort returns a port of 127.0.0.1 free for UDP and TCP when asked.
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		l.Close()
		if err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no free port on 127.0.0.1")
	return 0
}

// startUnbound runs unbound as a validating resolver on 127.0.0.1 that
// sends every query (the root included, so that nothing leaves loopback)
// to the authoritative server at auth, trusting anchors (DNSKEY or DS
// records in presentation format). Its queries have random 0x20 case
// (use-caps-for-id), so signed answers are checked with the query's case
// in their owner names. It returns unbound's address once
// unbound said READY=1 on its notify socket.
func startUnbound(t *testing.T, auth string, anchors []string) string {
	t.Helper()
	if _, err := os.Stat(unboundPath); err != nil {
		t.Fatalf("unbound is needed (Debian package unbound; make test installs it with .ci/deps.sh): %v", err)
	}
	host, port, err := net.SplitHostPort(auth)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	listen := freePort(t)
	var conf strings.Builder
	fmt.Fprintf(&conf, `server:
	interface: 127.0.0.1
	port: %d
	outgoing-interface: 127.0.0.1
	do-ip6: no
	do-daemonize: no
	use-systemd: yes
	use-syslog: no
	logfile: ""
	verbosity: 1
	val-log-level: 2
	username: ""
	chroot: ""
	directory: %q
	pidfile: %q
	num-threads: 1
	so-reuseport: no
	do-not-query-localhost: no
	qname-minimisation: no
	use-caps-for-id: yes
	prefetch: no
	aggressive-nsec: no
	module-config: "validator iterator"
	local-zone: "test." nodefault
`, listen, dir, filepath.Join(dir, "unbound.pid"))
	for _, a := range anchors {
		fmt.Fprintf(&conf, "\ttrust-anchor: %q\n", strings.Join(strings.Fields(a), " "))
	}
	for _, z := range []string{".", "test."} {
		fmt.Fprintf(&conf, "stub-zone:\n\tname: %q\n\tstub-addr: %s@%s\n", z, host, port)
	}
	conf.WriteString("remote-control:\n\tcontrol-enable: no\n")
	confFile := filepath.Join(dir, "unbound.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "notify.sock")
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	cmd := exec.Command(unboundPath, "-d", "-c", confFile)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("unbound's log:\n%s", logs.String())
		}
	})
	ready := make(chan string, 1)
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := notify.Read(buf)
			if err != nil {
				return
			}
			if strings.Contains(string(buf[:n]), "READY=1") {
				ready <- string(buf[:n])
				return
			}
		}
	}()
	select {
	case <-ready:
	case err := <-exited:
		t.Fatalf("unbound exited: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("unbound not ready after 30s\n%s", logs.String())
	}
	return fmt.Sprintf("127.0.0.1:%d", listen)
}

// anchorsOf returns the key-signing DNSKEYs of the zones, as trust anchors.
func anchorsOf(t *testing.T, set *zones.Set, origins ...string) []string {
	t.Helper()
	var out []string
	for _, o := range origins {
		sg := signerOf(set.Zone(o))
		if sg == nil {
			t.Fatalf("zone %s is not signed", o)
		}
		for _, k := range sg.ksk {
			out = append(out, k.dnskey.String())
		}
	}
	return out
}

// resolve asks the resolver at addr with RD and DO set.
func resolve(t *testing.T, addr, name string, qtype uint16) *mdns.Msg {
	t.Helper()
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, true)
	c := &mdns.Client{Net: "udp", Timeout: 10 * time.Second, UDPSize: 1232}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s %s: %v", name, mdns.TypeToString[qtype], err)
	}
	return r
}

// TestUnboundValidates: a real validating resolver trusting the zones'
// keys validates every kind of answer (AD set): geo-routed, static, the
// apex, a wildcard, CNAMEs into another signed zone, compact-denial
// NXDOMAIN (seen by stubs as NOERROR without data) and NODATA, the
// ED25519 zone and the generated key (trusted through its DS).
func TestUnboundValidates(t *testing.T) {
	set := loadSigned(t, KeyOptions{})
	auth := serveSet(t, set)
	anchors := anchorsOf(t, set, "example.test.", "other.test.")
	ds, err := DSRecords(set.Zone("gen.test."))
	if err != nil {
		t.Fatal(err)
	}
	anchors = append(anchors, ds...)
	resolver := startUnbound(t, auth, anchors)
	tests := []struct {
		name  string
		qtype uint16
		rcode int
		data  string // the answer's last record's data, "" for none
	}{
		{"www.example.test.", mdns.TypeA, 0, "192.0.2.10 192.0.2.11"},
		{"www.example.test.", mdns.TypeAAAA, 0, "2001:db8:10::10"},
		{"static.example.test.", mdns.TypeA, 0, "192.0.2.80 192.0.2.81"},
		{"example.test.", mdns.TypeMX, 0, "mail.example.test."},
		{"example.test.", mdns.TypeTXT, 0, "v=spf1 -all"},
		{"foo.wild.example.test.", mdns.TypeA, 0, "192.0.2.100"},
		{"alias.example.test.", mdns.TypeA, 0, "192.0.2.10 192.0.2.11 www.example.test."},
		{"toother.example.test.", mdns.TypeAAAA, 0, "2001:db8::44 www.other.test."},
		{"nope.example.test.", mdns.TypeA, 0, ""},
		{"deeper.nope.example.test.", mdns.TypeTXT, 0, ""},
		{"static.example.test.", mdns.TypeMX, 0, ""},
		{"www.example.test.", mdns.TypeTXT, 0, ""},
		{"ent.example.test.", mdns.TypeA, 0, ""},
		{"foo.wild.example.test.", mdns.TypeAAAA, 0, ""},
		{"tonx.example.test.", mdns.TypeA, 0, "nothing.other.test."}, // a CNAME to a name that does not exist
		{"www.other.test.", mdns.TypeA, 0, "192.0.2.44"},
		{"www.moved.example.test.", mdns.TypeA, 0, "192.0.2.44 other.test. www.other.test."}, // DNAME
		{"geo.gen.test.", mdns.TypeA, 0, "192.0.2.12"},
		{"nothing.gen.test.", mdns.TypeA, 0, ""},
	}
	for _, tc := range tests {
		r := resolve(t, resolver, tc.name, tc.qtype)
		var got []string // the answer's records' data, RRSIGs left out, sorted (unbound rotates)
		for _, rr := range r.Answer {
			switch x := rr.(type) {
			case *mdns.RRSIG:
			case *mdns.MX:
				got = append(got, x.Mx)
			default:
				got = append(got, strings.Trim(strings.TrimPrefix(rr.String(), rr.Header().String()), `"`))
			}
		}
		slices.Sort(got)
		data := strings.Join(got, " ")
		if r.Rcode != tc.rcode || !r.AuthenticatedData || data != tc.data {
			t.Errorf("%s %s: rcode %s AD %v data %q, want %s AD data %q\n%v", tc.name, mdns.TypeToString[tc.qtype],
				mdns.RcodeToString[r.Rcode], r.AuthenticatedData, data, mdns.RcodeToString[tc.rcode], tc.data, r)
		}
	}
}

// TestUnboundRejects: signatures that do not verify, or that have
// expired, make the validating resolver answer SERVFAIL.
func TestUnboundRejects(t *testing.T) {
	tamper := func(sig *mdns.RRSIG) {
		b, err := base64.StdEncoding.DecodeString(sig.Signature)
		if err != nil {
			panic(err)
		}
		b[len(b)/2] ^= 0x55
		sig.Signature = base64.StdEncoding.EncodeToString(b)
	}
	for _, tc := range []struct {
		name string
		opts KeyOptions
		hook func(*mdns.RRSIG)
	}{
		{"tampered", KeyOptions{}, tamper},
		{"expired", KeyOptions{Dir: t.TempDir(), Generate: true, Now: func() time.Time { return time.Now().Add(-10 * 24 * time.Hour) }}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := loadSigned(t, tc.opts)
			if tc.hook != nil {
				for _, z := range set.Zones() {
					signerOf(z).tamper = tc.hook
				}
			}
			auth := serveSet(t, set)
			resolver := startUnbound(t, auth, anchorsOf(t, set, "example.test.", "other.test."))
			for _, q := range []struct {
				name  string
				qtype uint16
			}{{"www.example.test.", mdns.TypeA}, {"static.example.test.", mdns.TypeA}, {"nope.example.test.", mdns.TypeA}, {"www.other.test.", mdns.TypeA}} {
				if r := resolve(t, resolver, q.name, q.qtype); r.Rcode != mdns.RcodeServerFailure {
					t.Errorf("%s %s: rcode %s AD %v, want SERVFAIL\n%v", q.name, mdns.TypeToString[q.qtype], mdns.RcodeToString[r.Rcode], r.AuthenticatedData, r)
				}
			}
		})
	}
}
