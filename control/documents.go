package control

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/internal/tomlcheck"
	"github.com/gslb/gslb/zones"
)

// Status is the document of GET /v1/status: what the server knows of its
// health, its pools and its zones at Time.
type Status struct {
	Ready     bool              `json:"ready"` // health has a first view of every target
	Time      time.Time         `json:"time"`
	Targets   []TargetState     `json:"targets"`   // sorted by target
	Pools     []PoolStatus      `json:"pools"`     // by zone, then by pool name
	Overrides []health.Override `json:"overrides"` // in force at Time, sorted by key
	Zones     []ZoneStatus      `json:"zones"`

	Answering   bool                `json:"answering"`   // the DNS server answers queries (what /readyz reports)
	Datacenters []DatacenterSummary `json:"datacenters"` // every datacenter, by name
	ZoneErrors  []zones.FileError   `json:"zone_errors"` // zone files that failed to load at the last reload, by file
	GeoIP       []GeoIPDatabase     `json:"geoip"`       // the GeoIP databases loaded; empty without [geoip]

	Cluster *ClusterStatus `json:"cluster,omitempty"` // nil when not in a cluster
}

// State is what a datacenter does for a pool, or for every pool it is in
// (DatacenterSummary): the status page colours it.
type State string

// The states of a datacenter.
const (
	StateUp         State = "up"          // takes its clients
	StateDown       State = "down"        // too few addresses up (probes)
	StateDrained    State = "drained"     // drained by an operator
	StateForcedUp   State = "forced-up"   // forced up by an operator, whatever the probes say
	StateForcedDown State = "forced-down" // forced down by an operator
	StateRamping    State = "ramping"     // back up, taking its clients back (ramp_up)
	StatePartial    State = "partial"     // up for one family and not the other, or up in some pools and not in others
	StateUnused     State = "unused"      // in no pool (DatacenterSummary only)
)

// DatacenterSummary is one datacenter of the server configuration: where
// it is and what it does over every pool it is in.
type DatacenterSummary struct {
	Name  string  `json:"name"`
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	State State   `json:"state"`
	Why   string  `json:"why"`   // the pools in each state, such as "down in api; up in web, shop"
	Pools int     `json:"pools"` // how many pools it is a member of
}

// GeoIPDatabase is one loaded GeoIP database.
type GeoIPDatabase struct {
	Database string    `json:"database"` // "city" or "asn"
	Path     string    `json:"path"`
	Type     string    `json:"type"`            // the database_type metadata, such as "GeoIP2-City"
	Built    time.Time `json:"built"`           // the build_epoch metadata
	Stale    bool      `json:"stale,omitempty"` // built longer ago than [geoip] max_age
}

// TargetState is the detailed state of one probed target: its check type
// and interval, whether the state was restored from the state file at
// start, and the state machine with its recent history.
type TargetState struct {
	Target   health.Target    `json:"target"`
	Type     health.CheckType `json:"type"`
	Interval time.Duration    `json:"interval_ns"`
	Seeded   bool             `json:"seeded"` // the state was restored from the state file at start
	State    health.State     `json:"state"`
}

// ZoneStatus is one zone file: the zone it serves (origin, serial, when
// that version was loaded) and the problems it had at the last reload. A
// file with problems and a Serial keeps that older version serving; one
// with Serial 0 serves nothing (its Origin is then "").
type ZoneStatus struct {
	Origin string    `json:"origin"`
	File   string    `json:"file"`
	Serial uint32    `json:"serial"`           // the serial serving; 0: none
	Loaded time.Time `json:"loaded,omitzero"`  // when the serving version was loaded; absent when none serves
	Error  string    `json:"error,omitempty"`  // the problems of the last reload, one per line; absent when none
	Errors []string  `json:"errors,omitempty"` // the same problems as a list
}

