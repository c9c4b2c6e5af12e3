package httpapi_test

import (
	"encoding/json"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
	"net/http"
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

// response is one answer as a client sees it, with this package's decoders.
type response struct{ servetest.Response }

// get sends a GET; headers are name, value pairs.
func (a app) get(t *testing.T, path string, headers ...string) response {
	t.Helper()
	return a.do(t, http.MethodGet, path, headers...)
}

func (a app) do(t *testing.T, method, path string, headers ...string) response {
	t.Helper()
	return response{servetest.Do(a.handler, method, path, "", headers...)}
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
	if r.Status != http.StatusOK {
		t.Fatalf("status = %d, body %s; want 200", r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// wantError checks the status and the shared error shape.
