package control

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/pick"
)

// judge sets the State, Why, Until and Ramp of member i of p, whose
// families dc already describes: an operator's datacenter override first,
// then what the probes make of each family, then ramp-up.
func judge(p *pick.Pool, i int, dc *DatacenterStatus, snap *health.Snapshot, now time.Time) {
	if ov, ok := snap.Override(p.Name, dc.Datacenter, netip.Addr{}, now); ok {
		dc.Until = ov.Until
		dc.State, dc.Why = overrideState(ov)
		return
	}
	if dc.CNAME != "" {
		dc.State, dc.Why = StateUp, "CNAME "+dc.CNAME
		rampState(p, i, dc, snap, now)
		return
	}
	var up, down, drained []string
	for _, f := range []struct {
		name string
		fs   *FamilyStatus
	}{{"IPv4", dc.IPv4}, {"IPv6", dc.IPv6}} {
		switch {
		case f.fs == nil:
		case f.fs.Drained:
			drained = append(drained, f.name)
		case f.fs.Up:
			up = append(up, f.name)
		default:
			down = append(down, fmt.Sprintf("%s: %s", f.name, familyDown(p, f.fs, snap)))
		}
	}
	switch {
	case len(up)+len(down)+len(drained) == 0:
		dc.State, dc.Why = StateDown, "no addresses"
	case len(up) == 0 && len(down) == 0:
		dc.State, dc.Why = StateDrained, "every address drained"
	case len(up) == 0:
		dc.State, dc.Why = StateDown, strings.Join(down, "; ")
	case len(down)+len(drained) > 0:
		why := down
		if len(drained) > 0 {
			why = append(why, strings.Join(drained, " and ")+": every address drained")
		}
		dc.State, dc.Why = StatePartial, strings.Join(up, " and ")+" up; "+strings.Join(why, "; ")
	default:
		dc.State, dc.Why = StateUp, familiesUp(p, dc)
		rampState(p, i, dc, snap, now)
	}
}

// overrideState is the state a datacenter override sets, and why.
func overrideState(ov health.Override) (State, string) {
	st, why := StateForcedUp, "forced up"
	switch ov.Action {
	case health.Drain:
		st, why = StateDrained, "drained"
	case health.ForceDown:
		st, why = StateForcedDown, "forced down"
	}
	if ov.Pool == "" {
		why += " in every pool"
	}
	if ov.Reason != "" {
		why += ": " + ov.Reason
	}
	return st, why
}

// rampState turns an up member that is ramping up (for either family)
// into StateRamping with the smaller share.
func rampState(p *pick.Pool, i int, dc *DatacenterStatus, snap *health.Snapshot, now time.Time) {
	share := 1.0
	for _, fam := range []pick.Family{pick.IPv4, pick.IPv6} {
		share = min(share, pick.RampShare(p, i, pick.Query{Family: fam, Health: snap, Now: now}))
	}
	if share < 1 {
		dc.State, dc.Ramp = StateRamping, share
		dc.Why = fmt.Sprintf("ramping up: %.0f%% of its clients back, all after %s", 100*share, p.RampUp)
	}
}

// familyDown says why a family's addresses do not make the datacenter up:
// how many are up against what up_fraction needs, and the probe's reason
// for the first address down.
func familyDown(p *pick.Pool, fs *FamilyStatus, snap *health.Snapshot) string {
	why := fmt.Sprintf("%d of %d addresses up (need %.0f%%)", fs.AddrsUp, len(fs.Addrs), 100*p.UpFraction)
	for _, a := range fs.Addrs {
		if a.Up {
			continue
		}
		if d, ok := snap.Detail(health.Target{Check: p.Check, Addr: a.Addr}); ok && d.Reason != "" {
			return why + "; " + a.Addr.String() + ": " + d.Reason
		}
		return why + "; " + a.Addr.String() + ": " + a.Status
	}
	return why
}

// familiesUp describes an up member's addresses, such as "IPv4 2/2, IPv6
// 1/1 up".
func familiesUp(p *pick.Pool, dc *DatacenterStatus) string {
	var parts []string
	for _, f := range []struct {
		name string
		fs   *FamilyStatus
	}{{"IPv4", dc.IPv4}, {"IPv6", dc.IPv6}} {
		if f.fs != nil {
			parts = append(parts, fmt.Sprintf("%s %d/%d", f.name, f.fs.AddrsUp, len(f.fs.Addrs)))
		}
	}
	why := strings.Join(parts, ", ") + " up"
	if p.Check == "" {
		why += " (not probed)"
	}
	return why
}

// summarize returns every datacenter of dcs with its state over the pools
// it is in.
func summarize(dcs []pick.Datacenter, pools []PoolStatus) []DatacenterSummary {
	type membership struct {
		state State
		pool  string
	}
	in := map[string][]membership{}
	for _, p := range pools {
		for _, d := range p.Datacenters {
			in[d.Datacenter] = append(in[d.Datacenter], membership{d.State, p.Pool})
		}
	}
	out := make([]DatacenterSummary, 0, len(dcs))
	for _, dc := range dcs {
		ms := in[dc.Name]
		sum := DatacenterSummary{Name: dc.Name, Lat: dc.Lat, Lon: dc.Lon, Pools: len(ms)}
		if len(ms) == 0 {
			sum.State, sum.Why = StateUnused, "in no pool"
			out = append(out, sum)
			continue
		}
		var order []State
		byState := map[State][]string{}
		for _, m := range ms {
			if _, seen := byState[m.state]; !seen {
				order = append(order, m.state)
			}
			if !slices.Contains(byState[m.state], m.pool) {
				byState[m.state] = append(byState[m.state], m.pool)
			}
		}
		slices.SortFunc(order, func(a, b State) int { return severity(b) - severity(a) })
		var why []string
		for _, st := range order {
			why = append(why, fmt.Sprintf("%s in %s", st, strings.Join(byState[st], ", ")))
		}
		sum.State, sum.Why = overall(order), strings.Join(why, "; ")
		out = append(out, sum)
	}
	slices.SortFunc(out, func(a, b DatacenterSummary) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// overall is one state for a datacenter in several pools: the state they
// share; among states that all take traffic, ramping before up; down when
// none takes traffic; partial otherwise.
func overall(states []State) State {
	if len(states) == 1 {
		return states[0]
	}
	serving := func(s State) bool { return s == StateUp || s == StateForcedUp || s == StateRamping }
	all := func(f func(State) bool) bool {
		for _, s := range states {
			if !f(s) {
				return false
			}
		}
		return true
	}
	switch {
	case all(serving) && slices.Contains(states, StateRamping):
		return StateRamping
	case all(serving):
		return StateUp
	case all(func(s State) bool { return s == StateDrained || s == StateDown || s == StateForcedDown }):
		return StateDown
	}
	return StatePartial
}

// severity orders states for a datacenter's Why: the worst first.
func severity(s State) int {
	switch s {
	case StateDown:
		return 7
	case StateForcedDown:
		return 6
	case StatePartial:
		return 5
	case StateDrained:
		return 4
	case StateRamping:
		return 3
	case StateForcedUp:
		return 2
	case StateUp:
		return 1
	}
	return 0
}
