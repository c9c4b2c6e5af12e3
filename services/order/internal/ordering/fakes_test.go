package ordering_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/order/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// fakeInventory prices every SKU at 1000 cents and holds stock per SKU.
// Like the real one it is idempotent by order number.
type fakeInventory struct {
	mu       sync.Mutex
	stock    map[string]int
	reserved map[string][]ordering.LineRequest
	released map[string]int
	expires  map[string]time.Time
	calls    int // Reserve calls that reserved stock
}

func priced(lines []ordering.LineRequest) []ordering.Line {
	out := make([]ordering.Line, len(lines))
	for i, l := range lines {
		out[i] = ordering.Line{SKU: l.SKU, Name: "name " + l.SKU, Quantity: l.Quantity, UnitPriceCents: 1000}
	}
	return out
}

func (f *fakeInventory) Reserve(_ context.Context, orderNo string, lines []ordering.LineRequest, expiresAt time.Time) (ordering.Reservation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if prev, ok := f.reserved[orderNo]; ok {
		return ordering.Reservation{Lines: priced(prev), Held: f.released[orderNo] == 0, ExpiresAt: f.expires[orderNo]}, nil
	}
	for _, l := range lines {
		if _, ok := f.stock[l.SKU]; !ok {
			return ordering.Reservation{}, apperr.New(apperr.NotFound, "UNKNOWN_SKU", "no such product")
		}
		if f.stock[l.SKU] < l.Quantity {
			return ordering.Reservation{}, apperr.New(apperr.Conflict, "OUT_OF_STOCK", "short")
		}
	}
	for _, l := range lines {
		f.stock[l.SKU] -= l.Quantity
	}
	f.reserved[orderNo] = lines
	if f.expires == nil {
		f.expires = map[string]time.Time{}
	}
	f.expires[orderNo] = expiresAt
	f.calls++
	return ordering.Reservation{Lines: priced(lines), Held: true, ExpiresAt: expiresAt}, nil
}

func (f *fakeInventory) Release(_ context.Context, orderNo string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.released[orderNo]++
	return nil
}

// fakePayments keeps balances and charges; fail makes Charge answer
// Unavailable after (optionally) charging, like a timed-out call.
type fakePayments struct {
	mu            sync.Mutex
	balance       map[string]int64
	charges       map[string]ordering.Charge
	refunds       map[string]int
	chargeThenErr bool
	down          bool
	notAfter      time.Time // the deadline of the last charge request
	tooLate       bool      // refuse every charge as CHARGE_TOO_LATE
}

func (f *fakePayments) Charge(_ context.Context, orderNo, userID string, amount int64, notAfter time.Time) (ordering.Charge, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notAfter = notAfter
	if f.tooLate {
		return ordering.Charge{}, apperr.New(apperr.Conflict, contracts.CodeChargeTooLate, "too late")
	}
	if f.down {
		return ordering.Charge{}, apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "down")
	}
	if c, ok := f.charges[orderNo]; ok {
		return c, nil
	}
	if f.balance[userID] < amount {
		return ordering.Charge{}, apperr.New(apperr.PaymentRequired, "INSUFFICIENT_FUNDS", "short")
	}
	f.balance[userID] -= amount
	c := ordering.Charge{OrderNo: orderNo, UserID: userID, AmountCents: amount, Status: ordering.ChargeSucceeded}
	f.charges[orderNo] = c
	if f.chargeThenErr {
		return ordering.Charge{}, apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "timed out")
	}
	return c, nil
}

func (f *fakePayments) GetCharge(_ context.Context, orderNo string) (ordering.Charge, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return ordering.Charge{}, false, apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "down")
	}
	c, ok := f.charges[orderNo]
	return c, ok, nil
}

func (f *fakePayments) Refund(_ context.Context, orderNo, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return apperr.New(apperr.Unavailable, "DEPENDENCY_UNAVAILABLE", "down")
	}
	c, ok := f.charges[orderNo]
	if !ok || c.Status == ordering.ChargeRefunded {
		return nil
	}
	c.Status = ordering.ChargeRefunded
	f.charges[orderNo] = c
	f.balance[c.UserID] += c.AmountCents
	f.refunds[orderNo]++
	return nil
}

type fakeCart struct{ lines []ordering.LineRequest }

func (f fakeCart) Lines(context.Context, string) ([]ordering.LineRequest, error) { return f.lines, nil }

// fakePublisher runs the local transaction synchronously, as the client
// does, and records what would have become of each message by the kit's
// rule: nil commits, Unavailable leaves it to the check-back, any other
// error rolls back.
type fakePublisher struct {
	mu        sync.Mutex
	n         int
	committed []any
	outcomes  map[string]string // tx id → commit, rollback or unknown
	timeouts  []contracts.OrderTimeout
	// beforeLocal, when set, runs with the transaction id before local.
	beforeLocal func(txID string)
}

// txPublisher publishes events of one type through the shared fake.
type txPublisher[E any] struct{ f *fakePublisher }

