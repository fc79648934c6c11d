package main

import (
	"fmt"
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

// policiesZone has a pool for each traffic policy; every address is a
// loopback address probed by the "web" check.
const policiesZone = `origin = "example.com."
ttl = "1h"
records = ["@ NS ns1", "@ MX 10 mail", "ns1 A 192.0.2.53", "mail A 192.0.2.25"]

[gslb."@"]
pool = "weighted"
[gslb.failover]
pool = "failover"
[gslb.weighted]
pool = "weighted"
[gslb.sticky]
pool = "sticky"
[gslb.fenced]
pool = "fenced"
[gslb.spill]
pool = "spill"
ttl = "30s"

[pools.failover]
policy = "failover"
check = "web"
members = [
  { datacenter = "iad", addresses = ["127.0.0.2"] },
  { datacenter = "ams", addresses = ["127.0.0.1"] },
]

[pools.weighted]
policy = "weighted"
check = "web"
members = [
  { datacenter = "ams", addresses = ["127.0.0.1"], weight = 3 },
  { datacenter = "iad", addresses = ["127.0.0.2"], weight = 1 },
]

[pools.sticky]
policy = "sticky"
check = "web"
members = [
  { datacenter = "ams", addresses = ["127.0.0.1"] },
  { datacenter = "iad", addresses = ["127.0.0.2"] },
  { datacenter = "sin", addresses = ["127.0.0.3"] },
]

[pools.fenced]
map = "eu"
check = "web"
when_all_down = "servfail"
members = [
  { datacenter = "ams", addresses = ["127.0.0.1"] },
  { datacenter = "iad", addresses = ["127.0.0.2"] },
]

[pools.spill]
policy = "failover"
check = "web"
spill = "capacity"
spill_width = 2
members = [
  { datacenter = "ams", addresses = ["127.0.0.1"] },
  { datacenter = "iad", addresses = ["127.0.0.2"], capacity = 1 },
  { datacenter = "sin", addresses = ["127.0.0.3"], capacity = 1 },
]
`

// ecsScope returns the ECS scope of a reply, -1 without ECS.
func ecsScope(r *mdns.Msg) int {
	if o := r.IsEdns0(); o != nil {
		for _, opt := range o.Option {
			if e, ok := opt.(*mdns.EDNS0_SUBNET); ok {
				return int(e.SourceScope)
			}
		}
	}
	return -1
}

// TestPoliciesOverDNS serves a pool of each policy over real sockets, with
// health from real HTTP endpoints, and checks the answers a client sees.
func TestPoliciesOverDNS(t *testing.T) {
	ams := backendsOnOnePort(t, "127.0.0.1", "127.0.0.2", "127.0.0.3")[0]
	dir := t.TempDir()
	writeSetup(t, dir, ams.port(), `[maps.eu]
continents = { EU = ["ams"] }
default = ["iad", "*"]
`, policiesZone)
	h := startServer(t, dir)
	const amsClient, iadClient = "192.0.2.0/24", "198.51.100.0/24"
	h.waitLog(`target=web/127.0.0.3 from=unknown to=up`)

	t.Run("failover ignores the client's location", func(t *testing.T) {
		for _, c := range []string{amsClient, iadClient, "203.0.113.0/24"} {
			r := h.query("failover.example.com.", mdns.TypeA, c, false)
			if got := answerText(r); got != "127.0.0.2" || ecsScope(r) != 0 {
				t.Errorf("failover from %s = %s scope %d, want 127.0.0.2 scope 0", c, got, ecsScope(r))
			}
		}
	})
	t.Run("weighted shares by weight, at the apex too", func(t *testing.T) {
		for _, name := range []string{"weighted.example.com.", "example.com."} {
			counts := map[string]int{}
			const n = 400
			for range n {
				counts[answerText(h.query(name, mdns.TypeA, amsClient, false))]++
			}
			if share := float64(counts["127.0.0.1"]) / n; share < 0.65 || share > 0.85 || counts["127.0.0.1"]+counts["127.0.0.2"] != n {
				t.Errorf("%s: %v over %d queries, want about 3:1", name, counts, n)
			}
		}
		if got := answerText(h.query("example.com.", mdns.TypeMX, "", false)); got != "NOERROR" {
			t.Errorf("apex MX answer text = %s", got)
		}
		if r := h.query("example.com.", mdns.TypeMX, "", false); len(r.Answer) != 1 || r.Answer[0].Header().Rrtype != mdns.TypeMX {
			t.Errorf("apex MX = %v, want the static MX", r.Answer)
		}
	})
	t.Run("sticky keeps each client subnet on one datacenter", func(t *testing.T) {
		seen := map[string]bool{}
		for i := range 60 {
			c := fmt.Sprintf("10.%d.%d.0/24", i/8, i%8*16)
			first := h.query("sticky.example.com.", mdns.TypeA, c, false)
			for range 3 {
				r := h.query("sticky.example.com.", mdns.TypeA, c, false)
				if answerText(r) != answerText(first) {
					t.Fatalf("sticky from %s: %s then %s", c, answerText(first), answerText(r))
				}
				if ecsScope(r) < 24 {
					t.Fatalf("sticky from %s: scope /%d, want at least the hashed /24", c, ecsScope(r))
				}
			}
			seen[answerText(first)] = true
		}
		if len(seen) != 3 {
			t.Errorf("60 client subnets went to %v, want all three datacenters", seen)
		}
	})
	t.Run("a map fence holds when its datacenters are down, spill spreads", func(t *testing.T) {
		h.waitAnswer("fenced.example.com.", amsClient, "127.0.0.1")
		h.waitAnswer("fenced.example.com.", iadClient, "127.0.0.2")
		ams.stop() // 127.0.0.1 down: EU clients are fenced in, others unaffected
		h.waitAnswer("fenced.example.com.", amsClient, "SERVFAIL")
		h.waitAnswer("fenced.example.com.", iadClient, "127.0.0.2")
		spread := map[string]int{}
		for i := range 100 {
			c := netip.AddrFrom4([4]byte{10, byte(i), 0, 0}).String() + "/24"
			r := h.query("spill.example.com.", mdns.TypeA, c, false)
			spread[answerText(r)]++
			if r.Answer[0].Header().Ttl != 15 || ecsScope(r) < 24 {
				t.Fatalf("spill from %s: ttl %d scope /%d, want the degraded 15 and at least /24", c, r.Answer[0].Header().Ttl, ecsScope(r))
			}
		}
		if spread["127.0.0.2"] < 25 || spread["127.0.0.3"] < 25 {
			t.Errorf("ams's clients spilled as %v, want both iad and sin to take a share", spread)
		}
	})
}

// TestRampUpOverDNS: a datacenter back up with ramp_up = "1h" does not take
// its clients back at once; they stay where they failed over to.
func TestRampUpOverDNS(t *testing.T) {
	ams, _ := twoBackends(t)
	dir := t.TempDir()
	writeSetup(t, dir, ams.port(), "", `origin = "example.com."
records = ["@ NS ns1", "ns1 A 192.0.2.53"]
[gslb.www]
pool = "web"
ttl = "30s"
[pools.web]
check = "web"
ramp_up = "1h"
members = [
  { datacenter = "ams", addresses = ["127.0.0.1"] },
  { datacenter = "iad", addresses = ["127.0.0.2"] },
]
`)
	h := startServer(t, dir)
	const amsClient = "192.0.2.0/24"
	h.waitAnswer("www.example.com.", amsClient, "127.0.0.1") // never down: no ramp
	h.waitLog(`target=web/127.0.0.1 from=unknown to=up`)
	ams.stop()
	h.waitLog(`target=web/127.0.0.1 from=up to=down`)
	h.waitAnswer("www.example.com.", amsClient, "127.0.0.2")
	ams.start()
	h.waitLog(`target=web/127.0.0.1 from=down to=up`)
	r := h.query("www.example.com.", mdns.TypeA, amsClient, false)
	if got := answerText(r); got != "127.0.0.2" || r.Answer[0].Header().Ttl != 15 || ecsScope(r) < 24 {
		t.Errorf("Amsterdam client right after ams came back: %s ttl %d scope /%d; want 127.0.0.2 (ramping), ttl 15, scope >= /24\nserver log:\n%s",
			got, r.Answer[0].Header().Ttl, ecsScope(r), h.logs.String())
	}
}
