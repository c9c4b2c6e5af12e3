// Package events holds payment's message consumers.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// OrderCancelled returns the handler of ORDER_CANCELLED for consumer group
// contracts.ConsumerPaymentOrderCancelled: it refunds the order's charge, or
// voids the order when it was not charged, once per event id.
func OrderCancelled(svc *payment.Service, log *slog.Logger) mq.Handler {
	return func(ctx context.Context, d mq.Delivery) error {
		var ev contracts.OrderCancelled
		if err := contracts.Decode(d.Body, &ev); err != nil {
			return mq.Poison(err)
		}
		ref := payment.EventRef{Consumer: contracts.ConsumerPaymentOrderCancelled, EventID: ev.EventID}
		outcome, err := svc.OrderCancelled(ctx, ref, ev.OrderNo)
		switch {
		case err == nil:
			log.InfoContext(ctx, "order cancellation applied to its payment", "order_no", ev.OrderNo,
				"event_id", ev.EventID, "msg_id", d.MsgID, "outcome", string(outcome))
			return nil
		case errors.Is(err, apperr.ErrAlreadyApplied):
			return fmt.Errorf("order %s: %w", ev.OrderNo, err)
		case apperr.KindOf(err) == apperr.Invalid:
			// An order number payment can never store: retrying cannot help.
			return mq.Poison(fmt.Errorf("order %s: %w", ev.OrderNo, err))
		default:
			return fmt.Errorf("order %s: %w", ev.OrderNo, err) // the broker redelivers
		}
	}
}

// Subscribe routes ORDER_CANCELLED to OrderCancelled on c.
func Subscribe(c *mq.Consumer, svc *payment.Service, log *slog.Logger) error {
	return c.Subscribe(contracts.TopicOrderCancelled, OrderCancelled(svc, log))
}
