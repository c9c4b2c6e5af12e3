package events_test

import (
	"context"
	"encoding/json"
	"slices"
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

func cancelled(t *testing.T, eventID, orderNo string) []byte {
	t.Helper()
	b, err := json.Marshal(contracts.OrderCancelled{EventID: eventID, OrderNo: orderNo, UserID: "alice",
		Reason: "timeout", CancelledAt: time.Now().UTC(),
		Lines: []contracts.OrderLine{{SKU: "RM-LAMP-ROCKET", Name: "Limited Edition Rocket Lamp", Quantity: 2, UnitPriceCents: 15999}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ORDER_CANCELLED through the real client and minirmq: the same event
// delivered twice releases once and records one claim; events for a missing
// or sold reservation are claimed and acknowledged; poison is acknowledged.
func TestOrderCancelledReleasesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := store.Migrate(db); err != nil {
			t.Fatal(err)
		}
		svc := inventory.NewService(store.New(db), nil, nil, nil)
		if _, err := svc.Seed(ctx); err != nil {
			t.Fatal(err)
		}
		for _, no := range []string{"RM-CANCEL", "RM-SOLD"} {
			if _, _, err := svc.Reserve(ctx, inventory.ReserveRequest{OrderNo: no, ExpiresAt: time.Now().Add(time.Hour),
				Lines: []inventory.LineRequest{{SKU: "RM-LAMP-ROCKET", Quantity: 2}}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := svc.Sell(ctx, "RM-SOLD"); err != nil {
			t.Fatal(err)
		}

		b := mqtest.Start(t)
		seen := &mqtest.Outcomes{}
		b.Consume(t, mq.ConsumerOptions{Observe: seen.Observe}, events.Subscriptions(svc, nil)...)

		same := cancelled(t, "ev-cancel-1", "RM-CANCEL")
		messages := []struct {
			key  string
			body []byte
		}{
			{"RM-CANCEL", same},
			{"RM-CANCEL", same}, // the duplicate
			{"RM-ABSENT", cancelled(t, "ev-absent", "RM-ABSENT")},
			{"RM-SOLD", cancelled(t, "ev-sold", "RM-SOLD")},
			{"RM-POISON", []byte(`{"eventId":"ev-poison","orderNo":""}`)},
			// Decodes, but no reservation can have this order number:
			// the domain says Invalid, and a retry would say it again.
			{"RM-INVALID", cancelled(t, "ev-invalid", "RM INVALID/../x")},
		}
		for _, m := range messages {
			b.Send(t, contracts.TopicOrderCancelled, m.key, m.body)
		}
		mqtest.Eventually(t, 30*time.Second, "every message handled", func() bool {
			n := 0
			for _, v := range seen.Counts() {
				n += v
			}
			return n >= len(messages)
		})
		if got := seen.Counts(); got[mq.OutcomeProcessed] != 3 || got[mq.OutcomeDuplicate] != 1 || got[mq.OutcomePoison] != 2 || got[mq.OutcomeFailed] != 0 {
			t.Errorf("outcomes = %v, want processed 3, duplicate 1, poison 2", got)
		}
		if r, err := svc.Reservation(ctx, "RM-CANCEL"); err != nil || r.Status != inventory.Released {
			t.Errorf("RM-CANCEL: %s (%v), want RELEASED", r.Status, err)
		}
		if r, err := svc.Reservation(ctx, "RM-SOLD"); err != nil || r.Status != inventory.Sold {
			t.Errorf("RM-SOLD: %s (%v), want SOLD", r.Status, err)
		}
		stock, err := svc.Stock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stock {
			if s.SKU == "RM-LAMP-ROCKET" && (s.Available != 3 || s.Reserved != 0 || s.Sold != 2) {
				t.Errorf("rocket stock = %+v, want 3 available and 2 sold (RM-CANCEL released exactly once)", s)
			}
		}
		var claims []string
		if err := db.Table("processed_events").Where("consumer = ?", contracts.ConsumerInventoryOrderCancelled).
			Order("event_id").Pluck("event_id", &claims).Error; err != nil {
			t.Fatal(err)
		}
		if want := []string{"ev-absent", "ev-cancel-1", "ev-sold"}; !slices.Equal(claims, want) {
			t.Errorf("claims = %v, want %v", claims, want)
		}
	})
}
