package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/httpapi"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// restock sends a restock of sku under key.
func (a api) restock(t *testing.T, sku, key string, quantity int) response {
	t.Helper()
	return a.call(t, http.MethodPost, "/api/v1/admin/stock/"+sku+"/restock", fmt.Sprintf(`{"quantity":%d}`, quantity),
		map[string]string{httpserver.HeaderAdminToken: adminToken, httpapi.HeaderIdempotencyKey: key})
}

func TestRestockAddsOncePerKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		r := a.restock(t, tent, "restock-1", 30)
		if r.status != http.StatusCreated {
			t.Fatalf("restock: %d %s", r.status, r.body)
		}
		first := decode[httpapi.RestockResponse](t, r)
		want := httpapi.StockLevel{SKU: tent, Initial: 20, Restocked: 30, Available: 50}
		if first.SKU != tent || first.Quantity != 30 || first.RestockID == "" || first.Stock != want {
			t.Errorf("restock answered %+v, want 30 %s and stock %+v", first, tent, want)
		}
		if got := a.stock(t)[tent]; got != want {
			t.Errorf("stock after the restock %+v, want %+v", got, want)
		}

		replay := a.restock(t, tent, "restock-1", 30)
		if replay.status != http.StatusOK || decode[httpapi.RestockResponse](t, replay) != first {
			t.Errorf("replay: %d %s, want 200 and the first restock %+v", replay.status, replay.body, first)
		}
		for _, tc := range []struct {
			name     string
			sku      string
			quantity int
		}{{"another quantity", tent, 31}, {"another SKU", mug, 30}} {
			r := a.restock(t, tc.sku, "restock-1", tc.quantity)
			if r.status != http.StatusUnprocessableEntity || r.errorCode() != "IDEMPOTENCY_KEY_REUSED" {
				t.Errorf("%s under the used key: %d %s, want 422 IDEMPOTENCY_KEY_REUSED", tc.name, r.status, r.body)
			}
		}
		if got := a.stock(t); got[tent] != want || got[mug].Restocked != 0 {
			t.Errorf("replays changed the stock: %+v, %+v", got[tent], got[mug])
		}

		if r := a.restock(t, tent, "restock-2", 5); r.status != http.StatusCreated {
			t.Fatalf("second restock: %d %s", r.status, r.body)
		}
		// The restocked units sell: 55 tents where 20 were seeded.
		if r := a.admin(t, http.MethodPost, "/api/v1/reservations", reserveBody(t, "RM-BIG", httpapi.ReserveLine{SKU: tent, Quantity: 55})); r.status != http.StatusCreated {
			t.Fatalf("reserve the restocked units: %d %s", r.status, r.body)
		}
		if got, want := a.stock(t)[tent], (httpapi.StockLevel{SKU: tent, Initial: 20, Restocked: 35, Reserved: 55}); got != want {
			t.Errorf("stock %+v, want %+v", got, want)
		}
	})
}

func TestConcurrentRestocksWithOneKeyAddOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		const n = 20
		answers := make([]response, n)
		testkit.Concurrently(n, func(i int) error {
			answers[i] = a.restock(t, mug, "same", 100)
			return nil
		})
		created := 0
		id := decode[httpapi.RestockResponse](t, answers[0]).RestockID
		for i, r := range answers {
			switch r.status {
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Errorf("restock %d: %d %s", i, r.status, r.body)
				continue
			}
			if got := decode[httpapi.RestockResponse](t, r).RestockID; got != id {
				t.Errorf("restock %d is %s, restock 0 is %s", i, got, id)
			}
		}
		if created != 1 {
			t.Errorf("%d answers were 201, want 1", created)
		}
		if got := a.stock(t)[mug]; got.Restocked != 100 || got.Available != 300 {
			t.Errorf("mug stock %+v, want 100 restocked once (300 available)", got)
		}
	})
}

// Restocks racing reservations of the same SKU: every restock counts, no
// reservation oversells, and the stock adds up (a.stock checks it).
func TestRestocksRacingReservations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a := newAPI(t, db)
		const n = 30 // 15 restocks of 2 rockets, 15 buyers of 2
		statuses := make([]int, n)
		testkit.Concurrently(n, func(i int) error {
			if i%2 == 0 {
				statuses[i] = a.restock(t, rocket, fmt.Sprint("race-", i), 2).status
			} else {
				statuses[i] = a.admin(t, http.MethodPost, "/api/v1/reservations",
					reserveBody(t, fmt.Sprint("RM-RACE-", i), httpapi.ReserveLine{SKU: rocket, Quantity: 2})).status
			}
			return nil
		})
		reserved := 0
		for i, s := range statuses {
			switch {
			case i%2 == 0 && s != http.StatusCreated:
				t.Errorf("restock %d: %d", i, s)
			case i%2 == 1 && s == http.StatusCreated:
				reserved += 2
			case i%2 == 1 && s != http.StatusConflict:
				t.Errorf("reservation %d: %d", i, s)
			}
		}
		got := a.stock(t)[rocket]
		if want := (httpapi.StockLevel{SKU: rocket, Initial: 5, Restocked: 30, Available: 35 - reserved, Reserved: reserved}); got != want {
			t.Errorf("rocket stock %+v, want %+v", got, want)
		}
	})
}
