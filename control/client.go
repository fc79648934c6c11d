package control

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gslb/gslb/health"
)

// DefaultClientTimeout is how long a Client without an HTTP client waits
// for one answer.
const DefaultClientTimeout = 5 * time.Second

// maxAnswer is the largest answer body the Client reads.
const maxAnswer = 16 << 20

// Client calls the control API of a running server. An error answer is
// returned as an *APIError with the server's message; a failure to reach
// the server as an error starting "control API: ".
type Client struct {
	// Addr is the host:port of the control listener.
	Addr string
	// Token is the bearer token sent with every request; "" sends none.
	Token string
	// HTTP sends the requests. Nil: a client with DefaultClientTimeout.
	HTTP *http.Client
}

// Status returns the server's Status document.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var doc Status
	if err := c.do(ctx, http.MethodGet, "/v1/status", nil, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// StatusJSON returns the server's Status document as the server wrote it.
func (c *Client) StatusJSON(ctx context.Context) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := c.do(ctx, http.MethodGet, "/v1/status", nil, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// Overrides returns the overrides in force, sorted by key.
func (c *Client) Overrides(ctx context.Context) ([]health.Override, error) {
	var list []health.Override
	if err := c.do(ctx, http.MethodGet, "/v1/overrides", nil, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// SetOverride sets the override req asks for and returns it as the server
// stored it.
func (c *Client) SetOverride(ctx context.Context, req OverrideRequest) (health.Override, error) {
	var o health.Override
	err := c.do(ctx, http.MethodPost, "/v1/overrides", req, &o)
	return o, err
}

// ClearOverride clears the override with key k. When there is none the
// error is an *APIError with StatusCode 404.
func (c *Client) ClearOverride(ctx context.Context, k health.OverrideKey) error {
	q := url.Values{}
	if k.Pool != "" {
		q.Set("pool", k.Pool)
	}
	if k.Datacenter != "" {
		q.Set("datacenter", k.Datacenter)
	}
	if k.Addr.IsValid() {
		q.Set("addr", k.Addr.String())
	}
	return c.do(ctx, http.MethodDelete, "/v1/overrides?"+q.Encode(), nil, nil)
}

// Reload makes the server reload its zones and GeoIP databases. When any
// fails the error is an *APIError with one message per problem.
func (c *Client) Reload(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/reload", nil, nil)
}

// do sends a request with body (when not nil) as JSON and decodes a
// successful JSON answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("control API: %s %s: encode: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.Addr+path, rd)
	if err != nil {
		return fmt.Errorf("control API: %w", err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: DefaultClientTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("control API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("control API: %w", err)
	}
	if resp.StatusCode >= 300 {
		return apiError(resp, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("control API: %s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

// apiError reads the messages of an error answer, in an ErrorBody or a
// ReloadResult.
func apiError(resp *http.Response, data []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Status: resp.Status}
	var body struct {
		ErrorBody
		ReloadResult
	}
	if json.Unmarshal(data, &body) == nil {
		if body.Error != "" {
			e.Messages = append(e.Messages, body.Error)
		}
		e.Messages = append(e.Messages, body.Errors...)
	}
	return e
}
