package control

import (
	"net/http"
	"strings"
)

// jsonErrors answers the requests that mux has no handler for in JSON, as
// every other error of the API: 404 Not Found for an unknown path, 405
// Method Not Allowed (with its Allow header) for a known path asked with
// another method.
func jsonErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			h.ServeHTTP(w, r)
			return
		}
		// The mux's own answer decides the status and the Allow header;
		// its plain-text body is dropped.
		rec := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		code := rec.code
		switch code {
		case http.StatusMethodNotAllowed:
			writeJSON(w, code, ErrorBody{Error: "method " + r.Method + " not allowed on " + r.URL.Path + "; allowed: " + strings.Join(strings.Fields(strings.ReplaceAll(rec.header.Get("Allow"), ",", " ")), ", ")})
		case http.StatusNotFound, 0:
			writeJSON(w, http.StatusNotFound, ErrorBody{Error: "no such path: " + r.URL.Path})
		default: // a redirect to the cleaned path, or another answer of the mux: as it is
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.WriteHeader(code)
		}
	})
}

// statusRecorder is a ResponseWriter that keeps the status and the
// header and discards the body.
type statusRecorder struct {
	header http.Header
	code   int
}

func (r *statusRecorder) Header() http.Header { return r.header }

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(p), nil
}
