package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
)

const adminToken = "test-admin"

// The seeded SKUs the tests lean on.
const (
	rocket = "RM-LAMP-ROCKET" // 5 units
	tent   = "RM-TENT-2P"     // 20 units
	mug    = "RM-MUG-STONE"   // 200 units
)

type api struct {
	url     string
	handler http.Handler
	svc     *inventory.Service
	db      *gorm.DB
}

func newAPI(t *testing.T, db *gorm.DB) api {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	svc := inventory.NewService(store.New(db), nil, nil, nil)
	if _, err := svc.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httpserver.New(httpserver.Config{ServiceName: "inventory"}, nil)
	httpapi.Register(srv.Router(), svc, adminToken)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return api{url: ts.URL, handler: srv.Handler(), svc: svc, db: db}
}

// response is what a call got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorCode returns the shared error shape's code, or "" if the body is not
// in that shape.
func (r response) errorCode() string {
	var e httpserver.ErrorResponse
	if json.Unmarshal(r.body, &e) != nil {
		return ""
	}
	return e.Error.Code
}

func (r response) errorDetails() map[string]any {
	var e httpserver.ErrorResponse
	if json.Unmarshal(r.body, &e) != nil {
		return nil
	}
	return e.Error.Details
}

// call sends body (nil for none) with headers; "admin" in headers is a
// shorthand for the right admin token.
func (a api) call(t *testing.T, method, path string, body string, headers map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

var adminHeaders = map[string]string{httpserver.HeaderAdminToken: adminToken}

// pairs returns headers as name, value pairs for servetest; never nil, so
// that no headers stays no headers.
func pairs(headers map[string]string) []string {
	out := []string{}
	for k, v := range headers {
		out = append(out, k, v)
	}
	return out
}

func (a api) admin(t *testing.T, method, path, body string) response {
	t.Helper()
	return a.call(t, method, path, body, adminHeaders)
}

// reserveBody builds a reservation request expiring in 30 minutes.
func reserveBody(t *testing.T, orderNo string, lines ...httpapi.ReserveLine) string {
	t.Helper()
	b, err := json.Marshal(httpapi.ReserveRequest{OrderNo: orderNo, Lines: lines,
		ExpiresAt: time.Now().Add(30 * time.Minute).UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

// stock reads the admin stock list by SKU and checks the invariant.
func (a api) stock(t *testing.T) map[string]httpapi.StockLevel {
	t.Helper()
	r := a.admin(t, http.MethodGet, "/api/v1/admin/stock", "")
	if r.status != http.StatusOK {
		t.Fatalf("stock: %d %s", r.status, r.body)
	}
	out := map[string]httpapi.StockLevel{}
	for _, s := range decode[httpapi.StockList](t, r).Stock {
		if s.Initial+s.Restocked != s.Available+s.Reserved+s.Sold || s.Available < 0 || s.Reserved < 0 || s.Sold < 0 {
			t.Errorf("stock of %s breaks the invariant: %+v", s.SKU, s)
		}
		out[s.SKU] = s
	}
	return out
}

// state is everything a bad request must leave unchanged.
type state struct {
	stock        map[string]httpapi.StockLevel
	reservations []map[string]any
	lines        []map[string]any
	restocks     []map[string]any
}

func (a api) state(t *testing.T) state {
	t.Helper()
	s := state{stock: a.stock(t)}
	if err := a.db.Table("reservations").Order("order_no").Find(&s.reservations).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.db.Table("reservation_lines").Order("order_no, sku").Find(&s.lines).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.db.Table("restocks").Order("id").Find(&s.restocks).Error; err != nil {
		t.Fatal(err)
	}
	return s
}
