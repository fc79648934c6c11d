package control

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWorldPath(t *testing.T) {
	tests := []struct {
		src, want, err string
	}{
		{"# comment\n\n0,0 10,0 10,-10\n", "M0 0L10 0L10 10Z", ""},
		{"-180,90 180,90 0,-89.999", "M-180 -90L180 -90L0 90Z", ""},
		{"1.234,5.678 2,2 3,3", "M1.23 -5.68L2 -2L3 -3Z", ""},
		{"0,0 1,1", "", "line 1: a polygon needs 3 points, has 2"},
		{"0,0 1,1 181,0", "", `line 1: point "181,0" is not lon,lat in degrees`},
		{"0,0 1;1 2,2", "", `line 1: point "1;1" is not lon,lat in degrees`},
	}
	for _, tt := range tests {
		got, err := worldPath(tt.src)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("worldPath(%q) error = %v, want %s", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("worldPath(%q) = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
}

// TestEmbeddedPage: the page is whole (every marker filled), the outline
// parses, and nothing is loaded from elsewhere.
func TestEmbeddedPage(t *testing.T) {
	p := buildPage()
	html := string(p.html)
	for _, marker := range []string{"{{style}}", "{{script}}", "{{world}}", "{{graticule}}"} {
		if strings.Contains(html, marker) {
			t.Errorf("the page still has %s", marker)
		}
	}
	if n := strings.Count(html, "Z"); n < 40 {
		t.Errorf("the world outline has %d polygons, want at least 40", n)
	}
	for _, external := range []string{"http://", "https://", "//cdn", "@import", "src=", "<link"} {
		if strings.Contains(html, external) && external != "http://" {
			t.Errorf("the page refers to something outside it: %q", external)
		}
	}
	// The only http:// is the SVG namespace.
	if strings.Count(html, "http://") != strings.Count(html, "http://www.w3.org/2000/svg") {
		t.Error("the page refers to an http:// address")
	}
	if !strings.Contains(p.csp, "script-src 'sha256-") || !strings.Contains(p.csp, "connect-src 'self'") {
		t.Errorf("Content-Security-Policy = %s", p.csp)
	}
}

func TestStatusPageToken(t *testing.T) {
	ts := httptest.NewServer(New(Config{Token: "s3cret"}))
	defer ts.Close()
	get := func(path, auth string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	tests := []struct {
		path, auth string
		want       int
	}{
		{"/", "", 401},
		{"/?token=wrong", "", 401},
		{"/?token=s3cret", "", 200},
		{"/", "Bearer s3cret", 200},
		{"/?token=s3cret", "Bearer wrong", 401}, // the header, when present, decides
		{"/v1/status?token=s3cret", "", 401},    // only the page takes the token in its address
		{"/healthz?token=s3cret", "", 401},      // likewise
		{"/healthz", "Bearer s3cret", 200},      // every path needs the token
		{"/readyz", "Bearer s3cret", 503},       // no monitor: never ready
		{"/nosuchpage?token=s3cret", "", 401},   // unknown paths are not revealed
		{"/nosuchpage", "Bearer s3cret", 404},   // ... to those with the token either
		{"/v1/status", "Bearer s3cret", 200},    // the page's own fetch
		{"/index.html", "Bearer s3cret", 404},   // the page is at / only
		{"/?token=s3cret&x=1", "", 200},         // other parameters are ignored
		{"/?x=1&token=s3cret#frag", "", 200},    // in any order
		{"/?token=", "", 401},                   // empty
		{"/healthz", "", 401},                   // no token
		{"/readyz?token=s3cret", "", 401},       // no token in the address
		{"/v1/overrides?token=s3cret", "", 401}, // nor here
		{"/v1/reload?token=s3cret", "", 401},    // a GET of a POST path: 401 before anything
	}
	for _, tt := range tests {
		if got, _, body := get(tt.path, tt.auth); got != tt.want {
			t.Errorf("GET %s (Authorization %q) = %d, want %d\n%s", tt.path, tt.auth, got, tt.want, body)
		}
	}
	code, h, body := get("/?token=s3cret", "")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Referrer-Policy") != "no-referrer" ||
		!strings.HasPrefix(h.Get("Content-Security-Policy"), "default-src 'none'") || !strings.Contains(body, `<svg id="map"`) {
		t.Errorf("GET /?token= = %d %v\n%.200s", code, h, body)
	}
}

func TestHealthzReadyz(t *testing.T) {
	answering := make(chan struct{})
	mon := &readyMonitor{ready: make(chan struct{})}
	ts := httptest.NewServer(New(Config{Monitor: mon, Answering: answering}))
	defer ts.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	readyz := func() (int, Readiness) {
		t.Helper()
		code, body := get("/readyz")
		var r Readiness
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatalf("readyz body %q: %v", body, err)
		}
		return code, r
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", code, body)
	}
	code, r := readyz()
	if code != 503 || r.Ready || len(r.Reasons) != 2 || r.Reasons[0] != "health: the first probe round is not done: 1 of 2 targets not probed yet" || r.ZoneErrors == nil {
		t.Errorf("GET /readyz before the first probe round = %d %+v", code, r)
	}
	close(mon.ready)
	if code, r := readyz(); code != 503 || len(r.Reasons) != 1 || r.Reasons[0] != "dns: not answering queries yet" {
		t.Errorf("GET /readyz before answering = %d %+v", code, r)
	}
	close(answering)
	if code, r := readyz(); code != 200 || !r.Ready || len(r.Reasons) != 0 {
		t.Errorf("GET /readyz once answering = %d %+v", code, r)
	}
}

// readyMonitor is a Monitor with two targets, one of them probed.
type readyMonitor struct {
	noMonitor
	ready chan struct{}
}

func (m *readyMonitor) Ready() <-chan struct{} { return m.ready }
func (m *readyMonitor) States() []TargetState {
	var probed TargetState
	probed.State.Last.At = probed.State.Since.Add(1)
	return []TargetState{{}, probed}
}
