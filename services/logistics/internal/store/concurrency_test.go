package store_test

import (
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// tally splits errors into successes, "already applied" and anything else.
func tally(t *testing.T, errs []error) (ok, applied int) {
	t.Helper()
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, apperr.ErrAlreadyApplied):
			applied++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	return ok, applied
}

// Ten ORDER_PAID events for one order, each with its own event id, at
// once: one shipment, one tracking event, one claim; the nine others say
// "already applied". Then ten copies of one event for another order.
func TestConcurrentOrderPaid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, _ := newService(t, db)
		const n = 10
		errs := testkit.Concurrently(n, func(i int) error {
			_, err := svc.CreateForPaidOrder(t.Context(), group, paid(fmt.Sprintf("ev-%02d", i), "RM-RACE", "alice"))
			return err
		})
		if ok, applied := tally(t, errs); ok != 1 || applied != n-1 {
			t.Errorf("different event ids: %d created, %d already applied; want 1 and %d", ok, applied, n-1)
		}
		for table, want := range map[string]int64{"shipments": 1, "shipment_lines": 2, "tracking_events": 1} {
			if got := rows(t, db, table, "RM-RACE"); got != want {
				t.Errorf("%s rows = %d, want %d", table, got, want)
			}
		}
		if ids := claims(t, db); len(ids) != 1 {
			t.Errorf("claims = %v, want exactly the winner's", ids)
		}

		errs = testkit.Concurrently(n, func(int) error {
			_, err := svc.CreateForPaidOrder(t.Context(), group, paid("ev-same", "RM-SAME", "bob"))
			return err
		})
		if ok, applied := tally(t, errs); ok != 1 || applied != n-1 {
			t.Errorf("one event id: %d created, %d already applied; want 1 and %d", ok, applied, n-1)
		}
		if got := rows(t, db, "shipments", "RM-SAME"); got != 1 {
			t.Errorf("shipments of RM-SAME = %d, want 1", got)
		}
	})
}

// Five ship calls at once move the shipment once: every caller gets the
// same shipment with the winner's tracking number, and there is one SHIPPED
// event. Five deliver calls at once do the same for DELIVERED.
func TestConcurrentTransitions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		svc, _ := newService(t, db)
		if _, err := svc.CreateForPaidOrder(t.Context(), group, paid("ev-1", "RM-1", "alice")); err != nil {
			t.Fatal(err)
		}
		const n = 5
		got := make([]shipping.Shipment, n)
		errs := testkit.Concurrently(n, func(i int) error {
			var err error
			got[i], err = svc.Ship(t.Context(), "RM-1", shipping.ShipRequest{})
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("ship call %d: %v", i, err)
			}
			if got[i].Status != shipping.Shipped || got[i].TrackingNo != got[0].TrackingNo {
				t.Errorf("ship call %d answered %s %q, want SHIPPED %q like the others", i, got[i].Status, got[i].TrackingNo, got[0].TrackingNo)
			}
		}
		var shippedEvents int64
		if err := db.Table("tracking_events").Where("order_no = ? AND status = ?", "RM-1", "SHIPPED").Count(&shippedEvents).Error; err != nil {
			t.Fatal(err)
		}
		if shippedEvents != 1 {
			t.Errorf("SHIPPED events = %d, want 1", shippedEvents)
		}

		errs = testkit.Concurrently(n, func(i int) error {
			var err error
			got[i], err = svc.Deliver(t.Context(), "RM-1")
			return err
		})
		for i, err := range errs {
			if err != nil || got[i].Status != shipping.Delivered {
				t.Errorf("deliver call %d: %s, %v", i, got[i].Status, err)
			}
		}
		if n := rows(t, db, "tracking_events", "RM-1"); n != 3 {
			t.Errorf("tracking events = %d, want 3 (awaiting, shipped, delivered)", n)
		}
	})
}
