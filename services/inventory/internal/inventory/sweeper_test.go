package inventory_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
)

func TestSweepReleasesOnlyWhatNoOrderNeeds(t *testing.T) {
	changed := inventory.Transition{Found: true, Changed: true}
	st := &fakeStore{
		expired: []string{"absent", "cancelled", "pending", "paid", "gone-meanwhile"},
		transitions: map[string]inventory.Transition{
			"absent": changed, "cancelled": changed, "pending": changed, "paid": changed,
			// Released by an event between listing and releasing: no change.
			"gone-meanwhile": {Found: true, Reservation: inventory.Reservation{Status: inventory.Released}},
		},
	}
	orders := &fakeOrders{status: map[string]string{
		"cancelled": "CANCELLED", "pending": "PENDING_PAYMENT", "paid": "PAID",
	}}
	svc := inventory.NewService(st, orders, nil, fixedClock)

	released, err := svc.SweepExpired(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := released, 2; got != want {
		t.Errorf("released = %d, want %d", got, want)
	}
	if got, want := st.released, []string{"absent", "cancelled"}; !slices.Equal(got, want) {
		t.Errorf("released orders = %v, want %v", got, want)
	}
}

func TestSweepStopsTheRoundWhenOrdersCannotAnswer(t *testing.T) {
	st := &fakeStore{expired: []string{"a", "b"}, transitions: map[string]inventory.Transition{
		"a": {Found: true, Changed: true}, "b": {Found: true, Changed: true}}}
	orders := &fakeOrders{err: errors.New("connection refused")}
	svc := inventory.NewService(st, orders, nil, fixedClock)

	released, err := svc.SweepExpired(context.Background())
	if err == nil {
		t.Fatal("sweep with an unreachable order service reported no error")
	}
	if released != 0 || len(st.released) != 0 {
		t.Errorf("released %d (%v) while the order service could not answer", released, st.released)
	}
	if got, want := orders.asked, []string{"a"}; !slices.Equal(got, want) {
		t.Errorf("asked about %v, want only %v before skipping the round", got, want)
	}
}
