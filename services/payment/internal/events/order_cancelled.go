// Package events holds payment's message consumers.
package events

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// Subscriptions are payment's consumers, started by mq.StartConsumers.
func Subscriptions(svc *payment.Service, log *slog.Logger) []mq.Subscription {
	return []mq.Subscription{
		{Group: contracts.ConsumerPaymentOrderCancelled, Topic: contracts.TopicOrderCancelled, Handler: OrderCancelled(svc, log)},
		{Group: contracts.ConsumerPaymentOrderRefunded, Topic: contracts.TopicOrderRefunded, Handler: OrderRefunded(svc, log)},
	}
}

// OrderCancelled returns the handler of ORDER_CANCELLED for consumer group
// contracts.ConsumerPaymentOrderCancelled: it refunds the order's charge, or
// voids the order when it was not charged, once per event id. A repeated
// event comes back wrapping apperr.ErrAlreadyApplied (a duplicate); an order
// number payment can never store is Invalid, so poison (mq.EventHandler).
func OrderCancelled(svc *payment.Service, log *slog.Logger) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, d mq.Delivery, ev contracts.OrderCancelled) error {
		ref := payment.EventRef{Consumer: contracts.ConsumerPaymentOrderCancelled, EventID: ev.EventID}
		outcome, err := svc.OrderCancelled(ctx, ref, ev.OrderNo)
		if err != nil {
			return fmt.Errorf("order %s: %w", ev.OrderNo, err) // mq maps it; the broker redelivers the rest
		}
		log.InfoContext(ctx, "order cancellation applied to its payment", "order_no", ev.OrderNo,
			"event_id", ev.EventID, "msg_id", d.MsgID, "outcome", string(outcome))
		return nil
	})
}
