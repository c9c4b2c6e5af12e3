package remote_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/remote"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/svcclient"
)

const token = "test-admin"

// orderService speaks the order service's admin JSON: {"status": ...} for
// known orders, 404 ORDER_NOT_FOUND for others.
type orderService struct {
	mu     sync.Mutex
	status map[string]string
	asked  []string
}

func (o *orderService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	no, ok := strings.CutPrefix(r.URL.Path, "/api/v1/admin/orders/")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"code":"ROUTE_NOT_FOUND","message":"no such route"}}`))
		return
	}
	if r.Header.Get(httpserver.HeaderAdminToken) != token {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"error":{"code":"INVALID_ADMIN_TOKEN","message":"wrong"}}`))
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.asked = append(o.asked, no)
	s, found := o.status[no]
	if !found {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":{"code":"ORDER_NOT_FOUND","message":"no such order","details":{"orderNo":"` + no + `"}}}`))
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"orderNo": no, "status": s, "totalCents": 100, "lines": []any{}})
}

func TestOrderStatus(t *testing.T) {
	orders := &orderService{status: map[string]string{"RM-PAID": "PAID", "RM-X": "CANCELLED"}}
	ts := httptest.NewServer(orders)
	defer ts.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/admin/orders/RM-EMPTY":
			w.Write([]byte(`{"orderNo":"RM-EMPTY"}`))
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer broken.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name       string
		base       string
		token      string
		orderNo    string
		wantStatus string
		wantFound  bool
		wantErr    bool
	}{
		{"paid", ts.URL, token, "RM-PAID", "PAID", true, false},
		{"cancelled", ts.URL, token, "RM-X", "CANCELLED", true, false},
		{"unknown order", ts.URL, token, "RM-NONE", "", false, false},
		{"wrong token", ts.URL, "nope", "RM-PAID", "", false, true},
		{"wrong service (no such route)", ts.URL + "/elsewhere", token, "RM-PAID", "", false, true},
		{"server error", broken.URL, token, "RM-PAID", "", false, true},
		{"answer without status", broken.URL, token, "RM-EMPTY", "", false, true},
		{"unreachable", closed.URL, token, "RM-PAID", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := remote.NewOrders(svcclient.New(tt.base, tt.token, 2*time.Second))
			status, found, err := c.OrderStatus(context.Background(), tt.orderNo)
			if (err != nil) != tt.wantErr || status != tt.wantStatus || found != tt.wantFound {
				t.Errorf("got (%q, %v, %v), want (%q, %v, error %v)", status, found, err, tt.wantStatus, tt.wantFound, tt.wantErr)
			}
		})
	}
}

// The sweeper against an order service speaking HTTP: 404 and CANCELLED
// release, live orders keep, and an unreachable service keeps everything.
func TestSweeperAsksTheOrderService(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := store.Migrate(db); err != nil {
			t.Fatal(err)
		}
		st := store.New(db)
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }

		orders := &orderService{status: map[string]string{
			"RM-CANCELLED": "CANCELLED", "RM-PENDING": "PENDING_PAYMENT", "RM-PAID": "PAID", "RM-FRESH": "PENDING_PAYMENT"}}
		ts := httptest.NewServer(orders)
		defer ts.Close()
		svc := inventory.NewService(st, remote.NewOrders(svcclient.New(ts.URL, token, time.Second)), nil, clock)
		if _, err := svc.Seed(ctx); err != nil {
			t.Fatal(err)
		}
		reserve := func(orderNo string, ttl time.Duration) {
			t.Helper()
			_, _, err := svc.Reserve(ctx, inventory.ReserveRequest{OrderNo: orderNo, ExpiresAt: clock().Add(ttl),
				Lines: []inventory.LineRequest{{SKU: "RM-LAMP-ROCKET", Quantity: 1}}})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, no := range []string{"RM-ABSENT", "RM-CANCELLED", "RM-PENDING", "RM-PAID"} {
			reserve(no, time.Minute)
		}
		reserve("RM-FRESH", time.Hour)
		advance(2 * time.Minute)

		released, err := svc.SweepExpired(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if released != 2 {
			t.Errorf("released %d, want 2", released)
		}
		for no, want := range map[string]inventory.Status{"RM-ABSENT": inventory.Released, "RM-CANCELLED": inventory.Released,
			"RM-PENDING": inventory.Reserved, "RM-PAID": inventory.Reserved, "RM-FRESH": inventory.Reserved} {
			r, err := svc.Reservation(ctx, no)
			if err != nil || r.Status != want {
				t.Errorf("%s: %s (%v), want %s", no, r.Status, err, want)
			}
		}
		orders.mu.Lock()
		if slices.Contains(orders.asked, "RM-FRESH") {
			t.Error("the sweeper asked about a reservation that has not expired")
		}
		orders.mu.Unlock()
		if got := stockOf(t, svc, "RM-LAMP-ROCKET"); got.Available != 2 || got.Reserved != 3 {
			t.Errorf("rocket stock = %+v, want 2 available, 3 reserved", got)
		}

		// The order service goes away: nothing is released, however expired.
		ts.Close()
		advance(2 * time.Hour)
		if _, err := svc.SweepExpired(ctx); err == nil {
			t.Error("sweep with the order service down reported no error")
		}
		for _, no := range []string{"RM-PENDING", "RM-PAID", "RM-FRESH"} {
			if r, err := svc.Reservation(ctx, no); err != nil || r.Status != inventory.Reserved {
				t.Errorf("%s: %s (%v) while the order service was down, want RESERVED", no, r.Status, err)
			}
		}
		if got := stockOf(t, svc, "RM-LAMP-ROCKET"); got.Reserved != 3 {
			t.Errorf("rocket stock = %+v, want 3 still reserved", got)
		}
	})
}

func stockOf(t *testing.T, svc *inventory.Service, sku string) inventory.Stock {
	t.Helper()
	list, err := svc.Stock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.SKU == sku {
			if s.Initial+s.Restocked != s.Available+s.Reserved+s.Sold {
				t.Errorf("stock of %s breaks the invariant: %+v", sku, s)
			}
			return s
		}
	}
	t.Fatalf("no stock for %s", sku)
	return inventory.Stock{}
}
