// Package events connects the logistics service to RocketMQ: the ORDER_PAID
// consumer (create the shipment), the ORDER_REFUNDED consumer (cancel or
// return it), and the transactional SHIPMENT_SHIPPED and SHIPMENT_DELIVERED
// producers (producers.go), whose check-backs shipping.Checks answers.
package events

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// Subscriptions are the logistics service's consumers, started by
// mq.StartConsumers.
func Subscriptions(svc *shipping.Service, _ *slog.Logger) []mq.Subscription {
	return []mq.Subscription{
		{Group: contracts.ConsumerLogisticsOrderPaid, Topic: contracts.TopicOrderPaid, Handler: OrderPaid(svc)},
		{Group: contracts.ConsumerLogisticsOrderRefunded, Topic: contracts.TopicOrderRefunded, Handler: OrderRefunded(svc)},
	}
}

// OrderPaid returns the handler that creates the order's shipment.
// Outcomes, as mq reads them:
//
//   - nil: the shipment was created (its claim committed with it);
//   - wrapping apperr.ErrAlreadyApplied: this event, or another event for
//     the same order, created it before; nothing changed;
//   - poison: the body is not a valid ORDER_PAID event, or the domain
//     refuses it as Invalid, and never will accept it;
//   - any other error (the database is down, a deadlock outlived its
//     retries): nothing changed, and the broker redelivers it later.
func OrderPaid(svc *shipping.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.OrderPaid) error {
		if _, err := svc.CreateForPaidOrder(ctx, contracts.ConsumerLogisticsOrderPaid, ev); err != nil {
			return fmt.Errorf("create shipment of order %s (event %s): %w", ev.OrderNo, ev.EventID, err)
		}
		return nil
	})
}

// OrderRefunded returns the handler that ends a refunded order's shipment:
// cancelled when it has not left, returned when it has. Outcomes: nil (ended,
// or found ended already; the claim committed either way); a duplicate
// (wrapping apperr.ErrAlreadyApplied) for an event claimed before; poison
// for an invalid event; any other error, including a shipment ORDER_PAID
// has not created yet, is redelivered by the broker.
func OrderRefunded(svc *shipping.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.OrderRefunded) error {
		if _, err := svc.EndForRefund(ctx, contracts.ConsumerLogisticsOrderRefunded, ev); err != nil {
			return fmt.Errorf("end shipment of refunded order %s (event %s): %w", ev.OrderNo, ev.EventID, err)
		}
		return nil
	})
}
