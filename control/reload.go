package control

import (
	"errors"
	"net/http"
	"strings"
)

// doReload answers POST /v1/reload with a ReloadResult: every problem of
// the reload (server configuration, zone files, GeoIP databases), one per
// line of its error.
func (s *Server) doReload(w http.ResponseWriter, r *http.Request) {
	err := s.reload()
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, ReloadResult{OK: true})
	case errors.Is(err, ErrUnavailable):
		writeError(w, http.StatusServiceUnavailable, err)
	default:
		writeJSON(w, http.StatusUnprocessableEntity, ReloadResult{Errors: strings.Split(err.Error(), "\n")})
	}
}
