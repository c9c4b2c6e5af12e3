package httpserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

func TestRequestID(t *testing.T) {
	tests := []struct {
		name     string
		header   string
		wantEcho bool // the response carries the caller's id
	}{
		{"generated when absent", "", false},
		{"echoed when present", "gw-7f3a-0001", true},
		{"replaced when it has spaces", "two words", false},
		{"replaced when too long", strings.Repeat("x", 129), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, sink := newServer(t, httpserver.Config{})
			var seen string
			srv.Router().GET("/id", func(c *gin.Context) {
				seen = httpserver.RequestID(c.Request.Context())
				httpserver.Logger(c.Request.Context()).Info("handler log")
				c.Status(http.StatusNoContent)
			})

			var headers []string
			if tt.header != "" {
				headers = []string{httpserver.HeaderRequestID, tt.header}
			}
			rec := do(t, srv.Handler(), http.MethodGet, "/id", nil, headers...)

			got := rec.Header().Get(httpserver.HeaderRequestID)
			if got == "" {
				t.Fatal("no X-Request-ID in the response")
			}
			if tt.wantEcho && got != tt.header {
				t.Errorf("X-Request-ID = %q, want the caller's %q", got, tt.header)
			}
			if !tt.wantEcho && got == tt.header {
				t.Errorf("X-Request-ID = %q, want a generated one", got)
			}
			if seen != got {
				t.Errorf("RequestID(ctx) in handler = %q, want %q", seen, got)
			}
			for _, msg := range []string{"handler log", "http request"} {
				lines := sink.lines(t, msg)
				if len(lines) != 1 {
					t.Fatalf("%d %q log lines, want 1; log:\n%s", len(lines), msg, sink)
				}
				if lines[0]["request_id"] != got || lines[0]["service"] != "test" {
					t.Errorf("%q line has request_id %v, service %v; want %q, test", msg, lines[0]["request_id"], lines[0]["service"], got)
				}
			}
		})
	}
}

func TestPanicBecomes500WithoutLeaking(t *testing.T) {
	srv, sink := newServer(t, httpserver.Config{})
	srv.Router().GET("/boom", func(c *gin.Context) {
		panic("password=hunter2 SELECT * FROM wallets")
	})

	rec := do(t, srv.Handler(), http.MethodGet, "/boom", nil)

	if got, want := rec.Code, http.StatusInternalServerError; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	body := decodeError(t, rec)
	if body.Error.Code != "INTERNAL" || body.Error.Message != "internal error" {
		t.Errorf("error = %+v, want INTERNAL / internal error", body.Error)
	}
	if got, want := body.Error.Details["request_id"], rec.Header().Get(httpserver.HeaderRequestID); got != want {
		t.Errorf("details.request_id = %v, want %q", got, want)
	}
	for _, leak := range []string{"hunter2", "SELECT", "goroutine", ".go:"} {
		if strings.Contains(rec.Body.String(), leak) {
			t.Errorf("response %q leaks %q", rec.Body.String(), leak)
		}
	}

	lines := sink.lines(t, "panic in handler")
	if len(lines) != 1 {
		t.Fatalf("%d panic log lines, want 1; log:\n%s", len(lines), sink)
	}
	if lines[0]["level"] != "ERROR" || !strings.Contains(lines[0]["panic"].(string), "hunter2") {
		t.Errorf("panic line = %v, want level ERROR with the panic value", lines[0])
	}
	if stack, _ := lines[0]["stack"].(string); !strings.Contains(stack, "TestPanicBecomes500WithoutLeaking") {
		t.Errorf("panic line stack %q does not show the panicking function", stack)
	}
	access := sink.lines(t, "http request")
	if len(access) != 1 || access[0]["status"] != float64(500) || access[0]["error_code"] != "INTERNAL" {
		t.Errorf("access log = %v, want one line with status 500 and error_code INTERNAL", access)
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantCode   string
		wantAllow  string
	}{
		{"unknown route", http.MethodGet, "/nope", http.StatusNotFound, "ROUTE_NOT_FOUND", ""},
		{"wrong method", http.MethodPost, "/healthz", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newServer(t, httpserver.Config{})
			rec := do(t, srv.Handler(), tt.method, tt.path, nil)

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := decodeError(t, rec).Error.Code; got != tt.wantCode {
				t.Errorf("code = %q, want %q", got, tt.wantCode)
			}
			if got := rec.Header().Get("Allow"); !strings.Contains(got, tt.wantAllow) {
				t.Errorf("Allow = %q, want it to contain %q", got, tt.wantAllow)
			}
		})
	}
}
