package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/order/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

func newStore(t *testing.T, db *gorm.DB) *store.Store {
	t.Helper()
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	return store.New(db)
}

func sampleOrder(no string) *ordering.Order {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return &ordering.Order{
		No: no, UserID: "alice", Status: ordering.PendingPayment, TotalCents: 2500,
		Lines: []ordering.Line{
			{SKU: "B", Name: "Bee", Quantity: 1, UnitPriceCents: 500},
			{SKU: "A", Name: "Ay", Quantity: 2, UnitPriceCents: 1000},
		},
		Address:         contracts.Address{Name: "Alice", Line1: "1 St", City: "C", PostalCode: "1", Country: "US"},
		PaymentDeadline: now.Add(time.Minute), CreatedAt: now, UpdatedAt: now,
		History: []ordering.StatusChange{{To: ordering.PendingPayment, Reason: "order placed", At: now}},
	}
}

func TestCreateGetAndKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		o := sampleOrder("RM-1")
		key := &ordering.IdempotencyKey{UserID: "alice", Key: "k1", RequestHash: "h", OrderNo: o.No}
		if err := s.Create(ctx, o, key); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "RM-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.TotalCents != 2500 || len(got.Lines) != 2 || got.Lines[0].SKU != "B" || got.Address.City != "C" || len(got.History) != 1 {
			t.Errorf("round trip: %+v", got)
		}
		if !got.PaymentDeadline.Equal(o.PaymentDeadline) {
			t.Errorf("deadline %v, want %v", got.PaymentDeadline, o.PaymentDeadline)
		}
		// The same key again, even for another order number, is taken and
		// nothing of the second order is stored.
		err = s.Create(ctx, sampleOrder("RM-2"), &ordering.IdempotencyKey{UserID: "alice", Key: "k1", RequestHash: "h2", OrderNo: "RM-2"})
		if !errors.Is(err, ordering.ErrKeyTaken) {
			t.Fatalf("second create with the key: %v", err)
		}
		if _, err := s.Get(ctx, "RM-2"); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("RM-2 exists after a failed create: %v", err)
		}
		k, found, err := s.FindKey(ctx, "alice", "k1")
		if err != nil || !found || k.OrderNo != "RM-1" || k.RequestHash != "h" {
			t.Errorf("FindKey: %+v %v %v", k, found, err)
		}
		if _, found, _ := s.FindKey(ctx, "bob", "k1"); found {
			t.Error("keys are per user")
		}
		list, err := s.ListByUser(ctx, "alice", 10)
		if err != nil || len(list) != 1 || len(list[0].Lines) != 2 {
			t.Errorf("ListByUser: %d orders, %v", len(list), err)
		}
	})
}

// A checkout claims its key before it reserves stock; creating the order
// later with the claimed key is fine, a second order under the number or
// the key is not.
func TestClaimKeyThenCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		began := time.Now().UTC().Truncate(time.Second).Add(-time.Minute)
		key := ordering.IdempotencyKey{UserID: "alice", Key: "k9", RequestHash: "h", OrderNo: "RM-9", CreatedAt: began}
		if err := s.ClaimKey(ctx, key); err != nil {
			t.Fatal(err)
		}
		if err := s.ClaimKey(ctx, key); !errors.Is(err, ordering.ErrKeyTaken) {
			t.Errorf("second claim: %v, want ErrKeyTaken", err)
		}
		k, found, err := s.FindKey(ctx, "alice", "k9")
		if err != nil || !found || k.OrderNo != "RM-9" || !k.CreatedAt.Equal(began) {
			t.Errorf("FindKey: %+v %v %v, want RM-9 begun %v", k, found, err, began)
		}
		if _, err := s.Get(ctx, "RM-9"); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("a claim made an order: %v", err)
		}
		if err := s.Create(ctx, sampleOrder("RM-9"), &key); err != nil {
			t.Fatalf("create on the claimed key: %v", err)
		}
		if err := s.Create(ctx, sampleOrder("RM-9"), &key); !errors.Is(err, ordering.ErrOrderExists) {
			t.Errorf("the order again: %v, want ErrOrderExists", err)
		}
		other := ordering.IdempotencyKey{UserID: "alice", Key: "k9", RequestHash: "h", OrderNo: "RM-10"}
		if err := s.Create(ctx, sampleOrder("RM-10"), &other); !errors.Is(err, ordering.ErrKeyTaken) {
			t.Errorf("another order on the key: %v, want ErrKeyTaken", err)
		}
		if list, _ := s.ListByUser(ctx, "alice", 10); len(list) != 1 {
			t.Errorf("%d orders, want 1", len(list))
		}
	})
}

