// Package events consumes the broker messages the cart reacts to: a paid
// order's quantities leave its user's cart, once.
package events

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// Subscriptions are the cart's consumers, started by mq.StartConsumers.
func Subscriptions(svc *cart.Service, _ *slog.Logger) []mq.Subscription {
	return []mq.Subscription{
		{Group: contracts.ConsumerCartOrderPaid, Topic: contracts.TopicOrderPaid, Handler: OrderPaid(svc)},
	}
}

// OrderPaid returns the ORDER_PAID handler over svc. The store claims the
// event, changes the lines and records the checkout in one transaction, so a
// redelivery (or a second event for the same order) comes back wrapping
// apperr.ErrAlreadyApplied: a duplicate. mq.EventHandler makes an
// undecodable or invalid event poison.
func OrderPaid(svc *cart.Service) mq.Handler {
	return mq.EventHandler(contracts.Decode, func(ctx context.Context, _ mq.Delivery, ev contracts.OrderPaid) error {
		p := cart.Purchase{OrderNo: ev.OrderNo, UserID: ev.UserID, EventID: ev.EventID}
		for _, l := range ev.Lines {
			p.Lines = append(p.Lines, cart.Line{SKU: l.SKU, Quantity: l.Quantity})
		}
		if _, err := svc.RemovePurchased(ctx, p); err != nil {
			return fmt.Errorf("clean cart of %s for paid order %s: %w", ev.UserID, ev.OrderNo, err)
		}
		return nil
	})
}
