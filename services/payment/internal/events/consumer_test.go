package events_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/minirmq"
	"github.com/rocketmart/rocketmart/services/payment/internal/events"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// startBroker runs an in-memory minirmq for the test.
func startBroker(t *testing.T) mq.Config {
	t.Helper()
	c := minirmq.DefaultConfig()
	c.ListenAddr = "127.0.0.1:0"
	c.Logger = quiet()
	srv, err := minirmq.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return mq.Config{NameServer: srv.Addr(), Service: "payment-test", Logger: quiet(), ClientLogLevel: "error"}
}

// Through the real client and broker: the same event delivered twice
// refunds once, an undecodable message is acknowledged without effect, and
// a cancellation that arrives before the charge voids the order.
func TestOrderCancelledConsumer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		svc := setup(t, db)
		if _, _, err := svc.Charge(ctx, payment.ChargeRequest{OrderNo: "PAID-1", UserID: "bob", AmountCents: 4200}); err != nil {
			t.Fatal(err)
		}

		cfg := startBroker(t)
		seen := &outcomes{}
		c, err := mq.NewConsumer(ctx, cfg, contracts.ConsumerPaymentOrderCancelled, mq.ConsumerOptions{Observe: seen.observe})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if err := events.Subscribe(c, svc, quiet()); err != nil {
			t.Fatal(err)
		}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		p, err := mq.NewProducer(ctx, cfg, "payment-test-producer")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })

		paid := cancelled(t, "ev-paid-1", "PAID-1", "bob")
		sends := []mq.Message{
			{Topic: contracts.TopicOrderCancelled, Key: "PAID-1", Body: paid},
			{Topic: contracts.TopicOrderCancelled, Key: "PAID-1", Body: paid}, // a duplicate
			{Topic: contracts.TopicOrderCancelled, Key: "UNPAID-1", Body: cancelled(t, "ev-unpaid-1", "UNPAID-1", "alice")},
			{Topic: contracts.TopicOrderCancelled, Key: "junk", Body: []byte(`{"eventId":`)},
		}
		for _, m := range sends {
			if _, err := p.Send(context.WithoutCancel(ctx), m); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]int{"processed": 2, "duplicate": 1, "poison": 1}
		eventually(t, 30*time.Second, "all four deliveries handled", func() bool {
			got := seen.get()
			return got["processed"]+got["duplicate"]+got["poison"]+got["failed"] >= len(sends)
		})
		if got := seen.get(); got["processed"] != want["processed"] || got["duplicate"] != want["duplicate"] || got["poison"] != want["poison"] {
			t.Errorf("outcomes %v, want %v", got, want)
		}

		ch, err := svc.ChargeByOrder(ctx, "PAID-1")
		if err != nil || ch.Status != payment.StatusRefunded || ch.RefundReason != payment.CancelRefundReason {
			t.Errorf("charge after cancel: %+v %v", ch, err)
		}
		if w, _ := svc.Wallet(ctx, "bob"); w.BalanceCents != 250_000 {
			t.Errorf("bob's balance %d, want 250000 (refunded once)", w.BalanceCents)
		}
		if _, _, err := svc.Charge(ctx, payment.ChargeRequest{OrderNo: "UNPAID-1", UserID: "alice", AmountCents: 100}); codeOf(err) != payment.CodeOrderCancelled {
			t.Errorf("charge of the cancelled order: %v, want ORDER_CANCELLED", err)
		}
		checkConservation(t, svc)
	})
}
