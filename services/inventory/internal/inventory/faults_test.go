package inventory_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// reserve.strategy is declared by UseFaults and, while armed, hands the
// store the naive variant for as many reservations as it was armed for; a
// refused request uses up none.
func TestReserveStrategyPoint(t *testing.T) {
	st := &fakeStore{created: true}
	svc := inventory.NewService(st, &fakeOrders{}, nil, fixedClock)
	set := faults.New("inventory", slog.New(slog.DiscardHandler))
	svc.UseFaults(set)
	if _, err := set.Arm(faults.Spec{Point: inventory.PointReserveStrategy, Action: faults.Naive,
		Value: inventory.VariantReadThenWrite, Count: 2}); err != nil {
		t.Fatal(err)
	}
	reserve := func(orderNo string) {
		t.Helper()
		_, _, err := svc.Reserve(context.Background(), inventory.ReserveRequest{OrderNo: orderNo, ExpiresAt: t0.Add(time.Hour),
			Lines: []inventory.LineRequest{{SKU: "A", Quantity: 1}}})
		if err != nil && orderNo != "" {
			t.Fatal(err)
		}
	}
	reserve("") // invalid: refused before the point
	for _, no := range []string{"RM-1", "RM-2", "RM-3"} {
		reserve(no)
	}
	want := []string{inventory.VariantReadThenWrite, inventory.VariantReadThenWrite, ""}
	if !slices.Equal(st.variants, want) {
		t.Errorf("variants the store saw: %q, want %q", st.variants, want)
	}
}
