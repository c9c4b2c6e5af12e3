package ordering_test

import (
	"context"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// A checkout stopped between reserving the stock and creating the order
// (the process died, or the step failed) and retried with the same key
// continues the same attempt: one reservation, one order, stock reserved
// once, and the first attempt's deadline.
func TestPlaceRetryAfterReserveReusesTheReservation(t *testing.T) {
	for _, action := range []faults.Action{faults.Crash, faults.Fail} {
		t.Run(string(action), func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			req := ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "A", Quantity: 3}}, Address: addr}
			f.arm(t, faults.Spec{Point: ordering.PointPlaceAfterReserve, Action: action, Count: 1})
			began := f.clock.now()

			var err error
			died := crashed(func() { _, _, err = f.svc.Place(ctx, "alice", "k1", req) })
			switch {
			case action == faults.Crash && !died:
				t.Fatalf("the crash fault did not stop Place (err %v)", err)
			case action == faults.Fail && code(err) != "FAULT_INJECTED":
				t.Fatalf("first attempt: err %v, want FAULT_INJECTED", err)
			}
			if orders, _ := f.svc.List(ctx, "alice", 10); len(orders) != 0 || f.inv.calls != 1 || f.inv.stock["A"] != 7 {
				t.Fatalf("after the first attempt: %d orders, %d reservations, stock %d; want 0, 1, 7", len(orders), f.inv.calls, f.inv.stock["A"])
			}

			f.clock.advance(2 * time.Second)
			o, created, err := f.svc.Place(ctx, "alice", "k1", req)
			if err != nil || !created {
				t.Fatalf("retry: %v (created %v)", err, created)
			}
			again, created, err := f.svc.Place(ctx, "alice", "k1", req)
			if err != nil || created || again.No != o.No {
				t.Errorf("second retry: %v created %v err %v, want the same order", again, created, err)
			}
			orders, _ := f.svc.List(ctx, "alice", 10)
			if len(orders) != 1 || f.inv.calls != 1 || f.inv.stock["A"] != 7 || len(f.inv.reserved) != 1 || f.inv.reserved[o.No] == nil {
				t.Errorf("after the retries: %d orders, %d reservations %v, stock %d; want one order on the one reservation, stock 7",
					len(orders), f.inv.calls, f.inv.reserved, f.inv.stock["A"])
			}
			if want := began.Add(10 * time.Minute); !o.PaymentDeadline.Equal(want) || o.TotalCents != 3000 {
				t.Errorf("deadline %v total %d, want the first attempt's %v and 3000", o.PaymentDeadline, o.TotalCents, want)
			}
		})
	}
}

// A retry after the first attempt's deadline cannot count on its
// reservation: it is refused, creates nothing and releases the stock.
func TestPlaceRetryAfterTheDeadlineIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := ordering.PlaceRequest{Lines: []ordering.LineRequest{{SKU: "A", Quantity: 1}}, Address: addr}
	f.arm(t, faults.Spec{Point: ordering.PointPlaceAfterReserve, Action: faults.Fail, Count: 1})
	if _, _, err := f.svc.Place(ctx, "alice", "k1", req); code(err) != "FAULT_INJECTED" {
		t.Fatalf("first attempt: %v", err)
	}
	f.clock.advance(10 * time.Minute)
	_, _, err := f.svc.Place(ctx, "alice", "k1", req)
	orders, _ := f.svc.List(ctx, "alice", 10)
	if code(err) != ordering.CodeCheckoutExpired || len(orders) != 0 || len(f.inv.released) != 1 {
		t.Errorf("late retry: err %v, %d orders, released %v; want CHECKOUT_EXPIRED, none, the reservation released", err, len(orders), f.inv.released)
	}
}