func TestTransitions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		if err := s.Create(ctx, sampleOrder("RM-1"), nil); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		if err := s.Transition(ctx, "RM-1", "tx-1", paidChange(now)); err != nil {
			t.Fatal(err)
		}
		// A second transition from PENDING_PAYMENT fails and logs nothing.
		if err := s.Transition(ctx, "RM-1", "tx-2", cancelled("late", now)); !errors.Is(err, ordering.ErrStateChanged) {
			t.Errorf("cancel of a paid order: %v", err)
		}
		if _, found, _ := s.LookupTx(ctx, "tx-2"); found {
			t.Error("a failed transition left its transaction id in the log")
		}
		if err := s.Transition(ctx, "RM-1", "tx-1", paidChange(now)); !errors.Is(err, ordering.ErrTxDecided) {
			t.Errorf("same tx twice: %v", err)
		}
		o, _ := s.Get(ctx, "RM-1")
		if o.Status != ordering.Paid || o.PaidTxID != "tx-1" || len(o.History) != 2 || o.History[1].From != ordering.PendingPayment {
			t.Errorf("after pay: %+v", o)
		}
		// A check that decided "rolled back" first makes the commit fail.
		if err := s.Create(ctx, sampleOrder("RM-3"), nil); err != nil {
			t.Fatal(err)
		}
		if committed, err := s.ResolveTx(ctx, "tx-3"); err != nil || committed {
			t.Fatalf("resolve: %v %v", committed, err)
		}
		if err := s.Transition(ctx, "RM-3", "tx-3", paidChange(now)); !errors.Is(err, ordering.ErrTxDecided) {
			t.Errorf("pay after a rollback decision: %v", err)
		}
		if o, _ := s.Get(ctx, "RM-3"); o.Status != ordering.PendingPayment {
			t.Errorf("RM-3 is %s, want still pending", o.Status)
		}
		if err := s.Transition(ctx, "RM-3", "tx-4", cancelled("late", now)); err != nil {
			t.Fatal(err)
		}
		if o, _ := s.Get(ctx, "RM-3"); o.Status != ordering.Cancelled || o.CancelReason != "late" || o.PaidTxID != "" {
			t.Errorf("after cancel: %s reason %q paid tx %q", o.Status, o.CancelReason, o.PaidTxID)
		}
	})
}

// Many concurrent transitions of one order: exactly one wins, and only the
// winner's transaction id is logged as committed.
func TestConcurrentTransitionsOneWinner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		if err := s.Create(ctx, sampleOrder("RM-1"), nil); err != nil {
			t.Fatal(err)
		}
		var wins, lost atomic.Int32
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Go(func() {
				var err error
				if i%3 == 0 {
					err = s.Transition(ctx, "RM-1", fmt.Sprintf("tx-%d", i), cancelled("race", time.Now()))
				} else {
					err = s.Transition(ctx, "RM-1", fmt.Sprintf("tx-%d", i), paidChange(time.Now()))
				}
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, ordering.ErrStateChanged):
					lost.Add(1)
				default:
					t.Errorf("tx-%d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 || lost.Load() != 29 {
			t.Fatalf("wins %d lost %d, want 1 and 29", wins.Load(), lost.Load())
		}
		committed := 0
		for i := range 30 {
			if c, found, _ := s.LookupTx(ctx, fmt.Sprintf("tx-%d", i)); found && c {
				committed++
			}
		}
		o, _ := s.Get(ctx, "RM-1")
		if committed != 1 || len(o.History) != 2 {
			t.Errorf("%d committed transaction ids, %d history entries; want 1 and 2", committed, len(o.History))
		}
	})
}

func TestOverdue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		past, future, paid := sampleOrder("RM-past"), sampleOrder("RM-future"), sampleOrder("RM-paid")
		past.PaymentDeadline = time.Now().Add(-time.Minute)
		paid.PaymentDeadline = time.Now().Add(-time.Minute)
		for _, o := range []*ordering.Order{past, future, paid} {
			if err := s.Create(ctx, o, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Transition(ctx, "RM-paid", "tx", paidChange(time.Now())); err != nil {
			t.Fatal(err)
		}
		got, err := s.Overdue(ctx, time.Now(), 10)
		if err != nil || len(got) != 1 || got[0] != "RM-past" {
			t.Errorf("Overdue = %v %v, want [RM-past]", got, err)
		}
	})
}

func paidChange(at time.Time) ordering.StatusChange {
	return ordering.StatusChange{From: ordering.PendingPayment, To: ordering.Paid, Reason: "payment succeeded", At: at}
}

func cancelled(reason string, at time.Time) ordering.StatusChange {
	return ordering.StatusChange{From: ordering.PendingPayment, To: ordering.Cancelled, Reason: reason, At: at}
}
