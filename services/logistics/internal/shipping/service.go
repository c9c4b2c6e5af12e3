package shipping

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Notes of the tracking events, one per status.
const (
	noteAwaiting  = "Order paid; waiting to be shipped"
	noteDelivered = "Delivered to the recipient"
)

// Service is the logistics use cases; the HTTP handlers and the consumers
// call it, and it calls a Store and publishes Events.
type Service struct {
	store  Store
	events Events
	log    *slog.Logger
	clock  func() time.Time
}

// NewService returns a Service that announces its moves through events.
// log nil discards; clock nil means time.Now.
func NewService(store Store, events Events, log *slog.Logger, clock func() time.Time) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = time.Now
	}
	return &Service{store: store, events: events, log: log, clock: clock}
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
// a tracking number (generated when req has none), and publishes
// SHIPMENT_SHIPPED if and only if that move commits. Shipping a shipment
// that has left already answers it as it is, so retries are safe, unless
// req names a carrier or tracking number other than the stored ones
// (ErrShippedDifferently). A shipment of a refunded order is ErrEnded.
func (s *Service) Ship(ctx context.Context, orderNo string, req ShipRequest) (Shipment, error) {
	if err := ValidateOrderNo(orderNo); err != nil {
		return Shipment{}, err
	}
	if err := req.validate(); err != nil {
		return Shipment{}, err
	}
	current, err := s.store.Shipment(ctx, orderNo)
	if err != nil {
		return Shipment{}, err
	}
	if current.Status == AwaitingShipment {
		carrier, trackingNo := req.Carrier, req.TrackingNo
		if carrier == "" {
			carrier = DefaultCarrier
		}
		if trackingNo == "" {
			trackingNo = newTrackingNo()
		}
		now := s.now()
		ev := contracts.ShipmentShipped{EventID: newEventID(), OrderNo: orderNo, UserID: current.UserID,
			Carrier: carrier, TrackingNo: trackingNo, ShippedAt: now}
		tr, err := s.advance(ctx, Step{
			OrderNo: orderNo, From: AwaitingShipment, To: Shipped, Carrier: carrier, TrackingNo: trackingNo,
			Event: TrackingEvent{Status: Shipped, Note: fmt.Sprintf("Handed to %s, tracking number %s", carrier, trackingNo), At: now},
		}, func(ctx context.Context, local func(context.Context, string) error) error {
			return s.events.Shipped.Publish(ctx, ev, local)
		})
		if err != nil {
			return Shipment{}, err
		}
		if tr.Changed {
			s.log.InfoContext(ctx, "shipment shipped", "order_no", orderNo, "carrier", carrier, "tracking_no", trackingNo, "event_id", ev.EventID)
			return tr.Shipment, nil
		}
		current = tr.Shipment // a concurrent request moved it first
	}
	switch {
	case current.Status == Cancelled, current.Status == Returned:
		return Shipment{}, ErrEnded(current)
	case current.Status == AwaitingShipment:
		// Advance's update matches every AWAITING_SHIPMENT row and states
		// never move back, so only a broken store gets here.
		return Shipment{}, fmt.Errorf("shipping: ship %s: the shipment is %s but did not move", orderNo, current.Status)
	case req.Carrier != "" && req.Carrier != current.Carrier, req.TrackingNo != "" && req.TrackingNo != current.TrackingNo:
		return Shipment{}, ErrShippedDifferently(current)
	}
	return current, nil
}

// Deliver moves a shipment from SHIPPED to DELIVERED and publishes
// SHIPMENT_DELIVERED if and only if that move commits. Delivering a
// delivered shipment answers it as it is; one not shipped yet is
// ErrNotShipped, one of a refunded order ErrEnded.
func (s *Service) Deliver(ctx context.Context, orderNo string) (Shipment, error) {
	if err := ValidateOrderNo(orderNo); err != nil {
		return Shipment{}, err
	}
	current, err := s.store.Shipment(ctx, orderNo)
	if err != nil {
		return Shipment{}, err
	}
	if current.Status == Shipped {
		now := s.now()
		ev := contracts.ShipmentDelivered{EventID: newEventID(), OrderNo: orderNo, UserID: current.UserID, DeliveredAt: now}
		tr, err := s.advance(ctx, Step{
			OrderNo: orderNo, From: Shipped, To: Delivered,
			Event: TrackingEvent{Status: Delivered, Note: noteDelivered, At: now},
		}, func(ctx context.Context, local func(context.Context, string) error) error {
			return s.events.Delivered.Publish(ctx, ev, local)
		})
		if err != nil {
			return Shipment{}, err
		}
		if tr.Changed {
			s.log.InfoContext(ctx, "shipment delivered", "order_no", orderNo, "event_id", ev.EventID)
			return tr.Shipment, nil
		}
		current = tr.Shipment
	}
	switch current.Status {
	case AwaitingShipment:
		return Shipment{}, ErrNotShipped(orderNo)
	case Cancelled, Returned:
		return Shipment{}, ErrEnded(current)
	}
	return current, nil
}

// moveBudget bounds a move once its half message is sent: it no longer
// follows the HTTP request, so a client that hangs up does not cut it in
// half.
const moveBudget = 30 * time.Second

// errNotMoved rolls back the half message of a step a concurrent request
// took first: nothing changed here, so nothing is announced.
var errNotMoved = errors.New("the shipment did not move: a concurrent request moved it first")

// advance performs step as the local transaction of the half message that
// publish sends: the message is committed if and only if the shipment moved
// (and its transaction id was logged with the move). A store failure leaves
// the message to the check-back, which finds no logged commit and rolls it
// back; the caller hears Unavailable and may retry.
func (s *Service) advance(ctx context.Context, step Step,
	publish func(ctx context.Context, local func(context.Context, string) error) error) (Transition, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), moveBudget)
	defer cancel()
	var tr Transition
	var stepErr error
	err := publish(ctx, func(ctx context.Context, txID string) error {
		step.TxID = txID
		tr, stepErr = s.store.Advance(ctx, step)
		switch {
		case stepErr != nil:
			return apperr.Wrap(apperr.Unavailable, CodeBrokerUnavailable, "recording the move failed", stepErr)
		case !tr.Found:
			return ErrNotFound(step.OrderNo)
		case !tr.Changed:
			return errNotMoved
		}
		return nil
	})
	if err != nil {
		return Transition{}, apperr.Wrap(apperr.Unavailable, CodeBrokerUnavailable, "the shipment could not be moved now; nothing changed, try again", err)
	}
	if stepErr != nil {
		return Transition{}, stepErr
	}
	if !tr.Found {
		return Transition{}, ErrNotFound(step.OrderNo)
	}
	return tr, nil
}

// newEventID returns a random event id, e.g. "evt-…".
func newEventID() string { return "evt-" + strings.ToLower(rand.Text()[:20]) }

// newTrackingNo returns a random tracking number such as "RP7K3QF9XZ2B7M4A":
// 14 base-32 characters give 70 bits, so two never collide in practice.
func newTrackingNo() string {
	return "RP" + rand.Text()[:14]
}
