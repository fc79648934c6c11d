package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"

	"github.com/gslb/gslb/health"
)

// maxBody is the largest request body the API reads.
const maxBody = 64 << 10

// listOverrides answers GET /v1/overrides with the overrides in force.
func (s *Server) listOverrides(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, orEmpty(s.mon.Overrides()))
}

// setOverride answers POST /v1/overrides: it sets the override of the
// OverrideRequest body and answers it as stored.
func (s *Server) setOverride(w http.ResponseWriter, r *http.Request) {
	var req OverrideRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		code := http.StatusBadRequest
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			code = http.StatusRequestEntityTooLarge
		}
		writeError(w, code, fmt.Errorf("decode override: %w", err))
		return
	}
	if dec.More() || dec.Decode(&struct{}{}) != io.EOF {
		writeError(w, http.StatusBadRequest, errors.New("decode override: trailing data after the JSON object"))
		return
	}
	if _, none := s.mon.(noMonitor); none {
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("set override: %w", ErrUnavailable))
		return
	}
	o, err := req.Override(s.now())
	if err == nil {
		err = s.names().check(o)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := s.mon.SetOverride(o); err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, ErrUnavailable) {
			code = http.StatusServiceUnavailable
		}
		writeError(w, code, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// clearOverride answers DELETE /v1/overrides?pool=P&datacenter=D&addr=A
// (each optional): it clears the override with that key, or answers 404.
func (s *Server) clearOverride(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var addr netip.Addr
	if a := q.Get("addr"); a != "" {
		parsed, err := netip.ParseAddr(a)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Errorf("address %q: %w", a, err))
			return
		}
		addr = parsed.Unmap()
	}
	k := health.KeyFor(q.Get("pool"), q.Get("datacenter"), addr)
	if err := k.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := s.mon.ClearOverride(k); err != nil {
		code := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrNotFound):
			code = http.StatusNotFound
		case errors.Is(err, ErrUnavailable):
			code = http.StatusServiceUnavailable
		}
		writeError(w, code, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
