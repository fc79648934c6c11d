package control_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gslb/gslb/control"
)

func TestAPIErrorMessage(t *testing.T) {
	tests := []struct {
		err  control.APIError
		want string
	}{
		{control.APIError{StatusCode: 404, Status: "404 Not Found", Messages: []string{"no such override"}}, "404 Not Found: no such override"},
		{control.APIError{StatusCode: 422, Status: "422 Unprocessable Entity", Messages: []string{"a", "b"}}, "422 Unprocessable Entity: a\nb"},
		{control.APIError{StatusCode: 502, Status: "502 Bad Gateway"}, "control API: 502 Bad Gateway"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestClientNotAPI: answers that are not the API's own still give errors
// that say what happened.
func TestClientNotAPI(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/status":
			w.Write([]byte("<html>not json</html>"))
		default:
			http.Error(w, "upstream broke", http.StatusBadGateway)
		}
	}))
	defer ts.Close()
	c := &control.Client{Addr: strings.TrimPrefix(ts.URL, "http://")}
	ctx := context.Background()
	if _, err := c.Status(ctx); err == nil || !strings.HasPrefix(err.Error(), "control API: GET /v1/status: decode answer: ") {
		t.Errorf("Status() of HTML = %v, want a decode error", err)
	}
	if err := c.Reload(ctx); apiStatus(err) != http.StatusBadGateway || err.Error() != "control API: 502 Bad Gateway" {
		t.Errorf("Reload() of a plain-text 502 = %v", err)
	}
}

func TestClientUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := &control.Client{Addr: addr}
	if _, err := c.Overrides(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "control API: ") || apiStatus(err) != -1 {
		t.Errorf("Overrides() of a closed port = %v, want a transport error", err)
	}
}
