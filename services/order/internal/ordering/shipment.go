package ordering

import (
	"context"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// History reasons of the moves logistics reports.
const (
	ReasonShipped   = "shipment shipped"
	ReasonDelivered = "shipment delivered"
)

// HandleShipped applies a SHIPMENT_SHIPPED event once per event id: a PAID
// order becomes SHIPPED. An order anywhere else (shipped or completed
// already, a delivery that overtook this event, refunding or refunded) is
// left as it is, so a late, repeated or out-of-order event never moves an
// order back. A claimed event comes back wrapping apperr.ErrAlreadyApplied.
func (s *Service) HandleShipped(ctx context.Context, consumer string, ev contracts.ShipmentShipped) ([]StatusChange, error) {
	at := s.now()
	return s.applyShipment(ctx, consumer, ev.EventID, ev.OrderNo,
		StatusChange{From: Paid, To: Shipped, Reason: ReasonShipped, At: at})
}

// HandleDelivered applies a SHIPMENT_DELIVERED event once per event id: the
// order is completed, PAID → SHIPPED → COMPLETED when SHIPMENT_SHIPPED has
// not arrived (consumers must not assume ordering between topics), SHIPPED
// → COMPLETED otherwise. An order that is refunding or refunded stays so:
// the refund won the race, and logistics records the parcel's return when it
// consumes ORDER_REFUNDED.
func (s *Service) HandleDelivered(ctx context.Context, consumer string, ev contracts.ShipmentDelivered) ([]StatusChange, error) {
	at := s.now()
	return s.applyShipment(ctx, consumer, ev.EventID, ev.OrderNo,
		StatusChange{From: Paid, To: Shipped, Reason: ReasonShipped, At: at},
		StatusChange{From: Shipped, To: Completed, Reason: ReasonDelivered, At: at})
}

func (s *Service) applyShipment(ctx context.Context, consumer, eventID, orderNo string, steps ...StatusChange) ([]StatusChange, error) {
	applied, err := s.store.Advance(ctx, orderNo, &EventClaim{Consumer: consumer, EventID: eventID}, steps...)
	if err != nil {
		return nil, err
	}
	if len(applied) == 0 {
		s.cfg.Log.InfoContext(ctx, "shipment event left the order as it is", "order_no", orderNo, "event_id", eventID, "consumer", consumer)
	}
	for _, c := range applied {
		s.cfg.Log.InfoContext(ctx, "order moved by its shipment", "order_no", orderNo, "from", c.From, "to", c.To, "event_id", eventID)
	}
	return applied, nil
}
