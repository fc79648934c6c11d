package pick

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gslb/gslb/health"
)

// Trace is the record of one Resolve call, for `gslb explain` and tests:
// what Resolve found about every ranked member and why it decided as it
// did. Pass a non-nil *Trace to Resolve to fill it; a Trace may be reused,
// Resolve resets it.
type Trace struct {
	Pool     string        // the pool's name
	Policy   Policy        // the pool's policy
	Map      string        // the pool's map, when the ranking came from one of its entries
	Entry    string        // the map entry that matched, as a map line; "" when unknown or none
	Check    string        // the pool's check; "" when its addresses are not probed
	Family   Family        // the queried family
	Located  bool          // the ranking carries distances (the client had coordinates)
	Members  []TraceMember // every member, in rank order
	Decision string        // the final decision, one line
	Result   Decision      // what Resolve returned, with Addrs copied out of the caller's buffer
}

// TraceMember is what Resolve found about one member.
type TraceMember struct {
	Member     int         // index into Pool.Members
	Datacenter string      // datacenter name
	KM         float64     // distance from the client in kilometres, scaled by Bias; meaningful when HasKM
	HasKM      bool        // the ranking carried distances
	Bias       int         // the member's bias (nearest)
	Weight     uint32      // the member's weight (weighted, sticky)
	Capacity   uint32      // the member's capacity (spill = "capacity")
	CNAME      string      // the member's CNAME target, for a CNAME member
	Eligible   bool        // has addresses of the family, or is a CNAME member
	Up         bool        // up for the family
	Drained    bool        // the datacenter, or every address of the family, is drained
	AddrsUp    int         // addresses of the family that are up
	AddrsTotal int         // addresses of the family
	Override   string      // the datacenter's override in force, described; "" when none
	Addrs      []TraceAddr // the member's addresses of the family, in configuration order
	Chosen     bool        // this member's addresses or CNAME were answered
	Fenced     bool        // the map entry leaves this member out
	Note       string      // why the member was passed over, or "" when it was not
}

// TraceAddr is what Resolve found about one address of a member.
type TraceAddr struct {
	Addr     netip.Addr
	Status   health.Status // the probed status; Unknown when the pool has no check
	Up       bool          // up after overrides
	Override string        // the address's own override in force, described; "" when none
}

