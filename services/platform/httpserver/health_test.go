package httpserver_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

func TestHealthz(t *testing.T) {
	failing := httpserver.ReadyCheck{Name: "db", Check: func(context.Context) error { return errors.New("down") }}
	srv, _ := newServer(t, httpserver.Config{}, failing)

	rec := do(t, srv.Handler(), http.MethodGet, "/healthz", nil)

	// Liveness must not depend on readiness checks.
	if got, want := rec.Code, http.StatusOK; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	if got, want := rec.Body.String(), `{"status":"ok"}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestReadyz(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("dial tcp 127.0.0.1:3306: connection refused") }
	unblock := make(chan struct{})
	t.Cleanup(func() { close(unblock) })
	hangs := func(context.Context) error { <-unblock; return nil } // ignores its ctx

	tests := []struct {
		name       string
		checks     []httpserver.ReadyCheck
		wantStatus int
		wantBody   string
	}{
		{"no checks", nil, http.StatusOK, `{"checks":{},"status":"ready"}`},
		{
			"all pass",
			[]httpserver.ReadyCheck{{Name: "db", Check: ok}, {Name: "broker", Check: ok}},
			http.StatusOK, `{"checks":{"broker":"ok","db":"ok"},"status":"ready"}`,
		},
		{
			"one fails",
			[]httpserver.ReadyCheck{{Name: "db", Check: down}, {Name: "broker", Check: ok}},
			http.StatusServiceUnavailable,
			`{"checks":{"broker":"ok","db":"dial tcp 127.0.0.1:3306: connection refused"},"status":"unavailable"}`,
		},
		{
			"one hangs past 2s",
			[]httpserver.ReadyCheck{{Name: "db", Check: ok}, {Name: "broker", Check: hangs}},
			http.StatusServiceUnavailable, `{"checks":{"broker":"no answer within 2s","db":"ok"},"status":"unavailable"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newServer(t, httpserver.Config{}, tt.checks...)
			rec := do(t, srv.Handler(), http.MethodGet, "/readyz", nil)

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Body.String(); got != tt.wantBody {
				t.Errorf("body = %s, want %s", got, tt.wantBody)
			}
		})
	}
}

func TestReadyzGivesChecksA2sDeadline(t *testing.T) {
	var left time.Duration
	check := httpserver.ReadyCheck{Name: "db", Check: func(ctx context.Context) error {
		deadline, ok := ctx.Deadline()
		if !ok {
			return errors.New("no deadline")
		}
		left = time.Until(deadline)
		return nil
	}}
	srv, _ := newServer(t, httpserver.Config{}, check)

	if rec := do(t, srv.Handler(), http.MethodGet, "/readyz", nil); rec.Code != http.StatusOK {
		t.Fatalf("status = %d, body %s", rec.Code, rec.Body)
	}
	if left <= 0 || left > 2*time.Second {
		t.Errorf("check deadline in %v, want within 2s", left)
	}
}

func TestMetrics(t *testing.T) {
	srv, _ := newServer(t, httpserver.Config{})
	srv.Router().GET("/items/:id", func(c *gin.Context) { c.Status(http.StatusOK) })
	other, _ := newServer(t, httpserver.Config{}) // must not share counters

	do(t, srv.Handler(), http.MethodGet, "/items/42", nil)
	do(t, srv.Handler(), http.MethodGet, "/items/43", nil)
	do(t, srv.Handler(), http.MethodGet, "/no/such/path", nil)
	rec := do(t, srv.Handler(), http.MethodGet, "/metrics", nil)

	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	for _, want := range []string{
		`http_requests_total{method="GET",route="/items/:id",status="200"} 2`,
		`http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`http_request_duration_seconds_bucket{method="GET",route="/items/:id",le="+Inf"} 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(rec.Body.String(), "/items/42") {
		t.Error("/metrics labels a raw path; want the route template")
	}

	otherRec := do(t, other.Handler(), http.MethodGet, "/metrics", nil)
	if strings.Contains(otherRec.Body.String(), `route="/items/:id"`) {
		t.Error("a second Server sees the first one's requests; want a registry per Server")
	}
}
