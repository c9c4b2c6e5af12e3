// Package events consumes the broker messages the inventory reacts to. Each
// handler decodes the event, calls the domain, and lets the domain's store
// claim the event in the same transaction as its effect, so a redelivered
// message comes back wrapping apperr.ErrAlreadyApplied and is acknowledged
// as a duplicate without applying anything twice.
package events

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// Subscriptions are the inventory's consumers, each in its own group,
// started by mq.StartConsumers.
func Subscriptions(svc *inventory.Service, _ *slog.Logger) []mq.Subscription {
	return []mq.Subscription{
		{Group: contracts.ConsumerInventoryOrderCancelled, Topic: contracts.TopicOrderCancelled, Handler: OrderCancelled(svc)},
		{Group: contracts.ConsumerInventoryOrderPaid, Topic: contracts.TopicOrderPaid, Handler: OrderPaid(svc)},
		{Group: contracts.ConsumerInventoryOrderRefunded, Topic: contracts.TopicOrderRefunded, Handler: OrderRefunded(svc)},
	}
}

// OrderCancelled releases the reservation of a cancelled order. An
// undecodable event, or one whose order number the inventory refuses, is
// poison (mq.EventHandler); any other error is retried by the broker.
func OrderCancelled(svc *inventory.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.OrderCancelled) error {
		if err := svc.ReleaseCancelled(ctx, contracts.ConsumerInventoryOrderCancelled, ev.EventID, ev.OrderNo); err != nil {
			return fmt.Errorf("release reservation of cancelled order %s: %w", ev.OrderNo, err)
		}
		return nil
	})
}

// OrderPaid sells the reservation of a paid order, once per event and
// once per order: the claim and the RESERVED→SOLD update share one
// transaction, and a sold reservation is not sold again.
func OrderPaid(svc *inventory.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.OrderPaid) error {
		if err := svc.SellPaid(ctx, contracts.ConsumerInventoryOrderPaid, ev.EventID, ev.OrderNo); err != nil {
			return fmt.Errorf("sell reservation of paid order %s: %w", ev.OrderNo, err)
		}
		return nil
	})
}

// OrderRefunded returns the stock of a refunded order (SOLD → RETURNED, the
// units available again), once per event and once per order. A reservation
// not sold yet is retried by the broker until ORDER_PAID has sold it.
func OrderRefunded(svc *inventory.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.OrderRefunded) error {
		if err := svc.ReturnRefunded(ctx, contracts.ConsumerInventoryOrderRefunded, ev.EventID, ev.OrderNo); err != nil {
			return fmt.Errorf("return stock of refunded order %s: %w", ev.OrderNo, err)
		}
		return nil
	})
}