func (p txPublisher[E]) Publish(ctx context.Context, ev E, local func(ctx context.Context, txID string) error) error {
	f := p.f
	f.mu.Lock()
	f.n++
	txID := fmt.Sprintf("tx-%d", f.n)
	f.mu.Unlock()
	if f.beforeLocal != nil {
		f.beforeLocal(txID)
	}
	err := local(ctx, txID)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case err == nil:
		f.outcomes[txID] = "commit"
		f.committed = append(f.committed, ev)
	case apperr.KindOf(err) == apperr.Unavailable:
		f.outcomes[txID] = "unknown"
	default:
		f.outcomes[txID] = "rollback"
	}
	return nil
}

func (f *fakePublisher) ScheduleTimeout(_ context.Context, ev contracts.OrderTimeout, _ time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.timeouts = append(f.timeouts, ev)
	return nil
}

func (f *fakePublisher) events() ordering.Events {
	return ordering.Events{Paid: txPublisher[contracts.OrderPaid]{f}, Cancelled: txPublisher[contracts.OrderCancelled]{f},
		Refunded: txPublisher[contracts.OrderRefunded]{f}, Timeouts: f}
}

func (f *fakePublisher) committedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.committed)
}

type fixture struct {
	svc    *ordering.Service
	checks *ordering.Checks
	store  *store.Store
	inv    *fakeInventory
	pay    *fakePayments
	pts    *fakePoints
	pub    *fakePublisher
	clock  *clock
	faults *faults.Set
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := dbtest.SQLite(t)
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	f := &fixture{
		store: store.New(db),
		inv:   &fakeInventory{stock: map[string]int{"A": 10, "B": 1}, reserved: map[string][]ordering.LineRequest{}, released: map[string]int{}},
		pay:   &fakePayments{balance: map[string]int64{"alice": 100_000, "carol": 500}, charges: map[string]ordering.Charge{}, refunds: map[string]int{}},
		pts:   newFakePoints(map[string]int64{"alice": 5_000}),
		pub:   &fakePublisher{outcomes: map[string]string{}},
		clock: &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)},
		// A crash fault panics with errCrashed instead of killing the
		// test; crashed recovers it where the process would have died.
		faults: faults.New("order", slog.New(slog.DiscardHandler), faults.WithCrash(func() { panic(errCrashed) })),
	}
	cfg := ordering.Config{PaymentTimeout: 10 * time.Minute, Now: f.clock.now, Log: slog.New(slog.DiscardHandler), Faults: f.faults}
	f.svc = ordering.NewService(f.store, f.inv, f.pay, f.pts, fakeCart{lines: []ordering.LineRequest{{SKU: "A", Quantity: 1}}}, f.pub.events(), cfg)
	f.checks = ordering.NewChecks(f.store, f.pay, f.pts, cfg)
	return f
}

// errCrashed is what a crash fault panics with in these tests.
var errCrashed = errors.New("crashed")

// crashed runs fn and reports whether a crash fault stopped it.
func crashed(fn func()) (died bool) {
	defer func() {
		if r := recover(); r != nil {
			if r != errCrashed {
				panic(r)
			}
			died = true
		}
	}()
	fn()
	return false
}

var addr = contracts.Address{Name: "A", Line1: "1 St", City: "C", PostalCode: "1", Country: "US"}

func (f *fixture) place(t *testing.T, user string, lines ...ordering.LineRequest) *ordering.Order {
	t.Helper()
	o, created, err := f.svc.Place(context.Background(), user, fmt.Sprintf("key-%d", time.Now().UnixNano()), ordering.PlaceRequest{Lines: lines, Address: addr})
	if err != nil || !created {
		t.Fatalf("place: %v (created %v)", err, created)
	}
	return o
}

// answerIsStored fails unless the order a request answered is the order
// in the store (the pay answer is built without reading it again).
func (f *fixture) answerIsStored(t *testing.T, answered *ordering.Order) {
	t.Helper()
	stored, err := f.store.Get(context.Background(), answered.No)
	if err != nil {
		t.Fatal(err)
	}
	// The answer keeps the attempt time it read; the pay moved it.
	a := *answered
	a.PointsAttemptedAt = stored.PointsAttemptedAt
	if !reflect.DeepEqual(&a, stored) {
		t.Errorf("answered %+v\nstored   %+v", a, *stored)
	}
}

// checkPaid asks the ORDER_PAID check-back about txID (an event paying the
// order's total with money) and says what the broker would be told.
func (f *fixture) checkPaid(txID, orderNo string) string {
	ev := contracts.OrderPaid{OrderNo: orderNo}
	if o, err := f.store.Get(context.Background(), orderNo); err == nil {
		ev.TotalCents = o.TotalCents
	}
	return f.check(txID, ev)
}

// check asks the ORDER_PAID check-back about txID and ev.
func (f *fixture) check(txID string, ev contracts.OrderPaid) string {
	committed, err := f.checks.Paid(context.Background(), txID, ev)
	switch {
	case err != nil:
		return "unknown"
	case committed:
		return "commit"
	}
	return "rollback"
}
