package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/inventory/internal/events"
	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
)

// dbFault fails reservation updates inside the consumer's transaction,
// after the row changed, so a failure also proves the claim and the stock
// move roll back together.
type dbFault struct {
	failNext atomic.Int32 // fail this many updates, then succeed
	broken   atomic.Bool  // fail every update while set
}

func (f *dbFault) install(t *testing.T, db *gorm.DB) {
	t.Helper()
	err := db.Callback().Update().After("gorm:update").Register("test:fault", func(tx *gorm.DB) {
		if tx.Statement.Table != "reservations" {
			return
		}
		if f.broken.Load() || f.failNext.Add(-1) >= 0 {
			tx.AddError(errors.New("injected database fault"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func paid(t *testing.T, eventID, orderNo string) []byte {
	t.Helper()
	b, err := json.Marshal(contracts.OrderPaid{EventID: eventID, OrderNo: orderNo, UserID: "alice", TotalCents: 5998,
		Lines:   []contracts.OrderLine{{SKU: "RM-MUG-STONE", Name: "Stoneware Coffee Mug", Quantity: 2, UnitPriceCents: 2999}},
		Address: contracts.Address{Name: "Alice", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
		PaidAt:  time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ORDER_PAID through the real client and minirmq, on both databases: every
// delivery pattern ends with each paid order's reservation sold once.
func TestOrderPaidSellsOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := store.Migrate(db); err != nil {
			t.Fatal(err)
		}
		svc := inventory.NewService(store.New(db), nil, nil, nil)
		if _, err := svc.Seed(ctx); err != nil {
			t.Fatal(err)
		}
		orders := []string{"RM-DUP", "RM-FLAKY", "RM-DLQ"}
		for _, no := range orders {
			if _, _, err := svc.Reserve(ctx, inventory.ReserveRequest{OrderNo: no, ExpiresAt: time.Now().Add(time.Hour),
				Lines: []inventory.LineRequest{{SKU: "RM-MUG-STONE", Quantity: 2}}}); err != nil {
				t.Fatal(err)
			}
		}
		fault := &dbFault{}
		fault.install(t, db)

		b := mqtest.Start(t)
		seen := &mqtest.Outcomes{}
		b.Consume(t, mq.ConsumerOptions{MaxReconsumeTimes: 2, Observe: seen.Observe}, events.Subscriptions(svc, nil)...)
		group := contracts.ConsumerInventoryOrderPaid
		sold := func(no string) bool {
			r, err := svc.Reservation(ctx, no)
			return err == nil && r.Status == inventory.Sold
		}
		mugs := func() inventory.Stock {
			stock, err := svc.Stock(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range stock {
				if s.SKU == "RM-MUG-STONE" {
					return s
				}
			}
			t.Fatal("no RM-MUG-STONE stock")
			return inventory.Stock{}
		}
		initial := mugs().Initial

		// Duplicates: the stored message redelivered three times at once,
		// and the same order paid under a second event id.
		first := b.Send(t, contracts.TopicOrderPaid, "RM-DUP", paid(t, "ev-dup", "RM-DUP"))
		mqtest.Eventually(t, 20*time.Second, "RM-DUP sold", func() bool { return sold("RM-DUP") })
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { b.Redeliver(t, group, first) })
		}
		wg.Wait()
		b.Send(t, contracts.TopicOrderPaid, "RM-DUP", paid(t, "ev-dup-again", "RM-DUP"))
		mqtest.Eventually(t, 20*time.Second, "3 duplicates acknowledged", func() bool { return seen.Count(mq.OutcomeDuplicate) == 3 })
		mqtest.Eventually(t, 20*time.Second, "group caught up", func() bool { return b.CaughtUp(t, group) })
		if s := mugs(); s.Sold != 2 || s.Reserved != 4 {
			t.Fatalf("after duplicates mugs = %+v, want 2 sold (once), 4 still reserved", s)
		}

		// Failing twice inside the transaction, then succeeding.
		fault.failNext.Store(2)
		b.Send(t, contracts.TopicOrderPaid, "RM-FLAKY", paid(t, "ev-flaky", "RM-FLAKY"))
		mqtest.Eventually(t, 20*time.Second, "RM-FLAKY sold after two failures", func() bool { return sold("RM-FLAKY") })
		if got := seen.Count(mq.OutcomeFailed); got != 2 {
			t.Errorf("failed deliveries = %d, want 2", got)
		}

		// Failing past the maximum: 1 + 2 attempts, then the dead-letter
		// queue; fixed and replayed, it sells once; a second replay is refused.
		fault.broken.Store(true)
		b.Send(t, contracts.TopicOrderPaid, "RM-DLQ", paid(t, "ev-dlq", "RM-DLQ"))
		var dead []mqtest.Message
		mqtest.Eventually(t, 20*time.Second, "RM-DLQ dead-lettered", func() bool {
			dead = b.DeadLetters(t, group)
			return len(dead) == 1
		})
		if seen.Count(mq.OutcomeDeadLettered) != 1 || sold("RM-DLQ") {
			t.Fatalf("dead-lettered outcomes = %d, sold = %v; want 1 and not sold", seen.Count(mq.OutcomeDeadLettered), sold("RM-DLQ"))
		}
		fault.broken.Store(false)
		if status := b.Replay(t, group, dead[0]); status != http.StatusOK {
			t.Fatalf("replay: status %d", status)
		}
		mqtest.Eventually(t, 20*time.Second, "RM-DLQ sold after replay", func() bool { return sold("RM-DLQ") })
		if status := b.Replay(t, group, dead[0]); status != http.StatusConflict {
			t.Errorf("second replay: status %d, want 409", status)
		}

		// Poison: acknowledged, never retried, no effect.
		b.Send(t, contracts.TopicOrderPaid, "RM-POISON-1", []byte("not json"))
		b.Send(t, contracts.TopicOrderPaid, "RM-POISON-2", []byte(`{"eventId":"ev-p","orderNo":"RM-DUP"}`))
		mqtest.Eventually(t, 20*time.Second, "2 poison messages acknowledged", func() bool { return seen.Count(mq.OutcomePoison) == 2 })
		mqtest.Eventually(t, 20*time.Second, "group caught up", func() bool { return b.CaughtUp(t, group) })

		if s := mugs(); s.Sold != 6 || s.Reserved != 0 || s.Available != initial-6 {
			t.Errorf("mugs = %+v, want 6 sold (three orders once each), 0 reserved, %d available", s, initial-6)
		}
		if got := seen.Count(mq.OutcomeProcessed); got != 4 {
			t.Errorf("processed = %d, want 4 (three orders, plus the second event of RM-DUP without effect)", got)
		}
	})
}
