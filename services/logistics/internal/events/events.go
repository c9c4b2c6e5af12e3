// Package events consumes ORDER_PAID for the logistics service: decode the
// event, let the domain create the shipment, and hand the result to mq,
// which turns it into the consumer outcome.
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