// String returns a multi-line, human-readable form of the trace, such as:
//
//	pool web, IPv6, ranked by distance
//	  #  datacenter  distance  state  up   note
//	  1  ams         364 km    down   0/1  down: 0/1 addresses up (need 50%)
//	                                         2001:db8:10::10 down, probe down
//	  2  iad         6553 km   up     1/1  chosen
//	                                         2001:db8:20::10 up, probe up
//	  3  sin         10258 km  -      -    no IPv6 addresses
//	decision: failover to iad: 1 higher-ranked datacenter(s) down (ams); answer 2001:db8:20::10
func (t *Trace) String() string {
	var b strings.Builder
	var order string
	switch {
	case t.Policy == Failover:
		order = "failover: configuration order"
	case t.Policy == Weighted:
		order = "weighted: drawn by weight among the up datacenters"
	case t.Policy == Sticky:
		order = "sticky: chosen by a hash of the client's subnet among the up datacenters"
	case t.Located:
		order = "ranked by distance"
	default:
		order = "configuration order (client location unknown)"
	}
	fmt.Fprintf(&b, "pool %s, %s, %s\n", t.Pool, t.Family, order)
	if t.Entry != "" {
		fmt.Fprintf(&b, "map %s: %s\n", t.Map, t.Entry)
	}
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	column := "distance"
	if t.Policy == Weighted || t.Policy == Sticky {
		column = "weight"
	}
	fmt.Fprintf(w, "  #\tdatacenter\t%s\tstate\tup\tnote\n", column)
	for i, m := range t.Members {
		dist := "-"
		switch {
		case m.HasKM && m.Bias != 0:
			raw := m.KM / (1 - float64(m.Bias)/100)
			dist = fmt.Sprintf("%.0f km (%.0f, bias %+d)", m.KM, raw, m.Bias)
		case m.HasKM:
			dist = strconv.FormatFloat(m.KM, 'f', 0, 64) + " km"
		case t.Policy == Weighted || t.Policy == Sticky:
			dist = strconv.FormatUint(uint64(m.Weight), 10)
		}
		state, up := "-", "-"
		switch {
		case m.Fenced:
			state = "fenced"
		case !m.Eligible:
		case m.Drained:
			state = "drained"
		case m.Up:
			state = "up"
		default:
			state = "down"
		}
		if m.Eligible && m.CNAME == "" {
			up = fmt.Sprintf("%d/%d", m.AddrsUp, m.AddrsTotal)
		}
		note := m.Note
		if m.Chosen {
			note = "chosen"
			if t.Result.AllDown() {
				note = "chosen (all down: fail-open)"
			}
		}
		if m.CNAME != "" {
			if note != "" {
				note = "; " + note
			}
			note = "cname " + m.CNAME + note
		}
		if m.Override != "" && m.Override != m.Note {
			note = strings.TrimSpace(note + " [" + m.Override + "]")
		}
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s\t%s\t%s\n", i+1, m.Datacenter, dist, state, up, note)
		for _, a := range m.Addrs {
			s := "down"
			if a.Up {
				s = "up"
			}
			if t.Check == "" {
				s += ", no check"
			} else {
				s += ", probe " + a.Status.String()
			}
			if a.Override != "" {
				s += " [" + a.Override + "]"
			}
			fmt.Fprintf(w, "  \t\t\t\t\t  %s %s\n", a.Addr, s)
		}
	}
	w.Flush()
	fmt.Fprintf(&b, "decision: %s\n", t.Decision)
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// reset prepares t for a Resolve call.
func (t *Trace) reset(p *Pool, r Ranking, q Query) {
	*t = Trace{Members: t.Members[:0], Family: q.Family}
	if p != nil {
		t.Pool, t.Check, t.Policy = p.Name, p.Check, p.Policy
		t.Located = r.located && r.n == len(p.Members)
	}
}

// member appends and returns the record of the member m ranked i-th.
func (t *Trace) member(i, m int, r Ranking, p *Pool) *TraceMember {
	mem := &p.Members[m]
	tm := TraceMember{Member: m, Datacenter: mem.Datacenter.Name, CNAME: mem.CNAME, Bias: mem.Bias, Weight: mem.Weight, Capacity: mem.Capacity}
	if r.n == len(p.Members) {
		tm.KM, tm.HasKM = r.Distance(i)
	}
	t.Members = append(t.Members, tm)
	return &t.Members[len(t.Members)-1]
}

// record stores st in tm and explains why the member would be passed over.
//
// dc is the datacenter's own override in force, when ok.
func (tm *TraceMember) record(p *Pool, q *Query, st memberState, dc health.Override, ok bool) {
	tm.Eligible, tm.Up, tm.Drained = st.eligible, st.up, st.drained
	tm.AddrsUp, tm.AddrsTotal = st.nUp, st.nAddrs
	if ok {
		tm.Override = describeOverride(dc)
	}
	switch {
	case !st.eligible:
		tm.Note = "no " + q.Family.String() + " addresses"
	case st.up:
	case ok && (dc.Action == health.ForceDown || dc.Action == health.Drain) && (st.cname || st.nUp == 0):
		tm.Note = tm.Override
	case st.drained:
		tm.Note = fmt.Sprintf("drained: all %d addresses", st.nAddrs)
	default:
		need := "need 1"
		if p.UpFraction > 0 {
			need = "need " + strconv.FormatFloat(p.UpFraction*100, 'g', 4, 64) + "%"
		}
		tm.Note = fmt.Sprintf("down: %d/%d addresses up (%s)", st.nUp, st.nAddrs, need)
	}
}

// decide sets the decision, marking the member ranked at (if >= 0) chosen.
func (t *Trace) decide(at int, format string, args ...any) {
	if at >= 0 {
		t.Members[at].Chosen = true
		t.Members[at].Note = ""
	}
	t.Decision = fmt.Sprintf(format, args...)
}

// explain records the decision of Resolve: c is what step 2 chose and d
// the finished decision.
func (t *Trace) explain(p *Pool, c *choice, d Decision) {
	switch {
	case c.emptyFence && d.Outcome == NoData:
		t.decide(-1, "the map entry lists none of this pool's datacenters and has no \"*\": NODATA (a fence never leaks)")
	case c.emptyFence:
		t.decide(-1, "the map entry lists none of this pool's datacenters and has no \"*\": %s (when_all_down = %s)", d.Outcome, p.WhenAllDown)
	case c.eligible == 0:
		t.decide(-1, "no member has %s addresses or a CNAME: NODATA", t.Family)
	case d.Reason == ReasonAllDown:
		t.decideAllDown(p, c, d)
	default:
		t.decideChosen(c, d)
	}
	t.setResult(d)
}

// decideChosen explains the normal case: the member ranked c.at is up.
func (t *Trace) decideChosen(c *choice, d Decision) {
	name := t.Members[c.at].Datacenter
	var why string
	switch {
	case c.reason == ReasonSpill:
		var names []string
		for _, i := range c.spilled {
			m := t.Members[i]
			names = append(names, fmt.Sprintf("%s (capacity %d)", m.Datacenter, max(m.Capacity, 1)))
		}
		why = fmt.Sprintf("spill to %s: first choice %s is not up; client subnet %s hashed over %s",
			name, t.Members[c.first].Datacenter, c.subnet, strings.Join(names, ", "))
	case c.drawn && t.Policy == Sticky:
		why = fmt.Sprintf("%s: sticky hash of client subnet %s = %.4f among %d up datacenter(s), total weight %d",
			name, c.subnet, c.draw, c.among, c.total)
		if c.natural >= 0 && c.natural != c.at {
			why += fmt.Sprintf("; the client's own datacenter %s is not up", t.Members[c.natural].Datacenter)
		}
	case c.drawn:
		why = fmt.Sprintf("%s: weighted random draw among %d up datacenter(s), total weight %d", name, c.among, c.total)
		if c.reason == ReasonFailover {
			why += "; a datacenter of weight > 0 is down"
		}
	case c.at == c.first && t.Located:
		why = name + ": nearest up datacenter"
	case c.at == c.first:
		why = name + ": first up datacenter"
	default:
		var down []string
		for _, m := range t.Members[c.first:c.at] {
			if m.Eligible {
				down = append(down, m.Datacenter)
			}
		}
		why = fmt.Sprintf("failover to %s: %d higher-ranked datacenter(s) down (%s)",
			name, len(down), strings.Join(down, ", "))
	}
	for _, r := range c.ramps {
		verdict := "not yet taking this client"
		if r.admitted {
			verdict = "taking this client"
		}
		why += fmt.Sprintf("; %s ramping up: %.0f%% of its clients back, %s", t.Members[r.at].Datacenter, 100*r.share, verdict)
	}
	t.decide(c.at, "%s; %s", why, describeAnswer(d))
}

// decideAllDown explains an all-down answer.
func (t *Trace) decideAllDown(p *Pool, c *choice, d Decision) {
	head := fmt.Sprintf("all %d eligible datacenter(s) down for %s", c.eligible, t.Family)
	switch p.WhenAllDown {
	case AllDownNoData:
		t.decide(-1, "%s: NODATA (when_all_down = nodata)", head)
	case AllDownServFail:
		t.decide(-1, "%s: SERVFAIL (when_all_down = servfail)", head)
	case AllDownCNAME:
		if d.Outcome == ServFail {
			t.decide(-1, "%s: SERVFAIL (when_all_down = cname without a target)", head)
		} else {
			t.decide(-1, "%s: CNAME %s (when_all_down = cname)", head, d.CNAME)
		}
	default:
		how := "as if up"
		if c.firstUndrain < 0 {
			how = "every datacenter is drained, so the top-ranked one is used"
		} else if c.firstUndrain != c.first {
			how = "as if up; drained datacenters skipped"
		}
		t.decide(c.at, "%s: fail-open to %s (%s); %s", head, t.Members[c.at].Datacenter, how, describeAnswer(d))
	}
}

// setResult keeps a copy of res that does not share the caller's buffer.
func (t *Trace) setResult(d Decision) {
	d.Addrs = append([]netip.Addr(nil), d.Addrs...)
	t.Result = d
}

// describeAnswer returns "answer a, b" or "answer CNAME x".
func describeAnswer(d Decision) string {
	switch d.Outcome {
	case CNAME:
		return "answer CNAME " + d.CNAME
	case Addresses:
		s := make([]string, len(d.Addrs))
		for i, a := range d.Addrs {
			s[i] = a.String()
		}
		if len(s) == 0 {
			return "no addresses"
		}
		return "answer " + strings.Join(s, " ")
	}
	return d.Outcome.String()
}

// describeOverride returns a short description of an admin override, such
// as "drain until 2026-01-02T15:04:05Z: maintenance".
func describeOverride(o health.Override) string {
	var s string
	switch o.Action {
	case health.ForceUp:
		s = "forced up"
	case health.ForceDown:
		s = "forced down"
	case health.Drain:
		s = "drained"
	default:
		s = fmt.Sprintf("override action %d", o.Action)
	}
	if o.Pool != "" {
		s += " in pool " + o.Pool
	}
	if !o.Until.IsZero() {
		s += " until " + o.Until.UTC().Format(time.RFC3339)
	}
	if o.Reason != "" {
		s += ": " + o.Reason
	}
	return s
}
