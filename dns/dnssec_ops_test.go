package dns

import (
	"bytes"
	"crypto"
	"io"
	"log/slog"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
)

// TestSignatureCounters: the first signed answer of an RRset is a cache
// miss that makes one signature per zone-signing key, the next ones are
// hits, and nothing is counted without DO.
func TestSignatureCounters(t *testing.T) {
	set := loadSigned(t, KeyOptions{})
	h := newSignedHandler(t, set)
	zsk := uint64(len(signerOf(set.Zone("example.test.")).zsk))
	msg := query(t, "static.example.test.", mdns.TypeA, edns(1232, true))
	ask(t, h, msg, false)
	st := h.stats.snapshot()
	if st.SigMisses != 1 || st.SigHits != 0 || st.SigMade != zsk || st.SigFailures != 0 {
		t.Errorf("after one answer: misses %d hits %d made %d failures %d; want 1, 0, %d, 0", st.SigMisses, st.SigHits, st.SigMade, st.SigFailures, zsk)
	}
	for range 3 {
		ask(t, h, msg, false)
	}
	ask(t, h, query(t, "static.example.test.", mdns.TypeA, edns(1232, false)), false)
	st = h.stats.snapshot()
	if st.SigMisses != 1 || st.SigHits != 3 || st.SigMade != zsk {
		t.Errorf("after four answers: misses %d hits %d made %d; want 1, 3, %d", st.SigMisses, st.SigHits, st.SigMade, zsk)
	}
}

// TestSigningFailureLog: failures are counted one by one but logged at
// most every 30 seconds, the first at once, then with the number of
// failures since the last line.
func TestSigningFailureLog(t *testing.T) {
	set := loadSigned(t, KeyOptions{})
	sg := signerOf(set.Zone("example.test."))
	for i, k := range sg.zsk {
		broken := *k
		broken.priv = failingSigner{k.priv}
		sg.zsk[i] = &broken
	}
	h := newSignedHandler(t, set)
	var buf bytes.Buffer
	var mu sync.Mutex
	h.log = slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
	now := time.Now()
	h.now = func() time.Time { return now }
	msg := query(t, "static.example.test.", mdns.TypeA, edns(1232, true))
	for range 5 {
		if m := ask(t, h, msg, false); m.Rcode != mdns.RcodeServerFailure {
			t.Fatalf("rcode %s, want SERVFAIL", mdns.RcodeToString[m.Rcode])
		}
	}
	lines := func() []string { return strings.Split(strings.TrimSpace(buf.String()), "\n") }
	if l := lines(); len(l) != 1 || !strings.Contains(l[0], "failures=1 ") || !strings.Contains(l[0], "HSM unplugged") {
		t.Fatalf("log after 5 failures within 30s: %q, want one line with failures=1", l)
	}
	now = now.Add(signFailLogInterval)
	ask(t, h, msg, false)
	if l := lines(); len(l) != 2 || !strings.Contains(l[1], "failures=5 ") {
		t.Errorf("log 30s later: %q, want a second line with failures=5", l)
	}
	if n := h.stats.snapshot().SigFailures; n != 6 {
		t.Errorf("%d signing failures counted, want 6", n)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// gatedSigner counts its signatures and holds the first one until
// released.
type gatedSigner struct {
	crypto.Signer
	calls   atomic.Int32
	entered chan struct{}
	release chan struct{}
}

func (g *gatedSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if g.calls.Add(1) == 1 {
		close(g.entered)
		<-g.release
	}
	return g.Signer.Sign(rand, digest, opts)
}

// TestSigningCoalesced: queries that miss the cache for one RRset while
// another query signs it wait for its signature instead of signing too.
func TestSigningCoalesced(t *testing.T) {
	set := loadSigned(t, KeyOptions{})
	sg := signerOf(set.Zone("example.test."))
	if len(sg.zsk) != 1 {
		t.Fatalf("%d zone-signing keys, want 1", len(sg.zsk))
	}
	gate := &gatedSigner{Signer: sg.zsk[0].priv, entered: make(chan struct{}), release: make(chan struct{})}
	k := *sg.zsk[0]
	k.priv = gate
	sg.zsk[0] = &k
	h := newSignedHandler(t, set)
	msg := query(t, "static.example.test.", mdns.TypeA, edns(1232, true))
	const n = 6
	replies := make(chan *mdns.Msg, n)
	send := func() {
		reply := h.respond(make([]byte, maxTCPSize+1), msg, netip.MustParseAddr("192.0.2.1"), false)
		m := new(mdns.Msg)
		if err := m.Unpack(reply); err != nil {
			t.Error(err)
		}
		replies <- m
	}
	go send()
	<-gate.entered // the first query is signing
	for range n - 1 {
		go send()
	}
	// Wait until every other query has missed the cache.
	deadline := time.Now().Add(10 * time.Second)
	for h.stats.sigMisses.Load() < n && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	close(gate.release)
	var first *mdns.Msg
	for range n {
		m := <-replies
		if m.Rcode != mdns.RcodeSuccess || len(m.Answer) != 3 {
			t.Fatalf("reply %v, want two A and their RRSIG", m)
		}
		if first == nil {
			first = m
		} else if !sameSigs(first, m) {
			t.Errorf("replies with different signatures")
		}
	}
	if c := gate.calls.Load(); c != 1 {
		t.Errorf("%d signatures made for %d simultaneous queries, want 1", c, n)
	}
	if st := h.stats.snapshot(); st.SigMisses != n || st.SigMade != 1 {
		t.Errorf("misses %d made %d, want %d and 1", st.SigMisses, st.SigMade, n)
	}
}
