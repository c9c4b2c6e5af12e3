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
// comes back from the claim wrapping mq.ErrDuplicate; any other error is
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

// StartOrderCancelled starts the consumer of ORDER_CANCELLED in the
// inventory's group. Close the returned consumer on shutdown.
func StartOrderCancelled(ctx context.Context, cfg mq.Config, h *Handlers, opts mq.ConsumerOptions) (*mq.Consumer, error) {
	c, err := mq.NewConsumer(ctx, cfg, contracts.ConsumerInventoryOrderCancelled, opts)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	if err := c.Subscribe(contracts.TopicOrderCancelled, h.OrderCancelled); err != nil {
		c.Close()
		return nil, fmt.Errorf("events: %w", err)
	}
	if err := c.Start(); err != nil {
		c.Close()
		return nil, fmt.Errorf("events: %w", err)
	}
	return c, nil
}
