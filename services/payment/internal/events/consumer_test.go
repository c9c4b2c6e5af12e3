package events_test

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/events"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

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

		b := mqtest.Start(t)
		var seen mqtest.Outcomes
		b.Consume(t, mq.ConsumerOptions{Observe: seen.Observe}, events.Subscriptions(svc, quiet())...)

		paid := cancelled(t, "ev-paid-1", "PAID-1", "bob")
		sends := []struct {
			key  string
			body []byte
		}{
			{"PAID-1", paid},
			{"PAID-1", paid}, // a duplicate
			{"UNPAID-1", cancelled(t, "ev-unpaid-1", "UNPAID-1", "alice")},
			{"junk", []byte(`{"eventId":`)},
		}
		for _, m := range sends {
			b.Send(t, contracts.TopicOrderCancelled, m.key, m.body)
		}
		want := map[string]int{mq.OutcomeProcessed: 2, mq.OutcomeDuplicate: 1, mq.OutcomePoison: 1}
		mqtest.Eventually(t, 30*time.Second, "all four deliveries handled", func() bool {
			got := seen.Counts()
			return got[mq.OutcomeProcessed]+got[mq.OutcomeDuplicate]+got[mq.OutcomePoison]+got[mq.OutcomeFailed] >= len(sends)
		})
		got := seen.Counts()
		delete(got, mq.OutcomeFailed) // a transient failure retried is not wrong here
		if !maps.Equal(got, want) {
			t.Errorf("outcomes %v, want %v", got, want)
		}

		ch, err := svc.ChargeByOrder(ctx, "PAID-1")
		if err != nil || ch.Status != payment.StatusRefunded || ch.RefundReason != payment.CancelRefundReason {
			t.Errorf("charge after cancel: %+v %v", ch, err)
		}
		if w, _ := svc.Wallet(ctx, "bob"); w.BalanceCents != 250_000 {
			t.Errorf("bob's balance %d, want 250000 (refunded once)", w.BalanceCents)
		}
		if _, _, err := svc.Charge(ctx, payment.ChargeRequest{OrderNo: "UNPAID-1", UserID: "alice", AmountCents: 100}); testkit.CodeOf(err) != payment.CodeOrderCancelled {
			t.Errorf("charge of the cancelled order: %v, want ORDER_CANCELLED", err)
		}
		checkConservation(t, svc)
	})
}

// Through the real client and broker: ORDER_REFUNDED of an order paid partly
// with points refunds its charge (the charged part) once, duplicate and all;
// that of an order paid wholly with points, which was never charged, is
// acknowledged without effect instead of retried into the dead letters.
func TestOrderRefundedConsumer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		svc := setup(t, db)
		if _, _, err := svc.Charge(ctx, payment.ChargeRequest{OrderNo: "PART-1", UserID: "bob", AmountCents: 60}); err != nil {
			t.Fatal(err)
		}
		b := mqtest.Start(t)
		var seen mqtest.Outcomes
		b.Consume(t, mq.ConsumerOptions{Observe: seen.Observe}, events.Subscriptions(svc, quiet())...)

		part := refunded(t, "ev-part-1", "PART-1", "bob", 40)
		sends := []struct {
			key  string
			body []byte
		}{
			{"PART-1", part},
			{"PART-1", part}, // a duplicate
			{"POINTS-1", refunded(t, "ev-points-1", "POINTS-1", "alice", 100)},
		}
		for _, m := range sends {
			b.Send(t, contracts.TopicOrderRefunded, m.key, m.body)
		}
		want := map[string]int{mq.OutcomeProcessed: 2, mq.OutcomeDuplicate: 1}
		mqtest.Eventually(t, 30*time.Second, "all three deliveries handled", func() bool {
			got := seen.Counts()
			return got[mq.OutcomeProcessed]+got[mq.OutcomeDuplicate] >= len(sends)
		})
		if got := seen.Counts(); !maps.Equal(got, want) {
			t.Errorf("outcomes %v, want %v (no failure: a refund with nothing charged is not retried)", got, want)
		}
		ch, err := svc.ChargeByOrder(ctx, "PART-1")
		if err != nil || ch.Status != payment.StatusRefunded || ch.AmountCents != 60 {
			t.Errorf("charge after the refund: %+v %v", ch, err)
		}
		if w, _ := svc.Wallet(ctx, "bob"); w.BalanceCents != 250_000 {
			t.Errorf("bob's balance %d, want 250000 (the charged part refunded once)", w.BalanceCents)
		}
		if _, err := svc.ChargeByOrder(ctx, "POINTS-1"); testkit.CodeOf(err) == "" {
			t.Errorf("a charge appeared for the order paid with points: %v", err)
		}
		if w, _ := svc.Wallet(ctx, "alice"); w.BalanceCents != 1_000_000 {
			t.Errorf("alice's balance %d, want 1000000 (nothing charged, nothing refunded)", w.BalanceCents)
		}
		checkConservation(t, svc)
	})
}

// refunded encodes a valid ORDER_REFUNDED event of a 1.00 order of which
// points paid pointsRedeemed cents.
func refunded(t *testing.T, eventID, orderNo, userID string, pointsRedeemed int64) []byte {
	t.Helper()
	body, err := json.Marshal(contracts.OrderRefunded{
		EventID: eventID, OrderNo: orderNo, UserID: userID, Reason: "cancelled after payment",
		Lines:      []contracts.OrderLine{{SKU: "SKU-1", Name: "Rocket", Quantity: 1, UnitPriceCents: 100}},
		TotalCents: 100, PointsRedeemed: pointsRedeemed, RefundedAt: time.Now().UTC(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}
