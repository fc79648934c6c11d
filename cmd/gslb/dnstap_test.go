package main

import (
	"fmt"
	"net"
	"path/filepath"
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
	l, err := net.Listen("unix", filepath.Join(dir, "tap.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
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
