package events

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// OrderRefunded returns the handler of ORDER_REFUNDED for consumer group
// contracts.ConsumerPaymentOrderRefunded: it refunds the order's charge,
// once per event id and once per charge. A repeated event comes back
// wrapping apperr.ErrAlreadyApplied (a duplicate); a charge that does not
// exist is retried and, if it never appears, dead-lettered; an order number
// payment can never store is Invalid, so poison. An order paid wholly with
// points (the event's ChargedCents is 0) was never charged: the event is
// acknowledged without effect, the points service returns the redemption.
func OrderRefunded(svc *payment.Service, log *slog.Logger) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, d mq.Delivery, ev contracts.OrderRefunded) error {
		if ev.ChargedCents() == 0 {
			log.InfoContext(ctx, "order refunded with nothing charged (paid with points)", "order_no", ev.OrderNo,
				"event_id", ev.EventID, "msg_id", d.MsgID, "points", ev.PointsRedeemed)
			return nil
		}
		ref := payment.EventRef{Consumer: contracts.ConsumerPaymentOrderRefunded, EventID: ev.EventID}
		c, refunded, err := svc.OrderRefunded(ctx, ref, ev.OrderNo)
		if err != nil {
			return fmt.Errorf("order %s: %w", ev.OrderNo, err)
		}
		log.InfoContext(ctx, "order refund applied to its charge", "order_no", ev.OrderNo, "event_id", ev.EventID,
			"msg_id", d.MsgID, "refunded_now", refunded, "charge_status", string(c.Status))
		return nil
	})
}
