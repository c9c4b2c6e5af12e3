package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/txmsg"
)

// Producers are logistics' transactional producers, one per event, each in
// its own producer group so the broker sends its check-backs to a member
// that answers them (from this service's transaction log).
type Producers struct {
	shipped   *txmsg.Producer[contracts.ShipmentShipped]
	delivered *txmsg.Producer[contracts.ShipmentDelivered]
}

// StartProducers declares SHIPMENT_SHIPPED and SHIPMENT_DELIVERED, answered
// at check-back time by checks, with the half-message fault points
// ship.* and delivery.* on set (nil: none) and their steps in j (nil: none).
// Close them on shutdown.
func StartProducers(ctx context.Context, cfg mq.Config, checks *shipping.Checks, set *faults.Set, j *journal.Journal) (*Producers, error) {
	p := &Producers{}
	var err error
	p.shipped, err = txmsg.Start(ctx, cfg, txmsg.Event[contracts.ShipmentShipped]{
		Topic: contracts.TopicShipmentShipped, Group: contracts.ProducerShipmentShippedTx,
		Key: func(ev contracts.ShipmentShipped) string { return ev.OrderNo }, Check: checks.Shipped,
		Faults: set, FaultPrefix: "ship", Journal: j,
	})
	if err != nil {
		return nil, fmt.Errorf("events: SHIPMENT_SHIPPED producer: %w", err)
	}
	p.delivered, err = txmsg.Start(ctx, cfg, txmsg.Event[contracts.ShipmentDelivered]{
		Topic: contracts.TopicShipmentDelivered, Group: contracts.ProducerShipmentDeliveredTx,
		Key: func(ev contracts.ShipmentDelivered) string { return ev.OrderNo }, Check: checks.Delivered,
		Faults: set, FaultPrefix: "delivery", Journal: j,
	})
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("events: SHIPMENT_DELIVERED producer: %w", err)
	}
	return p, nil
}

// Events hands the producers to the domain.
func (p *Producers) Events() shipping.Events {
	return shipping.Events{Shipped: p.shipped, Delivered: p.delivered}
}

// Close stops every producer it started.
func (p *Producers) Close() error {
	var errs []error
	if p.shipped != nil {
		errs = append(errs, p.shipped.Close())
	}
	if p.delivered != nil {
		errs = append(errs, p.delivered.Close())
	}
	return errors.Join(errs...)
}
