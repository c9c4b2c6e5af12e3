package events_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/inventory/internal/events"
	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// startBroker runs minirmq in memory on a free port for one test.
func startBroker(t *testing.T) mq.Config {
	t.Helper()
	c := minirmq.DefaultConfig()
	c.ListenAddr = "127.0.0.1:0"
	c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := minirmq.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return mq.Config{NameServer: srv.Addr(), Service: "inventory-test", Logger: c.Logger, ClientLogLevel: "error"}
}

// outcomes counts the consumer's outcomes by name.
type outcomes struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *outcomes) observe(_, outcome string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n[outcome]++
}

func (o *outcomes) total() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	sum := 0
	for _, v := range o.n {
		sum += v
	}
	return sum
}

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

		cfg := startBroker(t)
		seen := &outcomes{n: map[string]int{}}
		consumers, err := events.Start(ctx, cfg, events.NewHandlers(svc), mq.ConsumerOptions{Observe: seen.observe})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			for _, c := range consumers {
				c.Close()
			}
		})
		producer, err := mq.NewProducer(ctx, cfg, "test-order-cancelled")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { producer.Close() })

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
		}
		for _, m := range messages {
			if _, err := producer.Send(ctx, mq.Message{Topic: contracts.TopicOrderCancelled, Key: m.key, Body: m.body}); err != nil {
				t.Fatal(err)
			}
		}

		deadline := time.Now().Add(30 * time.Second)
		for seen.total() < len(messages) {
			if time.Now().After(deadline) {
				t.Fatalf("after 30s the consumer handled %v, want %d messages", seen.n, len(messages))
			}
			time.Sleep(20 * time.Millisecond)
		}

		seen.mu.Lock()
		got := seen.n
		seen.mu.Unlock()
		if got["processed"] != 3 || got["duplicate"] != 1 || got["poison"] != 1 || got["failed"] != 0 {
			t.Errorf("outcomes = %v, want processed 3, duplicate 1, poison 1", got)
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
