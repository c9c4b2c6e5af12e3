package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/points/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
	"github.com/rocketmart/rocketmart/services/points/internal/store"
)

const adminToken = "test-admin-token"

// app is the points HTTP API on a real database.
type app struct {
	handler http.Handler
	svc     *points.Service
}

func newApp(t *testing.T, db *gorm.DB) app {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	svc := points.NewService(store.New(db))
	srv := httpserver.New(httpserver.Config{}, nil)
	httpapi.Register(srv.Router(), svc, adminToken)
	return app{handler: srv.Handler(), svc: svc}
}

// credit pays an order for user through the service, as the consumer does.
func (a app) credit(t *testing.T, user, orderNo string, totalCents int64) points.Entry {
	t.Helper()
	e, err := a.svc.CreditOrderPaid(t.Context(), "test", points.OrderPaid{
		EventID: "ev-" + orderNo, OrderNo: orderNo, UserID: user, TotalCents: totalCents,
	})
	if err != nil {
		t.Fatalf("credit %s: %v", orderNo, err)
	}
	return e
}

// response is one answer as a client sees it.
type response struct {
	status int
	header http.Header
	body   []byte
}

// get sends a GET; headers are name, value pairs.
func (a app) get(t *testing.T, path string, headers ...string) response {
	t.Helper()
	return a.do(t, http.MethodGet, path, headers...)
}

func (a app) do(t *testing.T, method, path string, headers ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (a app) as(t *testing.T, user, path string) response {
	t.Helper()
	return a.get(t, path, httpserver.HeaderUserID, user)
}

func (a app) admin(t *testing.T, path string) response {
	t.Helper()
	return a.get(t, path, httpserver.HeaderAdminToken, adminToken)
}

// decode checks for 200 and decodes the body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, body %s; want 200", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// wantError checks the status and the shared error shape.
func (r response) wantError(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, body %s; want %d %s", r.status, r.body, status, code)
		return
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	var e httpserver.ErrorResponse
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("decode error %s: %v", r.body, err)
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("error = %+v, want code %s with a message", e.Error, code)
	}
}
