package httpapi_test

import (
	"context"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

func TestReservationLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		body := reserveBody(t, "RM-HTTP-1", httpapi.ReserveLine{SKU: tent, Quantity: 2}, httpapi.ReserveLine{SKU: mug, Quantity: 3})

		r := a.admin(t, http.MethodPost, "/api/v1/reservations", body)
		if r.status != http.StatusCreated {
			t.Fatalf("reserve: %d %s", r.status, r.body)
		}
		created := decode[httpapi.Reservation](t, r)
		if created.Status != "RESERVED" || len(created.Lines) != 2 || created.Lines[0] != (httpapi.ReservationLine{
			SKU: tent, Name: "Ultralight 2-Person Tent", Quantity: 2, UnitPriceCents: 24999}) {
			t.Errorf("created = %+v", created)
		}
		if created.CreatedAt.Location().String() != "UTC" || created.ExpiresAt.IsZero() {
			t.Errorf("timestamps %v / %v, want UTC", created.CreatedAt, created.ExpiresAt)
		}

		r = a.admin(t, http.MethodPost, "/api/v1/reservations", body)
		if r.status != http.StatusOK {
			t.Fatalf("replay: %d %s, want 200", r.status, r.body)
		}
		if got := decode[httpapi.Reservation](t, r); !reflect.DeepEqual(got, created) {
			t.Errorf("replay = %+v, want %+v", got, created)
		}
		r = a.admin(t, http.MethodGet, "/api/v1/reservations/RM-HTTP-1", "")
		if got := decode[httpapi.Reservation](t, r); r.status != http.StatusOK || !reflect.DeepEqual(got, created) {
			t.Errorf("get: %d %+v, want %+v", r.status, got, created)
		}

		other := reserveBody(t, "RM-HTTP-1", httpapi.ReserveLine{SKU: tent, Quantity: 1})
		if r = a.admin(t, http.MethodPost, "/api/v1/reservations", other); r.status != http.StatusConflict || r.errorCode() != "RESERVATION_MISMATCH" {
			t.Errorf("mismatch: %d %s", r.status, r.body)
		}
		if s := a.stock(t); s[tent].Reserved != 2 || s[mug].Reserved != 3 {
			t.Errorf("stock = %+v %+v, want 2 and 3 reserved once", s[tent], s[mug])
		}

		for i := range 2 { // releasing twice answers the same
			r = a.admin(t, http.MethodPost, "/api/v1/reservations/RM-HTTP-1/release", "")
			if got := decode[httpapi.Reservation](t, r); r.status != http.StatusOK || got.Status != "RELEASED" {
				t.Errorf("release %d: %d %s", i, r.status, r.body)
			}
		}
		if s := a.stock(t); s[tent].Available != 20 || s[mug].Available != 200 {
			t.Errorf("stock after release = %+v %+v", s[tent], s[mug])
		}

		// A released order number still answers its reservation on replay.
		if r = a.admin(t, http.MethodPost, "/api/v1/reservations", body); r.status != http.StatusOK ||
			decode[httpapi.Reservation](t, r).Status != "RELEASED" {
			t.Errorf("replay after release: %d %s", r.status, r.body)
		}
	})
}

func TestReleaseOfSoldReservationConflicts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		if r := a.admin(t, http.MethodPost, "/api/v1/reservations", reserveBody(t, "RM-SOLD", httpapi.ReserveLine{SKU: rocket, Quantity: 1})); r.status != http.StatusCreated {
			t.Fatalf("reserve: %d %s", r.status, r.body)
		}
		if _, err := a.svc.Sell(context.Background(), "RM-SOLD"); err != nil {
			t.Fatal(err)
		}
		before := a.state(t)
		r := a.admin(t, http.MethodPost, "/api/v1/reservations/RM-SOLD/release", "")
		if r.status != http.StatusConflict || r.errorCode() != "RESERVATION_SOLD" {
			t.Errorf("release sold: %d %s", r.status, r.body)
		}
		if after := a.state(t); !reflect.DeepEqual(before, after) {
			t.Errorf("a refused release changed state")
		}
	})
}

// The oversell race through HTTP: exactly the stock is reserved, every loser
// gets 409 OUT_OF_STOCK naming the SKU.
func TestConcurrentReservationsNeverOversell(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		const buyers, stock = 40, 5
		responses := make([]response, buyers)
		bodies := make([]string, buyers)
		for i := range buyers {
			bodies[i] = reserveBody(t, "RM-RACE-"+string(rune('A'+i%26))+string(rune('a'+i/26)), httpapi.ReserveLine{SKU: rocket, Quantity: 1})
		}
		var wg sync.WaitGroup
		for i := range buyers {
			wg.Go(func() { responses[i] = a.admin(t, http.MethodPost, "/api/v1/reservations", bodies[i]) })
		}
		wg.Wait()
		won := 0
		for i, r := range responses {
			switch {
			case r.status == http.StatusCreated:
				won++
			case r.status != http.StatusConflict || r.errorCode() != "OUT_OF_STOCK":
				t.Errorf("buyer %d: %d %s, want 201 or 409 OUT_OF_STOCK", i, r.status, r.body)
			default:
				short, _ := r.errorDetails()["short"].([]any)
				if len(short) != 1 || short[0].(map[string]any)["sku"] != rocket {
					t.Errorf("buyer %d: short = %v, want the rocket lamp", i, short)
				}
			}
		}
		if won != stock {
			t.Errorf("%d reservations succeeded, want exactly %d", won, stock)
		}
		if s := a.stock(t)[rocket]; s.Available != 0 || s.Reserved != stock {
			t.Errorf("rocket stock = %+v", s)
		}
	})
}

func TestOutOfStockListsEveryShortSKU(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		before := a.state(t)
		r := a.admin(t, http.MethodPost, "/api/v1/reservations", reserveBody(t, "RM-SHORT",
			httpapi.ReserveLine{SKU: rocket, Quantity: 6}, httpapi.ReserveLine{SKU: mug, Quantity: 1}, httpapi.ReserveLine{SKU: tent, Quantity: 25}))
		if r.status != http.StatusConflict || r.errorCode() != "OUT_OF_STOCK" {
			t.Fatalf("%d %s, want 409 OUT_OF_STOCK", r.status, r.body)
		}
		want := []any{
			map[string]any{"sku": rocket, "requested": float64(6), "available": float64(5)},
			map[string]any{"sku": tent, "requested": float64(25), "available": float64(20)},
		}
		if got := r.errorDetails()["short"]; !reflect.DeepEqual(got, want) {
			t.Errorf("short = %v, want %v", got, want)
		}
		if after := a.state(t); !reflect.DeepEqual(before, after) {
			t.Errorf("an out-of-stock reservation changed state")
		}
	})
}
