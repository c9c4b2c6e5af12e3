package store_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

const refundGroup = "inventory-test-refunded"

// A refunded order's stock comes back once: SOLD → RETURNED, sold units
// available again, whatever number of deliveries race; a reservation not
// sold yet is retried with nothing kept.
func TestReturnRefunded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		before := e.stock(t)[tent]
		if _, _, err := e.reserve("RM-R1", line(tent, 3)); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ReturnRefunded(ctx, refundGroup, "ref-early", "RM-R1"); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("return before the sale: %v, want a Conflict (retried)", err)
		}
		if n := e.count(t, "processed_events"); n != 0 {
			t.Errorf("%d claims kept by a return that changed nothing", n)
		}
		if err := e.svc.SellPaid(ctx, "inventory-test-paid", "paid-1", "RM-R1"); err != nil {
			t.Fatal(err)
		}
		if got := e.stock(t)[tent]; got.Available != before.Available-3 || got.Sold != before.Sold+3 {
			t.Fatalf("after the sale: %+v", got)
		}

		// Five deliveries of one event and one of another event race.
		var applied, dups int
		results := testkit.Concurrently(6, func(i int) error {
			ev := "ref-1"
			if i == 5 {
				ev = "ref-2"
			}
			return e.svc.ReturnRefunded(ctx, refundGroup, ev, "RM-R1")
		})
		for _, err := range results {
			switch {
			case err == nil:
				applied++
			case errors.Is(err, apperr.ErrAlreadyApplied):
				dups++
			default:
				t.Errorf("return: %v", err)
			}
		}
		if applied < 1 || applied+dups != 6 {
			t.Errorf("%d applied, %d duplicates", applied, dups)
		}
		got := e.stock(t)[tent]
		if got.Available != before.Available || got.Sold != before.Sold {
			t.Errorf("after the return: %+v, want the units back exactly once (%+v)", got, before)
		}
		r, err := e.st.Reservation(ctx, "RM-R1")
		if err != nil || r.Status != inventory.Returned {
			t.Errorf("reservation %s %v, want RETURNED", r.Status, err)
		}
		if err := e.svc.ReturnRefunded(ctx, refundGroup, "ref-x", "RM-NONE"); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("return of an unknown order: %v, want NotFound", err)
		}
	})
}
