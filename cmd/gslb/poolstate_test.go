package main

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/gslb/gslb/pick"
)

// TestLogPoolChanges: one line per transition of a pool family, none while
// the state stays.
func TestLogPoolChanges(t *testing.T) {
	k := poolFamily{Zone: "example.com.", Pool: "web", Family: pick.IPv4}
	first := poolState{Reason: pick.ReasonFirst, Datacenter: "ams"}
	failover := poolState{Reason: pick.ReasonFailover, Datacenter: "iad"}
	failover2 := poolState{Reason: pick.ReasonFailover, Datacenter: "sin"}
	allDown := poolState{Reason: pick.ReasonAllDown}
	steps := []struct {
		state poolState
		want  string // the message logged, "" for none
	}{
		{first, ""},
		{first, ""},
		{failover, "pool failing over"},
		{failover, ""},
		{failover2, "pool failing over"},
		{allDown, "pool all down"},
		{allDown, ""},
		{first, "pool recovered"},
		{first, ""},
	}
	var prev map[poolFamily]poolState
	for i, st := range steps {
		var b strings.Builder
		next := map[poolFamily]poolState{k: st.state}
		logPoolChanges(slog.New(slog.NewTextHandler(&b, nil)), prev, next)
		prev = next
		got := b.String()
		switch {
		case st.want == "" && got != "":
			t.Errorf("step %d: logged %q, want nothing", i, got)
		case st.want != "" && (strings.Count(got, "\n") != 1 || !strings.Contains(got, `msg="`+st.want+`"`) || !strings.Contains(got, "pool=web zone=example.com. family=IPv4")):
			t.Errorf("step %d: logged %q, want one %q line", i, got, st.want)
		}
	}
	// A pool first seen failing over is logged.
	var b strings.Builder
	logPoolChanges(slog.New(slog.NewTextHandler(&b, nil)), nil, map[poolFamily]poolState{k: failover})
	if !strings.Contains(b.String(), "pool failing over") {
		t.Errorf("first evaluation failing over: logged %q", b.String())
	}
}
