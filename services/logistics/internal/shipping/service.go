package shipping

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// Notes of the tracking events, one per status.
const (
	noteAwaiting  = "Order paid; waiting to be shipped"
	noteDelivered = "Delivered to the recipient"
)

// Service is the logistics use cases; the HTTP handlers and the ORDER_PAID
// consumer call it, and it calls a Store.
type Service struct {
	store Store
	log   *slog.Logger
	clock func() time.Time
}

// NewService returns a Service. log nil discards; clock nil means time.Now.
func NewService(store Store, log *slog.Logger, clock func() time.Time) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = time.Now
	}
	return &Service{store: store, log: log, clock: clock}
}

// now is the clock in UTC at millisecond precision: MySQL keeps DATETIME(3),
// so a shipment answered at creation equals the one read back later.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// CreateForPaidOrder creates the shipment of a paid order, AWAITING_SHIPMENT
// with its first tracking event, and claims the event for consumer in the
// same transaction. A repeated event, or a second event for the same order,
// changes nothing and returns an error wrapping apperr.ErrAlreadyApplied. An event
// that breaks the contract is an Invalid apperr with CodeInvalidEvent.
func (s *Service) CreateForPaidOrder(ctx context.Context, consumer string, ev contracts.OrderPaid) (Shipment, error) {
	if err := validateOrderPaid(ev); err != nil {
		return Shipment{}, err
	}
	now := s.now()
	paidAt := ev.PaidAt.UTC().Truncate(time.Millisecond)
	if paidAt.Year() < 1970 || paidAt.Year() > 9999 {
		// The time is informational; a shipment the audit can count matters
		// more than refusing the event (or retrying it for ever on MySQL,
		// whose DATETIME cannot hold it).
		paidAt = now
	}
	sh := Shipment{
		OrderNo:    ev.OrderNo,
		UserID:     ev.UserID,
		Status:     AwaitingShipment,
		Address:    Address(ev.Address),
		Lines:      make([]Line, 0, len(ev.Lines)),
		TotalCents: ev.TotalCents,
		PaidAt:     paidAt,
		CreatedAt:  now,
		UpdatedAt:  now,
		Events:     []TrackingEvent{{Status: AwaitingShipment, Note: noteAwaiting, At: now}},
	}
	for _, l := range ev.Lines {
		sh.Lines = append(sh.Lines, Line{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity})
	}
	if err := s.store.Create(ctx, consumer, ev.EventID, sh); err != nil {
		return Shipment{}, err
	}
	s.log.InfoContext(ctx, "shipment created", "order_no", sh.OrderNo, "user_id", sh.UserID, "event_id", ev.EventID)
	return sh, nil
}

// Shipments lists the user's shipments, newest first.
func (s *Service) Shipments(ctx context.Context, userID string) ([]Shipment, error) {
	return s.store.List(ctx, Filter{UserID: userID})
}

// ShipmentOf returns the user's shipment of orderNo. Another user's
// shipment is ErrNotFound, exactly like a missing one.
func (s *Service) ShipmentOf(ctx context.Context, userID, orderNo string) (Shipment, error) {
	sh, err := s.Shipment(ctx, orderNo)
	if err != nil {
		return Shipment{}, err
	}
	if sh.UserID != userID {
		return Shipment{}, ErrNotFound(orderNo)
	}
	return sh, nil
}

// Shipment returns any user's shipment of orderNo, for operators.
func (s *Service) Shipment(ctx context.Context, orderNo string) (Shipment, error) {
	if err := ValidateOrderNo(orderNo); err != nil {
		return Shipment{}, err
	}
	return s.store.Shipment(ctx, orderNo)
}

// AllShipments lists every shipment, newest first, or only the one of
// orderNo when it is not empty; for operators and the consistency audit.
func (s *Service) AllShipments(ctx context.Context, orderNo string) ([]Shipment, error) {
	if orderNo != "" {
		if err := ValidateOrderNo(orderNo); err != nil {
			return nil, err
		}
	}
	return s.store.List(ctx, Filter{OrderNo: orderNo})
}

// Ship moves a shipment from AWAITING_SHIPMENT to SHIPPED with a carrier and
// a tracking number (generated when req has none). Shipping a shipment that
// has left already answers it as it is, so retries are safe, unless req
// names a carrier or tracking number other than the stored ones
// (ErrShippedDifferently).
func (s *Service) Ship(ctx context.Context, orderNo string, req ShipRequest) (Shipment, error) {
	if err := ValidateOrderNo(orderNo); err != nil {
		return Shipment{}, err
	}
	if err := req.validate(); err != nil {
		return Shipment{}, err
	}
	carrier, trackingNo := req.Carrier, req.TrackingNo
	if carrier == "" {
		carrier = DefaultCarrier
	}
	if trackingNo == "" {
		trackingNo = newTrackingNo()
	}
	now := s.now()
	tr, err := s.store.Advance(ctx, Step{
		OrderNo: orderNo, From: AwaitingShipment, To: Shipped, Carrier: carrier, TrackingNo: trackingNo,
		Event: TrackingEvent{Status: Shipped, Note: fmt.Sprintf("Handed to %s, tracking number %s", carrier, trackingNo), At: now},
	})
	if err != nil {
		return Shipment{}, err
	}
	sh := tr.Shipment
	switch {
	case !tr.Found:
		return Shipment{}, ErrNotFound(orderNo)
	case tr.Changed:
		s.log.InfoContext(ctx, "shipment shipped", "order_no", orderNo, "carrier", carrier, "tracking_no", trackingNo)
		return sh, nil
	case sh.Status == AwaitingShipment:
		// Advance's update matches every AWAITING_SHIPMENT row and states
		// never move back, so only a broken store gets here.
		return Shipment{}, fmt.Errorf("shipping: ship %s: the shipment is %s but did not move", orderNo, sh.Status)
	case req.Carrier != "" && req.Carrier != sh.Carrier, req.TrackingNo != "" && req.TrackingNo != sh.TrackingNo:
		return Shipment{}, ErrShippedDifferently(sh)
	}
	return sh, nil
}

// Deliver moves a shipment from SHIPPED to DELIVERED. Delivering a delivered
// shipment answers it as it is; one not shipped yet is ErrNotShipped.
func (s *Service) Deliver(ctx context.Context, orderNo string) (Shipment, error) {
	if err := ValidateOrderNo(orderNo); err != nil {
		return Shipment{}, err
	}
	tr, err := s.store.Advance(ctx, Step{
		OrderNo: orderNo, From: Shipped, To: Delivered,
		Event: TrackingEvent{Status: Delivered, Note: noteDelivered, At: s.now()},
	})
	if err != nil {
		return Shipment{}, err
	}
	switch {
	case !tr.Found:
		return Shipment{}, ErrNotFound(orderNo)
	case tr.Changed:
		s.log.InfoContext(ctx, "shipment delivered", "order_no", orderNo)
	case tr.Shipment.Status == AwaitingShipment:
		return Shipment{}, ErrNotShipped(orderNo)
	}
	return tr.Shipment, nil
}

// newTrackingNo returns a random tracking number such as "RP7K3QF9XZ2B7M4A":
// 14 base-32 characters give 70 bits, so two never collide in practice.
func newTrackingNo() string {
	return "RP" + rand.Text()[:14]
}
