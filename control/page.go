package control

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The status page's sources: index.html with three markers that buildPage
// fills with style.css, app.js and the world outline of world.txt. The
// page is one document with everything inline, so that it needs no other
// request than its own and the JSON it fetches (a script tag could not
// carry the bearer token).
//
//go:embed page/index.html page/style.css page/app.js page/world.txt
var pageFiles embed.FS

// page is the status page, ready to serve.
type page struct {
	html []byte
	csp  string // the Content-Security-Policy: only the page's own script and style run
}

// buildPage assembles the status page from pageFiles. The files are part
// of the binary and checked by the tests, so a failure is a bug: it panics.
func buildPage() page {
	read := func(name string) string {
		b, err := pageFiles.ReadFile("page/" + name)
		if err != nil {
			panic(fmt.Sprintf("control: status page: %v", err))
		}
		return string(b)
	}
	world, err := worldPath(read("world.txt"))
	if err != nil {
		panic(fmt.Sprintf("control: status page: world.txt: %v", err))
	}
	style, script := read("style.css"), read("app.js")
	html := strings.NewReplacer(
		"/*{{style}}*/", style,
		"//{{script}}", script,
		"{{world}}", world,
		"{{graticule}}", graticulePath(),
	).Replace(read("index.html"))
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	csp := "default-src 'none'; script-src " + hash(script) + "; style-src " + hash(style) +
		"; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	return page{html: []byte(html), csp: csp}
}

// statusPage answers GET / with the status page.
func (s *Server) statusPage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", s.page.csp)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer") // the address may carry ?token=
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(s.page.html)
}

// pageToken lets the status page's address carry the bearer token, since
// a browser cannot add an Authorization header to a typed address: for
// GET / only, a token query parameter stands for "Authorization: Bearer
// TOKEN" when the request has no Authorization header. The page then sends
// that token in the header of its own requests; every other path still
// needs the header.
func pageToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.Header.Get("Authorization") == "" {
			if tok := r.URL.Query().Get("token"); tok != "" {
				r = r.Clone(r.Context())
				r.Header.Set("Authorization", "Bearer "+tok)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// worldPath turns the outline of world.txt into an SVG path in the map's
// equirectangular coordinates (x = longitude, y = −latitude, in degrees).
// Each line of src that is not blank or a # comment is one closed polygon:
// "lon,lat" pairs separated by spaces.
func worldPath(src string) (string, error) {
	var b bytes.Buffer
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pts := strings.Fields(line)
		if len(pts) < 3 {
			return "", fmt.Errorf("line %d: a polygon needs 3 points, has %d", n, len(pts))
		}
		for i, pt := range pts {
			lonS, latS, ok := strings.Cut(pt, ",")
			lon, err1 := strconv.ParseFloat(lonS, 64)
			lat, err2 := strconv.ParseFloat(latS, 64)
			if !ok || err1 != nil || err2 != nil || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
				return "", fmt.Errorf("line %d: point %q is not lon,lat in degrees", n, pt)
			}
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&b, "%s%s %s", cmd, num(lon), num(-lat))
		}
		b.WriteString("Z")
	}
	return b.String(), sc.Err()
}

// graticulePath returns the meridians and parallels every 30 degrees, as
// an SVG path in the map's coordinates.
func graticulePath() string {
	var b strings.Builder
	for lon := -150; lon <= 150; lon += 30 {
		fmt.Fprintf(&b, "M%d -90V90", lon)
	}
	for lat := -60; lat <= 60; lat += 30 {
		fmt.Fprintf(&b, "M-180 %dH180", -lat)
	}
	return b.String()
}

// num formats a coordinate with at most two decimals and no "-0".
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if r := strconv.FormatFloat(f, 'f', 2, 64); len(r) < len(s) {
		s = strings.TrimRight(strings.TrimRight(r, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}
