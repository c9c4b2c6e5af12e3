package ordering

import (
	"context"
	"errors"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
)

// Errors the Store returns for outcomes the domain decides on.
var (
	// ErrStateChanged: a conditional status change found the order no
	// longer in the expected state (someone else paid or cancelled it).
	ErrStateChanged = errors.New("order state changed")
	// ErrTxDecided: the transaction id is already in the transaction log
	// (a check-back decided it, or another path committed it).
	ErrTxDecided = errors.New("transaction already decided")
	// ErrKeyTaken: the user already used the idempotency key (for another
	// order number).
	ErrKeyTaken = errors.New("idempotency key already used")
	// ErrOrderExists: an order with that number exists already.
	ErrOrderExists = errors.New("order number taken")
)

// IdempotencyKey is a user's checkout attempt: claimed before any stock is
// reserved, with the order number it reserves and creates under, a hash of
// the request, and when it began (the order's payment deadline counts from
// then), so that a retry after a crash continues the same attempt.
type IdempotencyKey struct {
	UserID      string
	Key         string
	RequestHash string
	OrderNo     string
	CreatedAt   time.Time
}

// Store keeps orders. Status changes are conditional and record the
// message's transaction id in the transaction log in the same database
// transaction, so a check-back can answer from durable state.
type Store interface {
	// ClaimKey records a checkout attempt before it reserves anything: a
	// key the user already used gives ErrKeyTaken.
	ClaimKey(ctx context.Context, key IdempotencyKey) error
	// Create inserts o with its lines and first history entry, and key
	// unless it is nil or already claimed for o.No. A key the user used for
	// another order gives ErrKeyTaken, an order number that exists
	// ErrOrderExists.
	Create(ctx context.Context, o *Order, key *IdempotencyKey) error
	// FindKey returns the user's key, or found=false.
	FindKey(ctx context.Context, userID, key string) (k IdempotencyKey, found bool, err error)
	// Get returns the order with lines and history, or a NotFound apperr.
	Get(ctx context.Context, orderNo string) (*Order, error)
	// ListByUser returns the user's newest orders (without history).
	ListByUser(ctx context.Context, userID string, limit int) ([]Order, error)
	// List returns orders, newest first, optionally of one status (for admins).
	List(ctx context.Context, status Status, limit int) ([]Order, error)
	// Transition records txID as committed and applies change (From → To,
	// with its reason and time) to the order, in one transaction:
	// ErrTxDecided when txID is already logged, ErrStateChanged when the
	// order is no longer in change.From. Moving to PAID records txID as the
	// order's payment; moving to CANCELLED records the reason.
	Transition(ctx context.Context, orderNo, txID string, change StatusChange) error
	// Advance applies steps in order in one transaction, each one a
	// conditional change from its From (with its history entry) that
	// applies only when the order is in From at that moment, and returns
	// the steps it applied (none when the order is elsewhere, or does not
	// exist). With a claim it first claims (consumer, event id) in the
	// inbox, committed with the steps: a claimed event gives an error
	// wrapping apperr.ErrAlreadyApplied and changes nothing.
	Advance(ctx context.Context, orderNo string, claim *EventClaim, steps ...StatusChange) ([]StatusChange, error)
	// LookupTx reads a logged outcome without deciding anything.
	LookupTx(ctx context.Context, txID string) (committed, found bool, err error)
	// ResolveTx decides txID rolled back unless its commit is logged, and
	// reports whether it committed.
	ResolveTx(ctx context.Context, txID string) (committed bool, err error)
	// Overdue returns pending orders whose payment deadline is before t.
	Overdue(ctx context.Context, t time.Time, limit int) ([]string, error)
	// PointsSplits fixes each order's points part (points.go).
	PointsSplits
}

// EventClaim is a consumed event: the consumer group and the event id the
// inbox keys it by.
type EventClaim struct {
	Consumer string
	EventID  string
}

// LineRequest is a product and quantity a customer asks for.
type LineRequest struct {
	SKU      string
	Quantity int
}

// Reservation is the stock inventory holds for an order number: its lines
// priced from the catalogue, whether it still holds them (RESERVED, not
// released or sold) and when its expiry sweeper may release it.
type Reservation struct {
	Lines     []Line
	Held      bool
	ExpiresAt time.Time
}

// Inventory reserves and releases stock (the inventory service).
type Inventory interface {
	// Reserve reserves every line or none, idempotently by order number:
	// repeated, it returns the reservation it made, whatever its state now
	// (Held says). The same number with other lines is a Conflict.
	Reserve(ctx context.Context, orderNo string, lines []LineRequest, expiresAt time.Time) (Reservation, error)
	// Release gives the stock of orderNo back; releasing twice is harmless.
	Release(ctx context.Context, orderNo string) error
}

// ChargeStatus is the state of a charge in the payment service.
type ChargeStatus string

// Charge states.
const (
	ChargeSucceeded ChargeStatus = "SUCCEEDED"
	ChargeRefunded  ChargeStatus = "REFUNDED"
)

// Charge is the payment service's record of an order's charge.
type Charge struct {
	OrderNo     string
	UserID      string
	AmountCents int64
	Status      ChargeStatus
}

// Payments charges and refunds buyers (the payment service). Charges are
// idempotent by order number.
type Payments interface {
	// Charge debits the buyer once per order. A declined charge is a
	// PaymentRequired apperr; an order the payment service knows as
	// cancelled is a Conflict with code ORDER_CANCELLED; an unreachable or
	// slow service is Unavailable: the charge may or may not have happened.
	// The payment service creates no charge after notAfter (a Conflict
	// with code CHARGE_TOO_LATE): what lets a check-back that finds no
	// charge after that moment roll back for good.
	Charge(ctx context.Context, orderNo, userID string, amountCents int64, notAfter time.Time) (Charge, error)
	// GetCharge returns the order's charge, or found=false.
	GetCharge(ctx context.Context, orderNo string) (c Charge, found bool, err error)
	// Refund refunds the order's charge exactly once.
	Refund(ctx context.Context, orderNo, reason string) error
}

// Cart reads the lines of a user's cart (the cart service).
type Cart interface {
	Lines(ctx context.Context, userID string) ([]LineRequest, error)
}

// TxPublisher publishes an event E if and only if a local change commits:
// it stores ev as a half message, runs local once with the message's
// transaction id, and commits the message when local returns nil. A local
// error of kind apperr.Unavailable leaves the outcome to the broker's
// check-back; any other error rolls the message back. An error from Publish
// means the half message was not stored: local did not run, nothing changed.
type TxPublisher[E any] interface {
	Publish(ctx context.Context, ev E, local func(ctx context.Context, txID string) error) error
}

// TimeoutScheduler sends ORDER_TIMEOUT to be delivered no earlier than at.
type TimeoutScheduler interface {
	ScheduleTimeout(ctx context.Context, ev contracts.OrderTimeout, at time.Time) error
}

// Events are the messages the order service sends. The transactional ones
// are answered at check-back time by Checks.
type Events struct {
	Paid      TxPublisher[contracts.OrderPaid]
	Cancelled TxPublisher[contracts.OrderCancelled]
	Refunded  TxPublisher[contracts.OrderRefunded]
	Timeouts  TimeoutScheduler
}
