package events

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// OrderCancelled returns the handler of ORDER_CANCELLED for consumer group
// contracts.ConsumerPointsOrderCancelled: the compensation of a payment that
// redeemed points and never completed. It returns the order's redemption
// once, or voids the order when it has none, so that a redemption still on
// its way is refused (points.Service.ReturnRedemption). Outcomes as for
// ORDER_PAID: a claimed event wraps apperr.ErrAlreadyApplied (a duplicate),
// an order number the ledger cannot hold is Invalid (poison), anything else
// is redelivered.
func OrderCancelled(svc *points.Service, log *slog.Logger) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, d mq.Delivery, ev contracts.OrderCancelled) error {
		outcome, err := svc.ReturnRedemption(ctx, contracts.ConsumerPointsOrderCancelled, ev.EventID, ev.OrderNo)
		if err != nil {
			return fmt.Errorf("order %s: %w", ev.OrderNo, err)
		}
		log.InfoContext(ctx, "order cancellation applied to its points", "order_no", ev.OrderNo,
			"event_id", ev.EventID, "msg_id", d.MsgID, "outcome", string(outcome))
		return nil
	})
}
