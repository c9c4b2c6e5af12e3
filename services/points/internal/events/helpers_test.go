package events_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/points/internal/events"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
	"github.com/rocketmart/rocketmart/services/points/internal/store"
)

// env is one test's broker, database and points service.
type env struct {
	b     *mqtest.Broker
	db    *gorm.DB
	svc   *points.Service
	seen  *mqtest.Outcomes
	fault *fault
}

// setup starts an in-memory minirmq and the points service on db with a
// fault switch on its account writes.
func setup(t *testing.T, db *gorm.DB) *env {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	return &env{b: mqtest.Start(t), db: db, svc: points.NewService(store.New(db)), seen: &mqtest.Outcomes{}, fault: injectFault(t, db)}
}

// consume starts the service's consumer, counting outcomes in e.seen.
func (e *env) consume(t *testing.T, opts mq.ConsumerOptions) {
	t.Helper()
	opts.Observe = e.seen.Observe
	e.b.Consume(t, opts, events.Subscriptions(e.svc, slog.New(slog.DiscardHandler))...)
}

func paid(eventID, orderNo, userID string, totalCents int64) contracts.OrderPaid {
	return contracts.OrderPaid{
		EventID: eventID, OrderNo: orderNo, UserID: userID, TotalCents: totalCents, PaidAt: time.Now().UTC(),
		Lines:   []contracts.OrderLine{{SKU: "RM-MUG-STONE", Name: "Stone mug", Quantity: 1, UnitPriceCents: totalCents}},
		Address: contracts.Address{Name: "Alice", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
	}
}

// publish sends an ORDER_PAID body keyed by the order number.
func (e *env) publish(t *testing.T, key string, body []byte) mqtest.Message {
	t.Helper()
	return e.b.Send(t, contracts.TopicOrderPaid, key, body)
}

func (e *env) publishEvent(t *testing.T, ev contracts.OrderPaid) mqtest.Message {
	t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return e.publish(t, ev.OrderNo, body)
}

// errInjected is the test fault.
var errInjected = errors.New("injected fault: account write failed")

// fault fails the account upsert, the last statement of a credit's
// transaction, after the claim and the ledger entry were written: a credit
// that was not one transaction would leave them behind.
type fault struct {
	remaining atomic.Int64 // failures still to inject; negative: until fixed
}

func injectFault(t *testing.T, db *gorm.DB) *fault {
	t.Helper()
	f := &fault{}
	err := db.Callback().Create().After("gorm:create").Register("test:fault", func(tx *gorm.DB) {
		if tx.Statement.Table == "point_accounts" && f.take() {
			tx.AddError(errInjected)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fault) failNext(n int64) { f.remaining.Store(n) }
func (f *fault) failAlways()      { f.remaining.Store(-1) }
func (f *fault) fix()             { f.remaining.Store(0) }

func (f *fault) take() bool {
	for {
		n := f.remaining.Load()
		switch {
		case n == 0:
			return false
		case n < 0:
			return true
		case f.remaining.CompareAndSwap(n, n-1):
			return true
		}
	}
}

// effect is what the credit of one order left in the database.
type effect struct {
	entries, claims int64
	balance         int64
}

func (e *env) effect(t *testing.T, orderNo, userID string) effect {
	t.Helper()
	got := e.credit(t, orderNo, userID)
	checks, err := e.svc.Checks(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		if c.Balance != c.LedgerSum {
			t.Errorf("%s: balance %d != ledger sum %d", c.UserID, c.Balance, c.LedgerSum)
		}
	}
	return got
}

// credit is effect without the check that every balance equals its ledger
// sum, which the naive no-claim consumer breaks on purpose.
func (e *env) credit(t *testing.T, orderNo, userID string) effect {
	t.Helper()
	var got effect
	if err := e.db.Table("point_ledger").Where("order_no = ?", orderNo).Count(&got.entries).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.db.Table("processed_events").Where("consumer = ?", contracts.ConsumerPointsOrderPaid).Count(&got.claims).Error; err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.Statement(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	got.balance = st.Balance
	return got
}
