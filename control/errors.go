package control

import (
	"errors"
	"strings"
)

// Errors that decide the HTTP status of an answer; test for them with
// errors.Is.
var (
	// ErrNotFound is what an error of Monitor.ClearOverride matches when no
	// override has the key: the API answers 404 Not Found.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable is returned for a request that the Server has no part
	// configured to carry out (no Monitor, no reload function): the API
	// answers 503 Service Unavailable.
	ErrUnavailable = errors.New("not available on this server")
)

// APIError is an error answer of the control API, as the Client reports
// it: the HTTP status and the server's messages.
type APIError struct {
	StatusCode int      // the HTTP status code, such as 404
	Status     string   // the HTTP status line, such as "404 Not Found"
	Messages   []string // the server's messages: one, or one per problem of a failed reload; none when the body had none
}

// Error returns the status followed by the server's messages, one per
// line, or "control API: " and the status when the server sent none.
func (e *APIError) Error() string {
	if len(e.Messages) == 0 {
		return "control API: " + e.Status
	}
	return e.Status + ": " + strings.Join(e.Messages, "\n")
}
