package main

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gslb/gslb/control"
	"github.com/gslb/gslb/internal/browsertest"
)

var screenshot = flag.Bool("screenshot", false, "write docs/status-page.png from the example's status page")

// TestStatusPageExample serves the example configuration as `make run`
// does, with fra drained for a kernel upgrade, and opens the status page
// in headless Chromium: every datacenter is on the map, iad is down in the
// api pool and up elsewhere, the zone and the GeoIP databases are listed,
// and /healthz and /readyz answer 200. With -screenshot it writes the
// README's docs/status-page.png.
func TestStatusPageExample(t *testing.T) {
	t.Chdir(repoRoot)
	h, _ := startExample(t)
	c := &control.Client{Addr: h.run.Control}
	if _, err := c.SetOverride(context.Background(), control.OverrideRequest{
		Datacenter: "fra", Action: "drain", For: "2h", Reason: "kernel upgrade",
	}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get("http://" + h.run.Control + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %s, want 200 OK once serving", path, resp.Status)
		}
	}

	ctx := browsertest.New(t, 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+h.run.Control+"/")); err != nil {
		t.Fatal(err)
	}
	type rendered struct {
		Markers map[string]string // datacenter → state
		API     map[string]string // the api pool's datacenter → state
		Zones   []string          // "origin serial"
		GeoIP   int
		Stale   string // the GeoIP badges
		Cluster struct{ Hidden bool }
	}
	dom, err := chromedp.Run(ctx, chromedp.Poll[rendered](`document.body.dataset.loaded && {
		markers: Object.fromEntries([...document.querySelectorAll("#markers .dc")].map((g) => [g.dataset.dc, g.dataset.state])),
		api: Object.fromEntries([...document.querySelectorAll('.pool[data-pool="api"] tbody tr')].map((r) => [r.dataset.dc, r.dataset.state])),
		zones: [...document.querySelectorAll("#zones tbody tr")].map((r) => r.dataset.zone + " " + r.querySelector(".serial").textContent),
		geoip: document.querySelectorAll("#geoip tbody tr[data-database]").length,
		stale: [...document.querySelectorAll("#geoip .badge")].map((b) => b.textContent).join(" "),
		cluster: {hidden: document.querySelector("#cluster").hidden},
	}`, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		t.Fatalf("the page did not render a status: %v\n%s", err, h.logs.String())
	}
	want := map[string]string{"ams": "up", "fra": "drained", "iad": "partial", "sjc": "up", "gru": "up", "sin": "up", "syd": "up"}
	for dc, st := range want {
		if dom.Markers[dc] != st {
			t.Errorf("map marker %s = %q, want %q (all: %v)", dc, dom.Markers[dc], st, dom.Markers)
		}
	}
	if dom.API["iad"] != "down" || dom.API["ams"] != "up" || dom.API["sin"] != "up" {
		t.Errorf("pool api = %v, want iad down, ams and sin up", dom.API)
	}
	if len(dom.Zones) != 1 || !strings.HasPrefix(dom.Zones[0], "example.com. ") || dom.GeoIP != 2 {
		t.Errorf("zones %v, %d GeoIP databases; want example.com. with its serial, 2", dom.Zones, dom.GeoIP)
	}
	if !dom.Cluster.Hidden {
		t.Error("the cluster section is shown outside a cluster")
	}
	if dom.Stale != "stale stale" { // the sample databases are older than max_age's 30 days
		t.Errorf("GeoIP badges = %q, want both databases stale", dom.Stale)
	}

	if !*screenshot {
		return
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != browsertest.Width || b.Dy() != browsertest.Height {
		t.Errorf("screenshot is %v, want %dx%d", b, browsertest.Width, browsertest.Height)
	}
	if err := os.WriteFile("docs/status-page.png", encodePNG(t, img), 0o644); err != nil {
		t.Fatal(err)
	}
}

// encodePNG encodes img with the best compression Go's encoder has.
func encodePNG(t *testing.T, img image.Image) []byte {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// renderedCluster is the cluster part of the status page as rendered.
type renderedCluster struct {
	Hidden   bool
	Summary  string
	Alone    bool
	Members  map[string]string            // name → state
	Contact  map[string]string            // name → last contact text
	Verdicts map[string]map[string]string // target → node → status; "effective" → the quorum's
}

// renderCluster opens h's status page in headless Chromium and returns
// its cluster section once a status with a cluster has been drawn.
func renderCluster(t *testing.T, h *harness) renderedCluster {
	t.Helper()
	ctx := browsertest.New(t, 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+h.run.Control+"/")); err != nil {
		t.Fatal(err)
	}
	dom, err := chromedp.Run(ctx, chromedp.Poll[renderedCluster](`document.body.dataset.loaded && {
		hidden: document.querySelector("#cluster").hidden,
		summary: document.querySelector("#cluster-summary").textContent,
		alone: !document.querySelector("#cluster-alone").hidden,
		members: Object.fromEntries([...document.querySelectorAll("#members tbody tr[data-member]")].map((r) => [r.dataset.member, r.dataset.state])),
		contact: Object.fromEntries([...document.querySelectorAll("#members tbody tr[data-member]")].map((r) => [r.dataset.member, r.cells[3].textContent])),
		verdicts: Object.fromEntries([...document.querySelectorAll("#verdicts tbody tr[data-target]")].map((r) => [r.dataset.target,
			Object.assign({effective: r.dataset.effective}, Object.fromEntries([...r.querySelectorAll("td[data-node]")].map((c) => [c.dataset.node, c.dataset.status])))])),
	}`, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		t.Fatalf("the page did not render a status: %v\n%s", err, h.logs.String())
	}
	return dom
}
