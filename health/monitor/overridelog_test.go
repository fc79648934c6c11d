package monitor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/health/cluster"
	"github.com/gslb/gslb/health/store"
)

// TestOverrideLogPersisted: a node's override changes are written to the
// store with the cluster's exact stamps, the clear of a force-up (which
// leaves no lifted record) included, and a node started again on that
// store, alone, has the same log.
func TestOverrideLogPersisted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gslb.db")
	node := func() (*Monitor, *cluster.Cluster, *store.Store) {
		st, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		logger, _ := newLogger()
		cl, err := cluster.New(cluster.Config{Node: "ns1", Bind: "127.0.0.1:0", Logger: logger})
		if err != nil {
			st.Close()
			t.Fatal(err)
		}
		return mustNew(t, Options{Store: st, Cluster: cl, Logger: logger}), cl, st
	}

	m, cl, st := node()
	force := health.Override{Datacenter: "ams", Action: health.ForceUp}
	drain := health.Override{Datacenter: "fra", Action: health.Drain, Until: time.Now().Add(time.Hour)}
	for _, o := range []health.Override{force, drain} {
		if err := m.SetOverride(o); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.ClearOverride(force.Key()); err != nil {
		t.Fatal(err)
	}
	want := cl.Overrides()
	stored, err := st.LoadOverrideLog()
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2 || !stored[0].Cleared || stored[1].Cleared {
		t.Fatalf("stored log = %+v, want the clear of ams and the drain of fra", stored)
	}
	cl.Close()
	st.Close()

	m, cl, st = node()
	defer st.Close()
	defer cl.Close()
	got := cl.Overrides()
	if len(got) != len(want) {
		t.Fatalf("log after a restart = %+v, want %+v", got, want)
	}
	for k, e := range want {
		if g := got[k]; g.Node != e.Node || !g.At.Equal(e.At) || g.Cleared != e.Cleared || g.Newer(e) || e.Newer(g) {
			t.Errorf("entry %s after a restart = %+v, want %+v", k, g, e)
		}
	}
	if ovs := m.Overrides(); len(ovs) != 1 || ovs[0].Key() != drain.Key() {
		t.Errorf("overrides after a restart = %+v, want the drain only", ovs)
	}
}
