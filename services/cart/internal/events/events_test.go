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

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/cart/internal/events"
	"github.com/rocketmart/rocketmart/services/cart/internal/store"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
)

// dbFault fails the checkout insert, the last statement of the consumer's
// transaction, so a failure also proves the claim and the line changes roll
// back with it.
type dbFault struct {
	failNext atomic.Int32
	broken   atomic.Bool
}

func (f *dbFault) install(t *testing.T, db *gorm.DB) {
	t.Helper()
	err := db.Callback().Create().After("gorm:create").Register("test:fault", func(tx *gorm.DB) {
		if tx.Statement.Table == "checkouts" && (f.broken.Load() || f.failNext.Add(-1) >= 0) {
			tx.AddError(errors.New("injected database fault"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func paid(t *testing.T, eventID, orderNo, userID string, qty int) []byte {
	t.Helper()
	b, err := json.Marshal(contracts.OrderPaid{EventID: eventID, OrderNo: orderNo, UserID: userID, TotalCents: int64(qty) * 2999,
		Lines:   []contracts.OrderLine{{SKU: "RM-MUG-STONE", Name: "Stoneware Coffee Mug", Quantity: qty, UnitPriceCents: 2999}},
		Address: contracts.Address{Name: "A", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
		PaidAt:  time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ORDER_PAID through the real client and minirmq, on both databases: every
// delivery pattern takes each order's quantities off the cart once.
func TestOrderPaidCleansCartOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := store.Migrate(db); err != nil {
			t.Fatal(err)
		}
		s := store.New(db)
		svc := cart.NewService(s, nil)
		users := []string{"alice", "bob", "carol"}
		for _, u := range users {
			if _, err := s.Add(ctx, u, cart.Line{SKU: "RM-MUG-STONE", Quantity: 10}, cart.IdempotencyKey{}); err != nil {
				t.Fatal(err)
			}
		}
		mugs := func(user string) int {
			lines, err := s.Lines(ctx, user)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lines {
				if l.SKU == "RM-MUG-STONE" {
					return l.Quantity
				}
			}
			return 0
		}
		checkedOut := func(orderNo string) bool {
			_, err := svc.Checkout(ctx, orderNo)
			if err != nil && apperr.KindOf(err) != apperr.NotFound {
				t.Fatal(err)
			}
			return err == nil
		}
		fault := &dbFault{}
		fault.install(t, db)
		b := mqtest.Start(t)
		seen := &mqtest.Outcomes{}
		b.Consume(t, mq.ConsumerOptions{MaxReconsumeTimes: 2, Observe: seen.Observe}, events.Subscriptions(svc, nil)...)
		group := contracts.ConsumerCartOrderPaid

		// Duplicates: three concurrent redeliveries, and the same order
		// under a second event id.
		first := b.Send(t, contracts.TopicOrderPaid, "RM-DUP", paid(t, "ev-dup", "RM-DUP", "alice", 3))
		mqtest.Eventually(t, 20*time.Second, "RM-DUP checked out", func() bool { return checkedOut("RM-DUP") })
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { b.Redeliver(t, group, first) })
		}
		wg.Wait()
		b.Send(t, contracts.TopicOrderPaid, "RM-DUP", paid(t, "ev-dup-again", "RM-DUP", "alice", 3))
		mqtest.Eventually(t, 20*time.Second, "4 duplicates acknowledged", func() bool { return seen.Count(mq.OutcomeDuplicate) == 4 })
		if got := mugs("alice"); got != 7 {
			t.Fatalf("alice's mugs = %d, want 7 (3 removed once)", got)
		}

		// Failing twice inside the transaction, then succeeding.
		fault.failNext.Store(2)
		b.Send(t, contracts.TopicOrderPaid, "RM-FLAKY", paid(t, "ev-flaky", "RM-FLAKY", "bob", 4))
		mqtest.Eventually(t, 20*time.Second, "RM-FLAKY checked out", func() bool { return checkedOut("RM-FLAKY") })
		if got, failed := mugs("bob"), seen.Count(mq.OutcomeFailed); got != 6 || failed != 2 {
			t.Errorf("bob's mugs = %d after %d failures, want 6 after 2", got, failed)
		}

		// Past the maximum: dead letter; fixed and replayed: once.
		fault.broken.Store(true)
		b.Send(t, contracts.TopicOrderPaid, "RM-DLQ", paid(t, "ev-dlq", "RM-DLQ", "carol", 5))
		var dead []mqtest.Message
		mqtest.Eventually(t, 20*time.Second, "RM-DLQ dead-lettered", func() bool {
			dead = b.DeadLetters(t, group)
			return len(dead) == 1
		})
		if got := mugs("carol"); got != 10 || checkedOut("RM-DLQ") {
			t.Fatalf("carol's mugs = %d before the replay, want 10 and no checkout", got)
		}
		fault.broken.Store(false)
		if status := b.Replay(t, group, dead[0]); status != http.StatusOK {
			t.Fatalf("replay: status %d", status)
		}
		mqtest.Eventually(t, 20*time.Second, "RM-DLQ checked out after replay", func() bool { return checkedOut("RM-DLQ") })
		if status := b.Replay(t, group, dead[0]); status != http.StatusConflict {
			t.Errorf("second replay: status %d, want 409", status)
		}

		// Poison: acknowledged without effect.
		b.Send(t, contracts.TopicOrderPaid, "RM-POISON-1", []byte("{"))
		b.Send(t, contracts.TopicOrderPaid, "RM-POISON-2", []byte(`{"eventId":"ev-p","orderNo":"RM-P","userId":"alice"}`))
		mqtest.Eventually(t, 20*time.Second, "2 poison messages acknowledged", func() bool { return seen.Count(mq.OutcomePoison) == 2 })
		mqtest.Eventually(t, 20*time.Second, "group caught up", func() bool { return b.CaughtUp(t, group) })

		for user, want := range map[string]int{"alice": 7, "bob": 6, "carol": 5} {
			if got := mugs(user); got != want {
				t.Errorf("%s's mugs = %d, want %d", user, got, want)
			}
		}
		all, err := svc.Checkouts(ctx)
		if err != nil || len(all) != 3 {
			t.Errorf("checkouts = %d (%v), want 3", len(all), err)
		}
	})
}
