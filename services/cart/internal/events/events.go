// Package events consumes the broker messages the cart reacts to: a paid
// order's quantities leave its user's cart, once.
package events

import (
	"context"
	"fmt"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// OrderPaid returns the ORDER_PAID handler over svc. The store claims the
// event, changes the lines and records the checkout in one transaction, so a
// redelivery (or a second event for the same order) is acknowledged as a
// duplicate. An event the domain refuses as invalid can never succeed:
// poison.
func OrderPaid(svc *cart.Service) mq.Handler {
	return func(ctx context.Context, d mq.Delivery) error {
		var ev contracts.OrderPaid
		if err := contracts.Decode(d.Body, &ev); err != nil {
			return mq.Poison(err)
		}
		p := cart.Purchase{OrderNo: ev.OrderNo, UserID: ev.UserID, EventID: ev.EventID}
		for _, l := range ev.Lines {
			p.Lines = append(p.Lines, cart.Line{SKU: l.SKU, Quantity: l.Quantity})
		}
		_, err := svc.RemovePurchased(ctx, p)
		switch {
		case err == nil:
			return nil
		case apperr.KindOf(err) == apperr.Invalid:
			return mq.Poison(err)
		default:
			return fmt.Errorf("clean cart of %s for paid order %s: %w", ev.UserID, ev.OrderNo, err)
		}
	}
}

// Start starts the ORDER_PAID consumer. Close it on shutdown.
func Start(ctx context.Context, cfg mq.Config, svc *cart.Service, opts mq.ConsumerOptions) (*mq.Consumer, error) {
	c, err := mq.StartConsumer(ctx, cfg, contracts.ConsumerCartOrderPaid, contracts.TopicOrderPaid, OrderPaid(svc), opts)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return c, nil
}
