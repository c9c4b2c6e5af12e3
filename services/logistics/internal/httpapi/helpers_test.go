package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/logistics/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/httpserver/servetest"
	"github.com/rocketmart/rocketmart/services/platform/txmsg/txmsgtest"
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
	svc := shipping.NewService(store.New(db), inlineEvents(), nil, nil)
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

// response is one answer as a client sees it, with this package's decoders.
type response struct{ servetest.Response }

// do sends a request; headers are name, value pairs.
func (a app) do(t *testing.T, method, path, body string, headers ...string) response {
	t.Helper()
	return response{servetest.Do(a.handler, method, path, body, headers...)}
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
	if r.Status != http.StatusOK {
		t.Fatalf("status = %d, body %s; want 200", r.Status, r.Body)
	}
	var s httpapi.Shipment
	if err := json.Unmarshal(r.Body, &s); err != nil {
		t.Fatalf("decode shipment %s: %v", r.Body, err)
	}
	return s
}

// list decodes a 200 ShipmentList answer into its order numbers.
func (r response) list(t *testing.T) []string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status = %d, body %s; want 200", r.Status, r.Body)
	}
	var l httpapi.ShipmentList
	if err := json.Unmarshal(r.Body, &l); err != nil {
		t.Fatalf("decode list %s: %v", r.Body, err)
	}
	out := []string{}
	for _, s := range l.Shipments {
		out = append(out, s.OrderNo)
	}
	return out
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

// inlineEvents publishes without a broker: each move's local transaction
// runs at once (txmsgtest.Inline).
func inlineEvents() shipping.Events {
	return shipping.Events{Shipped: &txmsgtest.Inline[contracts.ShipmentShipped]{}, Delivered: &txmsgtest.Inline[contracts.ShipmentDelivered]{}}
}
