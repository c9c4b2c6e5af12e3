// Package events consumes the broker messages the inventory reacts to. Each
// handler decodes the event, calls the domain, and lets the domain's store
// claim the event in the same transaction as its effect, so a redelivered
// message is acknowledged without applying anything twice.
package events

import (
	"context"
	"fmt"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// Handlers are the inventory's message handlers.
type Handlers struct {
	svc *inventory.Service
}

// NewHandlers returns the handlers over svc.
func NewHandlers(svc *inventory.Service) *Handlers { return &Handlers{svc: svc} }

// OrderCancelled releases the reservation of a cancelled order. An
// undecodable event is poison (acknowledged, never retried); a duplicate
// comes back from the claim wrapping apperr.ErrAlreadyApplied; any other error is
// retried by the broker.
func (h *Handlers) OrderCancelled(ctx context.Context, d mq.Delivery) error {
	var ev contracts.OrderCancelled
	if err := contracts.Decode(d.Body, &ev); err != nil {
		return mq.Poison(err)
	}
	if err := h.svc.ReleaseCancelled(ctx, contracts.ConsumerInventoryOrderCancelled, ev.EventID, ev.OrderNo); err != nil {
		return fmt.Errorf("release reservation of cancelled order %s: %w", ev.OrderNo, err)
	}
	return nil
}

// OrderPaid sells the reservation of a paid order, once per event and
// once per order: the claim and the RESERVED→SOLD update share one
// transaction, and a sold reservation is not sold again.
func (h *Handlers) OrderPaid(ctx context.Context, d mq.Delivery) error {
	var ev contracts.OrderPaid
	if err := contracts.Decode(d.Body, &ev); err != nil {
		return mq.Poison(err)
	}
	if err := h.svc.SellPaid(ctx, contracts.ConsumerInventoryOrderPaid, ev.EventID, ev.OrderNo); err != nil {
		return fmt.Errorf("sell reservation of paid order %s: %w", ev.OrderNo, err)
	}
	return nil
}

// Start starts the inventory's consumers: ORDER_CANCELLED and ORDER_PAID,
// each in its own group. Close every returned consumer on shutdown.
func Start(ctx context.Context, cfg mq.Config, h *Handlers, opts mq.ConsumerOptions) ([]*mq.Consumer, error) {
	subs := []struct {
		group, topic string
		handler      mq.Handler
	}{
		{contracts.ConsumerInventoryOrderCancelled, contracts.TopicOrderCancelled, h.OrderCancelled},
		{contracts.ConsumerInventoryOrderPaid, contracts.TopicOrderPaid, h.OrderPaid},
	}
	var started []*mq.Consumer
	for _, s := range subs {
		c, err := mq.StartConsumer(ctx, cfg, s.group, s.topic, s.handler, opts)
		if err != nil {
			for _, c := range started {
				c.Close()
			}
			return nil, fmt.Errorf("events: %w", err)
		}
		started = append(started, c)
	}
	return started, nil
}
