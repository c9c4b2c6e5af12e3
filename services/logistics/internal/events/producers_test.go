package events_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/events"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/logistics/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
)

// shipmentEvents records the SHIPMENT_* events a test consumer receives.
type shipmentEvents struct {
	mu        sync.Mutex
	shipped   []contracts.ShipmentShipped
	delivered []contracts.ShipmentDelivered
}

func (s *shipmentEvents) counts() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.shipped), len(s.delivered)
}

// TestMovesPublishedTransactionally: ship and deliver publish their event
// once, through the real client and broker; a move that changed nothing
// publishes nothing; and with the commit lost on its way (training fault
// ship.end-transaction), the broker's check-back finds the move in
// logistics' own transaction log and delivers the event after all.
func TestMovesPublishedTransactionally(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := store.Migrate(db); err != nil {
			t.Fatal(err)
		}
		b := mqtest.Start(t)
		ctx := context.Background()
		set := faults.New("logistics", slog.New(slog.DiscardHandler))
		st := store.New(db)
		producers, err := events.StartProducers(ctx, b.Config, shipping.NewChecks(st), set, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { producers.Close() })
		svc := shipping.NewService(st, producers.Events(), nil, nil)

		got := &shipmentEvents{}
		b.Consume(t, mq.ConsumerOptions{},
			mq.Subscription{Group: "test-shipped", Topic: contracts.TopicShipmentShipped, Handler: collect(&got.mu, &got.shipped)},
			mq.Subscription{Group: "test-delivered", Topic: contracts.TopicShipmentDelivered, Handler: collect(&got.mu, &got.delivered)})

		for _, no := range []string{"RM-1", "RM-2"} {
			if _, err := svc.CreateForPaidOrder(ctx, contracts.ConsumerLogisticsOrderPaid, paidEvent(no)); err != nil {
				t.Fatal(err)
			}
		}
		sh, err := svc.Ship(ctx, "RM-1", shipping.ShipRequest{Carrier: "RocketPost", TrackingNo: "RP-1"})
		if err != nil || sh.Status != shipping.Shipped {
			t.Fatalf("ship: %+v %v", sh, err)
		}
		if _, err := svc.Ship(ctx, "RM-1", shipping.ShipRequest{}); err != nil { // a retry
			t.Fatal(err)
		}
		if _, err := svc.Deliver(ctx, "RM-1"); err != nil {
			t.Fatal(err)
		}
		mqtest.Eventually(t, 15*time.Second, "SHIPMENT_SHIPPED and SHIPMENT_DELIVERED consumed", func() bool {
			s, d := got.counts()
			return s == 1 && d == 1
		})
		if ev := got.shipped[0]; ev.OrderNo != "RM-1" || ev.UserID != "alice" || ev.Carrier != "RocketPost" || ev.TrackingNo != "RP-1" || ev.EventID == "" {
			t.Errorf("SHIPMENT_SHIPPED %+v", ev)
		}

		// The commit is lost: the check-back answers from the log.
		if _, err := set.Arm(faults.Spec{Point: "ship.end-transaction", Action: faults.Drop, Count: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Ship(ctx, "RM-2", shipping.ShipRequest{}); err != nil {
			t.Fatal(err)
		}
		mqtest.Eventually(t, 15*time.Second, "the check-back to commit RM-2's SHIPMENT_SHIPPED", func() bool {
			s, _ := got.counts()
			return s == 2
		})
		if s, d := got.counts(); s != 2 || d != 1 || got.shipped[1].OrderNo != "RM-2" {
			t.Errorf("events %d shipped, %d delivered: %+v", s, d, got.shipped)
		}
	})
}

func paidEvent(no string) contracts.OrderPaid {
	return contracts.OrderPaid{EventID: "paid-" + no, OrderNo: no, UserID: "alice",
		Lines:      []contracts.OrderLine{{SKU: "RM-TENT-2P", Name: "Tent", Quantity: 1, UnitPriceCents: 100}},
		TotalCents: 100, Address: contracts.Address{Name: "A", Line1: "1", City: "C", PostalCode: "1", Country: "ZA"}, PaidAt: time.Now().UTC()}
}

// collect is a handler that appends every event it receives to into.
func collect[E any](mu *sync.Mutex, into *[]E) mq.Handler {
	return mq.EventHandler(func(body []byte, ev *E) error { return json.Unmarshal(body, ev) },
		func(_ context.Context, _ mq.Delivery, ev E) error {
			mu.Lock()
			defer mu.Unlock()
			*into = append(*into, ev)
			return nil
		})
}
