package main

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dnstap "github.com/dnstap/golang-dnstap"
	mdns "github.com/miekg/dns"
)

// TestServeDNSTap: with [dnstap], each answered query reaches the
// collector on the configured unix socket as an AUTH_QUERY and an
// AUTH_RESPONSE carrying the configured identity.
func TestServeDNSTap(t *testing.T) {
	dir := t.TempDir()
	msgs := tapCollector(t, filepath.Join(dir, "tap.sock"))
	b := newBackend(t, "127.0.0.1", 0)
	writeSetup(t, dir, b.port(), "[dnstap]\nsocket = \"tap.sock\"\nidentity = \"ns-e2e\"\n", fmt.Sprintf(e2eZone, "fail-open"))
	h := startServer(t, dir)
	var got []*dnstap.Dnstap
	for deadline := time.Now().Add(10 * time.Second); len(got) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("%d dnstap messages within 10s, want 2\n%s", len(got), h.logs.String())
		}
		// Queries answered before the collector is connected are not
		// logged: ask until one is.
		h.query("static.example.com.", mdns.TypeA, "", false)
		select {
		case m := <-msgs:
			got = append(got, m, <-msgs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	for i, want := range []dnstap.Message_Type{dnstap.Message_AUTH_QUERY, dnstap.Message_AUTH_RESPONSE} {
		m := got[i]
		if string(m.GetIdentity()) != "ns-e2e" || m.GetMessage().GetType() != want {
			t.Errorf("message %d: identity %q, type %v; want ns-e2e, %v", i, m.GetIdentity(), m.GetMessage().GetType(), want)
		}
	}
	var r mdns.Msg
	if err := r.Unpack(got[1].GetMessage().GetResponseMessage()); err != nil || len(r.Answer) != 1 || r.Question[0].Name != "static.example.com." {
		t.Errorf("response message = %v (%v)", &r, err)
	}
}

// tapCollector accepts one dnstap connection on the unix socket path and
// returns the messages it decodes with golang-dnstap's reader.
func tapCollector(t *testing.T, path string) <-chan *dnstap.Dnstap {
	t.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	msgs := make(chan *dnstap.Dnstap, 16)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r, err := dnstap.NewReader(c, &dnstap.ReaderOptions{Bidirectional: true, Timeout: 5 * time.Second})
		if err != nil {
			return
		}
		dec := dnstap.NewDecoder(r, 1<<16)
		for {
			m := new(dnstap.Dnstap)
			if dec.Decode(m) != nil {
				return
			}
			msgs <- m
		}
	}()
	return msgs
}

// TestReloadDNSTap: a [dnstap] table added to the server configuration
// starts the query log at the next reload, without a restart.
func TestReloadDNSTap(t *testing.T) {
	dir := t.TempDir()
	b := newBackend(t, "127.0.0.1", 0)
	writeSetup(t, dir, b.port(), "", fmt.Sprintf(e2eZone, "fail-open"))
	h := startServer(t, dir)
	msgs := tapCollector(t, filepath.Join(dir, "tap.sock"))
	writeSetup(t, dir, b.port(), "[dnstap]\nsocket = \"tap.sock\"\nidentity = \"ns-reloaded\"\n", fmt.Sprintf(e2eZone, "fail-open"))
	if err := h.run.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if time.Now().After(deadline) {
			t.Fatalf("no dnstap message within 10s of the reload\n%s", h.logs.String())
		}
		h.query("static.example.com.", mdns.TypeA, "", false) // until the collector is connected
		select {
		case m := <-msgs:
			if string(m.GetIdentity()) != "ns-reloaded" {
				t.Errorf("identity %q, want ns-reloaded", m.GetIdentity())
			}
			if strings.Contains(h.logs.String(), "restart needed") {
				t.Errorf("[dnstap] reloads, but the log says a restart is needed:\n%s", h.logs.String())
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}
