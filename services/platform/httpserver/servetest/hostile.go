package servetest

import (
	"net/http"
	"strings"
	"testing"
)

// Hostile is one request a client should not send and the exact error it
// must get back.
type Hostile struct {
	Name    string
	Method  string // "" means GET
	Path    string
	Body    string // "" for none
	Headers []string
	// Headers are name, value pairs. nil takes RunHostile's defaults; an
	// empty non-nil slice sends none.
	Status int
	Code   string
}

// leaks are texts of the database layer that no error body may show.
var leaks = []string{"SELECT", "INSERT", "constraint", "sql: "}

// RunHostile sends each request to h in a subtest named after it and checks
// that it answers its exact status and code in the shared error shape
// (WantError) without showing database text. defaults gives the headers of
// a request whose Headers is nil (it may be nil: no headers). afterEach,
// when not nil, runs in every subtest after the request: the place to check
// that the request changed nothing.
func RunHostile(t *testing.T, h http.Handler, defaults func(Hostile) []string, reqs []Hostile, afterEach func(t *testing.T)) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatal("RunHostile: no requests")
	}
	for _, req := range reqs {
		t.Run(req.Name, func(t *testing.T) {
			headers := req.Headers
			if headers == nil && defaults != nil {
				headers = defaults(req)
			}
			method := req.Method
			if method == "" {
				method = http.MethodGet
			}
			checkHostile(t, Do(h, method, req.Path, req.Body, headers...), req)
			if afterEach != nil {
				afterEach(t)
			}
		})
	}
}

// checkHostile is RunHostile's check of one answer.
func checkHostile(t testing.TB, r Response, req Hostile) {
	t.Helper()
	r.WantError(t, req.Status, req.Code)
	for _, leak := range leaks {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("body shows database text %q: %s", leak, r.Body)
		}
	}
}
