package events

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// OrderRefunded returns the handler of ORDER_REFUNDED: it gives back the
// points that paid part of the order, if any, then claws back the order's
// credit (points.ReasonOrderRefunded states the rule). The return comes
// first and without the claim: the ledger's unique (order_no, reason) keeps
// it to once, so a delivery that crashed between the two, redelivered,
// finds it done (ALREADY_RETURNED) and goes on to the clawback, which
// claims the event in its own transaction. Outcomes:
// clawed back: nil; the event or the order's clawback applied before: a
// duplicate; the credit not recorded yet (ORDER_PAID still on its way), or
// the database down: redelivered; invalid: poison.
func OrderRefunded(svc *points.Service, log *slog.Logger) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, d mq.Delivery, ev contracts.OrderRefunded) error {
		returned, err := svc.ReturnRedemption(ctx, "", ev.EventID, ev.OrderNo)
		if err != nil {
			return fmt.Errorf("order %s: %w", ev.OrderNo, err)
		}
		if returned == points.ReturnReturned {
			log.InfoContext(ctx, "redeemed points returned", "order_no", ev.OrderNo, "event_id", ev.EventID, "msg_id", d.MsgID)
		}
		e, err := svc.ClawBack(ctx, contracts.ConsumerPointsOrderRefunded, points.OrderRefunded{
			EventID: ev.EventID, OrderNo: ev.OrderNo, UserID: ev.UserID,
		})
		if err != nil {
			return fmt.Errorf("order %s: %w", ev.OrderNo, err)
		}
		log.InfoContext(ctx, "points clawed back", "order_no", ev.OrderNo, "event_id", ev.EventID, "msg_id", d.MsgID,
			"user_id", e.UserID, "points", e.Points, "entry_id", e.ID)
		return nil
	})
}
