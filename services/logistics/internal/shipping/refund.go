package shipping

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Notes of the tracking events that end a refunded order's shipment.
const (
	noteCancelled = "Order refunded before it shipped; shipment cancelled"
	noteReturned  = "Order refunded; the parcel is returned"
)

// EndForRefund applies an ORDER_REFUNDED event once per event id: the
// order's shipment is cancelled when it has not left, marked returned when
// it has (shipped or delivered), and left alone when it has ended already.
// A shipment that does not exist yet (ORDER_PAID has not reached logistics)
// is an error the broker retries; the event is never lost.
func (s *Service) EndForRefund(ctx context.Context, consumer string, ev contracts.OrderRefunded) (Shipment, error) {
	if err := ValidateOrderNo(ev.OrderNo); err != nil {
		return Shipment{}, apperr.New(apperr.Invalid, CodeInvalidEvent, "the event's order number is not one logistics can store").
			With("orderNo", ev.OrderNo)
	}
	tr, err := s.store.EndForRefund(ctx, consumer, ev.EventID, RefundEnd{
		OrderNo: ev.OrderNo, CancelNote: noteCancelled, ReturnNote: noteReturned, At: s.now(),
	})
	if err != nil {
		return Shipment{}, err
	}
	s.log.InfoContext(ctx, "refunded order's shipment ended", "order_no", ev.OrderNo, "event_id", ev.EventID,
		"status", tr.Shipment.Status, "changed", tr.Changed)
	return tr.Shipment, nil
}

// autoAdvanceBatch bounds one round of the automatic advance.
const autoAdvanceBatch = 50

// AutoAdvance is one round of the embedded run's automatic advance (off
// unless LOGISTICS_AUTO_ADVANCE is set): shipments waiting longer than
// after are shipped, and shipments shipped longer than after are delivered,
// each through the same transactional Ship and Deliver as an operator's. A
// shipment that ended meanwhile (refunded) is skipped.
func (s *Service) AutoAdvance(ctx context.Context, after time.Duration) error {
	var errs []error
	for _, step := range []struct {
		from Status
		move func(ctx context.Context, orderNo string) error
	}{
		{Shipped, func(ctx context.Context, no string) error { _, err := s.Deliver(ctx, no); return err }},
		{AwaitingShipment, func(ctx context.Context, no string) error { _, err := s.Ship(ctx, no, ShipRequest{}); return err }},
	} {
		due, err := s.store.Due(ctx, step.from, s.now().Add(-after), autoAdvanceBatch)
		if err != nil {
			return err
		}
		for _, no := range due {
			if err := step.move(ctx, no); err != nil && apperr.KindOf(err) != apperr.Conflict {
				errs = append(errs, fmt.Errorf("advance %s: %w", no, err))
			}
		}
	}
	return errors.Join(errs...)
}
