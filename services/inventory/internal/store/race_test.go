package store_test

import (
	"context"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// Many buyers race for the last units: exactly the stock is reserved, never more.
func TestReserveNeverOversells(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		const buyers, stock = 40, 5
		errs := make([]error, buyers)
		var wg sync.WaitGroup
		for i := range buyers {
			wg.Go(func() { _, _, errs[i] = e.reserve(orderNo(i), line(rocket, 1)) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case code(err) != "OUT_OF_STOCK":
				t.Errorf("buyer %d: err = %v, want OUT_OF_STOCK", i, err)
			}
		}
		if won != stock {
			t.Errorf("%d reservations succeeded, want exactly %d", won, stock)
		}
		if got := e.stock(t)[rocket]; got.Available != 0 || got.Reserved != stock {
			t.Errorf("rocket stock = %+v, want 0 available and %d reserved", got, stock)
		}
		if got := e.count(t, "reservations"); got != stock {
			t.Errorf("%d reservation rows, want %d: a loser left a row behind", got, stock)
		}
	})
}

// Concurrent requests for one order (a client retrying while the first is in
// flight) reserve once.
func TestConcurrentReservesOfOneOrderReserveOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		const n = 10
		created := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, created[i], errs[i] = e.reserve("RM-SAME", line(tent, 2)) })
		}
		wg.Wait()
		made := 0
		for i := range n {
			if errs[i] != nil {
				t.Errorf("request %d: %v", i, errs[i])
			}
			if created[i] {
				made++
			}
		}
		if made != 1 {
			t.Errorf("%d requests created the reservation, want 1", made)
		}
		if got := e.stock(t)[tent]; got.Reserved != 2 {
			t.Errorf("tent reserved %d, want 2", got.Reserved)
		}
	})
}

// Release races itself: the stock comes back exactly once.
func TestConcurrentReleasesReturnStockOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		if _, _, err := e.reserve("RM-REL", line(tent, 4), line(rocket, 2)); err != nil {
			t.Fatal(err)
		}
		const n = 10
		results := make([]inventory.Reservation, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { results[i], errs[i] = e.svc.Release(context.Background(), "RM-REL") })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || results[i].Status != inventory.Released {
				t.Errorf("release %d: status %s, err %v; want RELEASED", i, results[i].Status, errs[i])
			}
		}
		got := e.stock(t)
		if got[tent].Available != 20 || got[tent].Reserved != 0 || got[rocket].Available != 5 || got[rocket].Reserved != 0 {
			t.Errorf("stock after releases: tent %+v, rocket %+v; want everything back once", got[tent], got[rocket])
		}
	})
}
