// Package events consumes ORDER_PAID for the logistics service: decode the
// event, let the domain create the shipment, and turn the result into the
// consumer outcome mq understands.
package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// Handler is the logistics service's ORDER_PAID handler.
type Handler struct {
	svc *shipping.Service
}

// NewHandler returns the handler over svc.
func NewHandler(svc *shipping.Service) *Handler { return &Handler{svc: svc} }

// OrderPaid creates the order's shipment. Outcomes, as mq reads them:
//
//   - nil: the shipment was created (its claim committed with it);
//   - wrapping apperr.ErrAlreadyApplied: this event, or another event for the same
//     order, created it before; nothing changed;
//   - mq.Poison: the body is not a valid ORDER_PAID event and never will be;
//   - any other error (the database is down, a deadlock outlived its
//     retries): nothing changed, and the broker redelivers it later.
func (h *Handler) OrderPaid(ctx context.Context, d mq.Delivery) error {
	var ev contracts.OrderPaid
	if err := contracts.Decode(d.Body, &ev); err != nil {
		return mq.Poison(err)
	}
	_, err := h.svc.CreateForPaidOrder(ctx, contracts.ConsumerLogisticsOrderPaid, ev)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, apperr.ErrAlreadyApplied):
		return fmt.Errorf("shipment of order %s (event %s): %w", ev.OrderNo, ev.EventID, err)
	case apperr.KindOf(err) == apperr.Invalid:
		return mq.Poison(err)
	default:
		return fmt.Errorf("create shipment of order %s (event %s): %w", ev.OrderNo, ev.EventID, err)
	}
}

// StartOrderPaid starts the ORDER_PAID consumer in the logistics group
// (contracts.ConsumerLogisticsOrderPaid). Close it on shutdown.
func StartOrderPaid(ctx context.Context, cfg mq.Config, h *Handler, opts mq.ConsumerOptions) (*mq.Consumer, error) {
	c, err := mq.StartConsumer(ctx, cfg, contracts.ConsumerLogisticsOrderPaid, contracts.TopicOrderPaid, h.OrderPaid, opts)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return c, nil
}