// PoolStatus is one pool of one zone with the selection step's judgement
// of each of its datacenters, in configuration order.
type PoolStatus struct {
	Zone        string             `json:"zone"`
	Pool        string             `json:"pool"`
	Check       string             `json:"check,omitempty"` // "": never probed
	Policy      string             `json:"policy"`          // nearest, failover, weighted or sticky
	Datacenters []DatacenterStatus `json:"datacenters"`
}

// DatacenterStatus is one member of a pool: a CNAME, or its addresses of
// each family it has, and the datacenter override in force, if any.
type DatacenterStatus struct {
	Datacenter string        `json:"datacenter"`
	CNAME      string        `json:"cname,omitempty"`
	IPv4       *FamilyStatus `json:"ipv4,omitempty"` // nil: no IPv4 addresses
	IPv6       *FamilyStatus `json:"ipv6,omitempty"` // nil: no IPv6 addresses
	Override   string        `json:"override,omitempty"`
	State      State         `json:"state"`
	Why        string        `json:"why,omitempty"`  // the reason for State, in words
	Until      time.Time     `json:"until,omitzero"` // when the datacenter override in force lapses; zero when none or until cleared
	Ramp       float64       `json:"ramp,omitempty"` // while ramping: the share of its clients back, in [0, 1)
}

// FamilyStatus is a datacenter's addresses of one family: whether the
// datacenter is up (or drained) for that family, and each address.
type FamilyStatus struct {
	Up      bool         `json:"up"`
	Drained bool         `json:"drained,omitempty"`
	AddrsUp int          `json:"addrs_up"`
	Addrs   []AddrStatus `json:"addrs"`
}

// AddrStatus is one address of a datacenter: whether selection counts it
// up, and its status in words (with an address override, if any).
type AddrStatus struct {
	Addr   netip.Addr `json:"addr"`
	Up     bool       `json:"up"`
	Status string     `json:"status"`
}

// OverrideRequest is the body of POST /v1/overrides: an override of a
// datacenter (Datacenter) or of one address (Addr), in one pool or in
// every pool (Pool ""). It lapses at Until or after For, or lasts until
// cleared when neither is given.
type OverrideRequest struct {
	Pool       string `json:"pool"`
	Datacenter string `json:"datacenter"`
	Addr       string `json:"addr"`
	Action     string `json:"action"` // force-up, force-down or drain
	Until      string `json:"until"`  // RFC 3339 time; optional
	For        string `json:"for"`    // duration ("30m", "2h"); optional, instead of until
	Reason     string `json:"reason"`
}

// Override returns the override the request asks for, with For counted
// from now, or an error saying what in the request is wrong.
func (req OverrideRequest) Override(now time.Time) (health.Override, error) {
	o := health.Override{Pool: req.Pool, Datacenter: req.Datacenter, Reason: req.Reason}
	var err error
	if o.Action, err = health.ParseAction(req.Action); err != nil {
		return o, err
	}
	if req.Addr != "" {
		if o.Addr, err = netip.ParseAddr(req.Addr); err != nil {
			return o, fmt.Errorf("address %q: %w", req.Addr, err)
		}
		o.Addr = o.Addr.Unmap()
	}
	switch {
	case req.Until != "" && req.For != "":
		return o, errors.New("give until or for, not both")
	case req.Until != "":
		if o.Until, err = time.Parse(time.RFC3339, req.Until); err != nil {
			return o, fmt.Errorf("until: %w", err)
		}
	case req.For != "":
		d, err := tomlcheck.ParseDuration(req.For)
		if err != nil {
			return o, fmt.Errorf("for: %w", err)
		}
		o.Until = now.Add(d)
	}
	return o, o.Validate(now)
}

// ErrorBody is the body of an error answer (except a failed reload's):
// {"error": "message"}.
type ErrorBody struct {
	Error string `json:"error"`
}

// ReloadResult is the body of an answer to POST /v1/reload: {"ok": true},
// or {"ok": false, "errors": [...]} with 422 Unprocessable Entity and one
// message per problem (a zone file error, a GeoIP error).
type ReloadResult struct {
	OK     bool     `json:"ok"`
	Errors []string `json:"errors,omitempty"`
}
