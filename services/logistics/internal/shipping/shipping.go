// Package shipping is the logistics service's domain: exactly one shipment
// per paid order, created from the ORDER_PAID event with the order's address
// and lines, and its life from AWAITING_SHIPMENT through SHIPPED to
// DELIVERED. Every step appends a tracking event, and every step is a
// conditional change (Store.Advance), so concurrent or repeated requests
// move a shipment once.
package shipping

import (
	"context"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Status is where a shipment is in its life.
type Status string

// Shipment states. They only move forward, one step at a time:
// AWAITING_SHIPMENT → SHIPPED → DELIVERED. A refunded order ends its
// shipment: AWAITING_SHIPMENT → CANCELLED (it never leaves), SHIPPED or
// DELIVERED → RETURNED (the parcel comes back). Both ends are final.
const (
	AwaitingShipment Status = "AWAITING_SHIPMENT"
	Shipped          Status = "SHIPPED"
	Delivered        Status = "DELIVERED"
	Cancelled        Status = "CANCELLED"
	Returned         Status = "RETURNED"
)

// Address is where a shipment goes, copied from the paid order.
type Address struct {
	Name       string
	Line1      string
	Line2      string
	City       string
	PostalCode string
	Country    string
	Phone      string
}

// Line is one product of a shipment. Prices stay with the order and the
// charge; a parcel only needs what and how many.
type Line struct {
	SKU      string
	Name     string
	Quantity int
}

// TrackingEvent is one step of a shipment, in the order they happened.
type TrackingEvent struct {
	Status Status
	Note   string
	At     time.Time
}

// Shipment is the parcel of one paid order, identified by its order number.
type Shipment struct {
	OrderNo    string
	UserID     string
	Status     Status
	Address    Address
	Lines      []Line
	TotalCents int64
	// Carrier and TrackingNo are empty until the shipment is shipped.
	Carrier    string
	TrackingNo string
	PaidAt     time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Events     []TrackingEvent
}

// Filter narrows a listing; empty fields match everything.
type Filter struct {
	UserID  string
	OrderNo string
}

// Step asks the store to move one shipment from From to To, if and only if
// it is in From, and to record Event when it moved.
type Step struct {
	OrderNo string
	From    Status
	To      Status
	// Carrier and TrackingNo, when not empty, are set with the move.
	Carrier    string
	TrackingNo string
	Event      TrackingEvent
	// TxID, when not empty, is the transaction id of the half message that
	// announces the move: the store logs it as committed in the same
	// transaction, and only if the shipment moved (txlog's rule), so the
	// check-back answers from this database.
	TxID string
}

// RefundEnd asks the store to end a refunded order's shipment: cancelled
// with CancelNote when it has not left, returned with ReturnNote when it has.
type RefundEnd struct {
	OrderNo    string
	CancelNote string
	ReturnNote string
	At         time.Time
}

// Transition is what a Step found: whether the shipment exists, whether
// this call moved it, and the shipment as it is after the call.
type Transition struct {
	Found    bool
	Changed  bool
	Shipment Shipment
}

// Store keeps shipments and their tracking events.
type Store interface {
	// Create claims (consumer, eventID) in the inbox and inserts s with its
	// lines and events, all in one transaction. When the event was claimed
	// before, or the order already has a shipment, nothing changes and the
	// error wraps apperr.ErrAlreadyApplied.
	Create(ctx context.Context, consumer, eventID string, s Shipment) error
	// Shipment returns one shipment with its lines and events, or
	// ErrNotFound.
	Shipment(ctx context.Context, orderNo string) (Shipment, error)
	// List returns the shipments f matches, newest first, with lines and
	// events.
	List(ctx context.Context, f Filter) ([]Shipment, error)
	// Advance performs step with a conditional update in one transaction,
	// appending step.Event (and logging step.TxID) only when the shipment
	// moved.
	Advance(ctx context.Context, step Step) (Transition, error)
	// EndForRefund claims (consumer, eventID) and, in the same transaction,
	// cancels the order's shipment when it is AWAITING_SHIPMENT or marks it
	// RETURNED when it is SHIPPED or DELIVERED, with a tracking event noted
	// note. A shipment already ended is left alone (the claim still
	// commits). A missing shipment rolls back with ErrNotFound: the order's
	// ORDER_PAID has not reached logistics yet, and the broker redelivers.
	EndForRefund(ctx context.Context, consumer, eventID string, end RefundEnd) (Transition, error)
	// Due lists up to limit order numbers of shipments in status whose last
	// change is before t, oldest first (the automatic advance).
	Due(ctx context.Context, status Status, t time.Time, limit int) ([]string, error)
	// ResolveTx answers a check-back: it decides txID rolled back unless its
	// commit is logged, and reports whether it committed.
	ResolveTx(ctx context.Context, txID string) (committed bool, err error)
}

// Error codes clients see. INVALID_ORDER_NO is contracts': the gateway and
// points answer with it too.
const (
	CodeInvalidOrderNo     = contracts.CodeInvalidOrderNo
	CodeInvalidCarrier     = "INVALID_CARRIER"
	CodeInvalidTrackingNo  = "INVALID_TRACKING_NO"
	CodeShipmentNotFound   = "SHIPMENT_NOT_FOUND"
	CodeShipmentNotShipped = "SHIPMENT_NOT_SHIPPED"
	CodeAlreadyShipped     = "SHIPMENT_ALREADY_SHIPPED"
	CodeShipmentCancelled  = contracts.CodeShipmentCancelled
	CodeBrokerUnavailable  = contracts.CodeBrokerUnavailable
	// CodeInvalidEvent marks an ORDER_PAID event that breaks the contract;
	// the consumer acknowledges it as poison.
	CodeInvalidEvent = "INVALID_EVENT"
)

// ErrNotFound is the answer for a shipment that does not exist, and also for
// another user's shipment: both answer the same, so nobody learns which
// order numbers exist.
func ErrNotFound(orderNo string) *apperr.Error {
	return apperr.New(apperr.NotFound, CodeShipmentNotFound, "no shipment for this order").With("orderNo", orderNo)
}

// ErrNotShipped says a shipment cannot be delivered before it is shipped.
func ErrNotShipped(orderNo string) *apperr.Error {
	return apperr.New(apperr.Conflict, CodeShipmentNotShipped, "the shipment has not been shipped yet").
		With("orderNo", orderNo).With("status", string(AwaitingShipment))
}

// ErrShippedDifferently says a shipment was already shipped with another
// carrier or tracking number than the request names: a retry must repeat the
// request, not change it.
func ErrShippedDifferently(s Shipment) *apperr.Error {
	return apperr.New(apperr.Conflict, CodeAlreadyShipped, "the shipment was already shipped with another carrier or tracking number").
		With("orderNo", s.OrderNo).With("status", string(s.Status)).
		With("carrier", s.Carrier).With("trackingNo", s.TrackingNo)
}

// ErrEnded says a shipment of a refunded order cannot move any more.
func ErrEnded(s Shipment) *apperr.Error {
	return apperr.New(apperr.Conflict, CodeShipmentCancelled, "the order was refunded; the shipment is "+string(s.Status)).
		With("orderNo", s.OrderNo).With("status", string(s.Status))
}
