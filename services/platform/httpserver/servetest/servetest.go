// Package servetest sends requests straight to an http.Handler in tests and
// checks answers in the shared error shape, so every service's handler
// tests read the same way.
package servetest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

// Response is one answer as a client sees it.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends method path to h with body (JSON; "" for none) and headers given
// as name, value pairs.
func Do(h http.Handler, method, path, body string, headers ...string) Response {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// WantError checks that r is status with a JSON error of code and a message.
func (r Response) WantError(t testing.TB, status int, code string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status = %d, body %s; want %d %s", r.Status, r.Body, status, code)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	var e httpserver.ErrorResponse
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("decode error %s: %v", r.Body, err)
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("error = %+v, want code %s with a message", e.Error, code)
	}
}
