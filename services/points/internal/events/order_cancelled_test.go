package events_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

func cancelled(eventID, orderNo, userID string) contracts.OrderCancelled {
	return contracts.OrderCancelled{
		EventID: eventID, OrderNo: orderNo, UserID: userID, Reason: "payment deadline passed", CancelledAt: time.Now().UTC(),
		Lines: []contracts.OrderLine{{SKU: "RM-MUG-STONE", Name: "Stone mug", Quantity: 1, UnitPriceCents: 500}},
	}
}

func (e *env) publishCancelled(t *testing.T, ev contracts.OrderCancelled) mqtest.Message {
	t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return e.b.Send(t, contracts.TopicOrderCancelled, ev.OrderNo, body)
}

// ORDER_CANCELLED returns the order's redemption once, however often and
// under however many event ids it arrives; an order that redeemed nothing
// is voided, so a redemption still on its way is refused.
func TestOrderCancelledReturnsTheRedemptionOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := setup(t, db)
		e.consume(t, mq.ConsumerOptions{})
		e.publishEvent(t, paid("ev-earn", "RM-EARN", "alice", 100_000))
		mqtest.Eventually(t, wait, "1000 points credited", func() bool { return e.balance(t, "alice") == 1000 })
		if _, _, err := e.svc.Redeem(t.Context(), points.RedeemRequest{OrderNo: "RM-C", UserID: "alice", Points: 300}); err != nil {
			t.Fatal(err)
		}

		first := e.publishCancelled(t, cancelled("ev-c1", "RM-C", "alice"))
		mqtest.Eventually(t, wait, "the points returned", func() bool { return e.balance(t, "alice") == 1000 })
		e.b.Redeliver(t, contracts.ConsumerPointsOrderCancelled, first)
		mqtest.Eventually(t, wait, "the redelivery a duplicate", func() bool { return e.seen.Count(mq.OutcomeDuplicate) == 1 })
		e.publishCancelled(t, cancelled("ev-c2", "RM-C", "alice"))
		mqtest.Eventually(t, wait, "the second event processed", func() bool { return e.seen.Count(mq.OutcomeProcessed) == 3 })
		r, err := e.svc.RedemptionOf(t.Context(), "RM-C")
		if err != nil || r.Status != points.RedemptionReturned || e.balance(t, "alice") != 1000 {
			t.Errorf("redemption %+v (%v), balance %d; want RETURNED once and 1000", r, err, e.balance(t, "alice"))
		}

		// Nothing redeemed yet: the order is voided, a late redemption refused.
		e.publishCancelled(t, cancelled("ev-c3", "RM-LATE", "alice"))
		mqtest.Eventually(t, wait, "the void processed", func() bool { return e.seen.Count(mq.OutcomeProcessed) == 4 })
		_, _, err = e.svc.Redeem(t.Context(), points.RedeemRequest{OrderNo: "RM-LATE", UserID: "alice", Points: 10})
		if testkit.CodeOf(err) != contracts.CodeOrderCancelled || e.balance(t, "alice") != 1000 {
			t.Errorf("redeem after the cancellation: %v, balance %d", err, e.balance(t, "alice"))
		}

		// An order number the ledger cannot hold is poison, not retried.
		e.publishCancelled(t, cancelled("ev-c4", strings.Repeat("X", 65), "alice"))
		mqtest.Eventually(t, wait, "the poison acknowledged", func() bool { return e.seen.Count(mq.OutcomePoison) == 1 })
		if got := e.seen.Counts(); got[mq.OutcomeFailed] != 0 {
			t.Errorf("outcomes %v, want no failures", got)
		}
	})
}

func (e *env) balance(t *testing.T, userID string) int64 {
	t.Helper()
	st, err := e.svc.Statement(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return st.Balance
}
