package control

import (
	"fmt"
	"io"
	"net/http"

	"github.com/gslb/gslb/health"
	"github.com/gslb/gslb/zones"
)

// Readiness is the body of GET /readyz: whether the server answers
// queries, why not when it does not, and the zone files failing to load.
type Readiness struct {
	Ready      bool              `json:"ready"`
	Reasons    []string          `json:"reasons,omitempty"` // why it is not ready; empty when it is
	ZoneErrors []zones.FileError `json:"zone_errors"`       // zone files that failed to load at the last reload (their zones are not served, or an older version is)
}

// healthz answers GET /healthz: 200 while the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, "ok\n")
}

// readyz answers GET /readyz: 200 once the DNS server answers queries
// (after health's first probe round), 503 before, with a Readiness body.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	doc := s.readiness()
	code := http.StatusOK
	if !doc.Ready {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, code, doc)
}

// readiness builds the Readiness document.
func (s *Server) readiness() Readiness {
	doc := Readiness{Ready: closed(s.answering), ZoneErrors: s.zoneErrors()}
	if doc.ZoneErrors == nil {
		doc.ZoneErrors = []zones.FileError{}
	}
	if doc.Ready {
		return doc
	}
	if !closed(s.mon.Ready()) {
		waiting, total := 0, 0
		for _, st := range s.mon.States() {
			total++
			if st.State.Status == health.Unknown && st.State.Last.At.IsZero() {
				waiting++
			}
		}
		doc.Reasons = append(doc.Reasons, fmt.Sprintf("health: the first probe round is not done: %d of %d targets not probed yet", waiting, total))
	}
	doc.Reasons = append(doc.Reasons, "dns: not answering queries yet")
	return doc
}
