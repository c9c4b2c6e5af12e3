package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/logistics/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

const adminToken = "test-admin-token"

// app is the logistics HTTP API on a real database.
type app struct {
	handler http.Handler
	svc     *shipping.Service
	db      *gorm.DB
}

func newApp(t *testing.T, db *gorm.DB) app {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	svc := shipping.NewService(store.New(db), nil, nil)
	srv := httpserver.New(httpserver.Config{ServiceName: "logistics-test"}, nil)
	httpapi.Register(srv.Router(), svc, adminToken)
	return app{handler: srv.Handler(), svc: svc, db: db}
}

// seed creates a shipment the way the ORDER_PAID consumer does.
func (a app) seed(t *testing.T, orderNo, userID string) {
	t.Helper()
	ev := contracts.OrderPaid{EventID: "ev-" + orderNo, OrderNo: orderNo, UserID: userID, TotalCents: 31998,
		Lines:   []contracts.OrderLine{{SKU: "RM-LAMP-ROCKET", Name: "Limited Edition Rocket Lamp", Quantity: 2, UnitPriceCents: 15999}},
		Address: contracts.Address{Name: "Alice Rich", Line1: "1 Launch Pad Road", City: "Cape Town", PostalCode: "8001", Country: "ZA"},
		PaidAt:  time.Now()}
	if _, err := a.svc.CreateForPaidOrder(t.Context(), contracts.ConsumerLogisticsOrderPaid, ev); err != nil {
		t.Fatalf("seed %s: %v", orderNo, err)
	}
}

// response is one answer as a client sees it.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; headers are name, value pairs.
func (a app) do(t *testing.T, method, path, body string, headers ...string) response {
	t.Helper()
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
	a.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// as sends a request as a demo user.
func (a app) as(t *testing.T, user, method, path string) response {
	t.Helper()
	return a.do(t, method, path, "", httpserver.HeaderUserID, user)
}

// admin sends a request with the right admin token.
func (a app) admin(t *testing.T, method, path, body string) response {
	t.Helper()
	return a.do(t, method, path, body, httpserver.HeaderAdminToken, adminToken)
}

// shipment decodes a 200 Shipment answer.
func (r response) shipment(t *testing.T) httpapi.Shipment {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, body %s; want 200", r.status, r.body)
	}
	var s httpapi.Shipment
	if err := json.Unmarshal(r.body, &s); err != nil {
		t.Fatalf("decode shipment %s: %v", r.body, err)
	}
	return s
}

// list decodes a 200 ShipmentList answer into its order numbers.
func (r response) list(t *testing.T) []string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, body %s; want 200", r.status, r.body)
	}
	var l httpapi.ShipmentList
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatalf("decode list %s: %v", r.body, err)
	}
	out := []string{}
	for _, s := range l.Shipments {
		out = append(out, s.OrderNo)
	}
	return out
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

// trackingEvents counts a shipment's tracking events of one status.
func (a app) trackingEvents(t *testing.T, orderNo string, status shipping.Status) int64 {
	t.Helper()
	var n int64
	if err := a.db.Table("tracking_events").Where("order_no = ? AND status = ?", orderNo, string(status)).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
