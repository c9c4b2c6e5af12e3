package inventory_test

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// fakeStore answers the domain's questions from fields the test sets and
// records what the domain asked; methods a test does not expect fail it.
type fakeStore struct {
	mu          sync.Mutex
	calls       int
	reserved    inventory.Reservation // what Reserve answers
	created     bool
	transitions map[string]inventory.Transition // Release/Sell/ReleaseClaimed answers by order
	expired     []string
	released    []string
	variants    []string // the naive variant each Reserve's context carried
}

var errUnexpected = errors.New("fake store: unexpected call")

func (f *fakeStore) call() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
}

func (f *fakeStore) Seed(context.Context, []inventory.SeedProduct) (int, error) {
	f.call()
	return 0, errUnexpected
}

func (f *fakeStore) Products(context.Context) ([]inventory.Product, error) {
	f.call()
	return nil, errUnexpected
}

func (f *fakeStore) Product(context.Context, string) (inventory.Product, error) {
	f.call()
	return inventory.Product{}, errUnexpected
}

func (f *fakeStore) Reserve(ctx context.Context, r inventory.Reservation) (inventory.Reservation, bool, error) {
	f.call()
	f.mu.Lock()
	f.variants = append(f.variants, faults.VariantFrom(ctx))
	f.mu.Unlock()
	if f.created {
		return r, true, nil
	}
	return f.reserved, false, nil
}

func (f *fakeStore) Reservation(context.Context, string) (inventory.Reservation, error) {
	f.call()
	return inventory.Reservation{}, errUnexpected
}

func (f *fakeStore) Release(_ context.Context, orderNo string, _ time.Time) (inventory.Transition, error) {
	f.call()
	f.mu.Lock()
	defer f.mu.Unlock()
	tr := f.transitions[orderNo]
	if tr.Changed {
		f.released = append(f.released, orderNo)
	}
	return tr, nil
}

func (f *fakeStore) ReleaseClaimed(ctx context.Context, _, _, orderNo string, now time.Time) (inventory.Transition, error) {
	return f.Release(ctx, orderNo, now)
}

func (f *fakeStore) Sell(_ context.Context, orderNo string, _ time.Time) (inventory.Transition, error) {
	f.call()
	return f.transitions[orderNo], nil
}

func (f *fakeStore) SellClaimed(ctx context.Context, _, _, orderNo string, now time.Time) (inventory.Transition, error) {
	return f.Sell(ctx, orderNo, now)
}

func (f *fakeStore) ReturnClaimed(context.Context, string, string, string, time.Time) (inventory.Transition, error) {
	f.call()
	return inventory.Transition{}, errUnexpected
}

func (f *fakeStore) Reservations(context.Context) ([]inventory.Reservation, error) {
	f.call()
	return nil, errUnexpected
}

func (f *fakeStore) Restock(context.Context, inventory.Restock) (inventory.Restock, inventory.Stock, bool, error) {
	f.call()
	return inventory.Restock{}, inventory.Stock{}, false, errUnexpected
}

func (f *fakeStore) Stock(context.Context) ([]inventory.Stock, error) {
	f.call()
	return nil, errUnexpected
}

func (f *fakeStore) Expired(context.Context, time.Time, int) ([]string, error) {
	f.call()
	return f.expired, nil
}

// fakeOrders is an OrderLookup from a map; a missing order is "not found",
// err (when set) answers every question.
type fakeOrders struct {
	mu     sync.Mutex
	status map[string]string
	err    error
	asked  []string
}

func (f *fakeOrders) OrderStatus(_ context.Context, orderNo string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, orderNo)
	if f.err != nil {
		return "", false, f.err
	}
	s, ok := f.status[orderNo]
	return s, ok, nil
}
