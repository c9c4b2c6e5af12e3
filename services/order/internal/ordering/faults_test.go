package ordering_test

import (
	"context"
	"slices"
	"testing"

	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

func (f *fixture) arm(t *testing.T, spec faults.Spec) {
	t.Helper()
	if _, err := f.faults.Arm(spec); err != nil {
		t.Fatal(err)
	}
}

func TestPayLocalFault(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
	f.arm(t, faults.Spec{Point: ordering.PointPayLocal, Action: faults.Fail, Count: 1})

	_, _, err := f.svc.Pay(ctx, "alice", o.No)
	if code(err) != faults.CodeInjected || apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("pay: %v, want an Unavailable %s", err, faults.CodeInjected)
	}
	// The customer hears "unavailable", the broker "rolled back".
	if f.pub.outcomes["tx-1"] != "rollback" || f.pub.committedCount() != 0 || len(f.pay.charges) != 0 {
		t.Errorf("half message %s, %d events, %d charges; want rollback, none, none", f.pub.outcomes["tx-1"], f.pub.committedCount(), len(f.pay.charges))
	}
	if got, _ := f.store.Get(ctx, o.No); got.Status != ordering.PendingPayment {
		t.Errorf("status %s, want %s", got.Status, ordering.PendingPayment)
	}
	// Count 1 is used up: the next attempt pays.
	if out, _, err := f.svc.Pay(ctx, "alice", o.No); err != nil || out != ordering.OutcomePaid {
		t.Errorf("pay after the fault: %v %v", out, err)
	}
}

// TestNaiveCheckStrategies puts each naive check-back in the scenario that
// breaks it, next to the correct check-back in the same scenario. In each
// the broker did not learn the local transaction's outcome and asks about
// tx-1.
func TestNaiveCheckStrategies(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, strategy string
		// scenario pays an order and returns it.
		scenario       func(t *testing.T, f *fixture) *ordering.Order
		correct, naive string
	}{
		{"always-commit: a declined payment", ordering.StrategyAlwaysCommit, func(t *testing.T, f *fixture) *ordering.Order {
			o := f.place(t, "carol", ordering.LineRequest{SKU: "A", Quantity: 1})
			if _, _, err := f.svc.Pay(ctx, "carol", o.No); apperr.KindOf(err) != apperr.PaymentRequired {
				t.Fatalf("pay: %v, want declined", err)
			}
			return o
		}, "rollback", "commit"},
		{"always-rollback: a payment whose commit was lost", ordering.StrategyAlwaysRollback, func(t *testing.T, f *fixture) *ordering.Order {
			o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
			if out, _, err := f.svc.Pay(ctx, "alice", o.No); err != nil || out != ordering.OutcomePaid {
				t.Fatalf("pay: %v %v", out, err)
			}
			return o
		}, "commit", "rollback"},
		{"order-row-only: a charge whose answer was lost", ordering.StrategyOrderRowOnly, func(t *testing.T, f *fixture) *ordering.Order {
			o := f.place(t, "alice", ordering.LineRequest{SKU: "A", Quantity: 1})
			f.pay.chargeThenErr = true
			if out, _, err := f.svc.Pay(ctx, "alice", o.No); err != nil || out != ordering.OutcomePending {
				t.Fatalf("pay: %v %v", out, err)
			}
			return o
		}, "commit", "rollback"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, strategy := range []string{"", tc.strategy} {
				f := newFixture(t)
				o := tc.scenario(t, f)
				want := tc.correct
				if strategy != "" {
					f.arm(t, faults.Spec{Point: ordering.PointCheckStrategy, Action: faults.Naive, Value: strategy})
					want = tc.naive
				}
				if got := f.checkPaid("tx-1", o.No); got != want {
					t.Errorf("check-back with strategy %q = %s, want %s", strategy, got, want)
				}
			}
		})
	}
}

func TestFaultPointsDeclared(t *testing.T) {
	f := newFixture(t)
	var names []string
	for _, p := range f.faults.Points() {
		names = append(names, p.Name)
	}
	want := []string{ordering.PointCheckStrategy, ordering.PointPayLocal, ordering.PointPlaceAfterReserve}
	if !slices.Equal(names, want) {
		t.Errorf("points %v, want %v", names, want)
	}
}
