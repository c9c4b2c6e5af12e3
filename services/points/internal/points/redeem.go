package points

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Redeeming points pays part of an order (issue 17): 1 point is worth
// contracts.CentsPerPoint, so 100 points pay 1.00. The order service redeems
// before it charges the rest, idempotently by order number, and the
// redemption stands until the order is paid (it is then spent) or cancelled
// or refunded (it is then returned, once). The ledger records both as
// entries under its unique (order number, reason), so a balance stays the
// sum of its entries:
//
//	ORDER_REDEEMED       −points  one per order: the redemption
//	REDEMPTION_RETURNED  +points  one per order: its return
const (
	// ReasonOrderRedeemed is a redemption, a negative entry.
	ReasonOrderRedeemed Reason = "ORDER_REDEEMED"
	// ReasonRedemptionReturned gives a redemption back, a positive entry.
	ReasonRedemptionReturned Reason = "REDEMPTION_RETURNED"
)

// MaxRedeemPoints bounds one redemption (the largest charge payment
// accepts, in points).
const MaxRedeemPoints = 100_000_000

// Error codes of redemptions. INSUFFICIENT_POINTS, REDEMPTION_TOO_LATE and
// ORDER_CANCELLED are contracts': the order service matches them.
const (
	CodeInvalidPoints       = "INVALID_POINTS"
	CodeRedemptionMismatch  = "REDEMPTION_MISMATCH"
	CodeRedemptionNotFound  = "REDEMPTION_NOT_FOUND"
	CodeInsufficientPoints  = contracts.CodeInsufficientPoints
	CodeRedemptionTooLate   = contracts.CodeRedemptionTooLate
	CodeRedemptionCancelled = contracts.CodeOrderCancelled
)

// RedemptionStatus says whether a redemption is spent or held for its order
// (REDEEMED) or was given back (RETURNED).
type RedemptionStatus string

// Redemption states.
const (
	RedemptionRedeemed RedemptionStatus = "REDEEMED"
	RedemptionReturned RedemptionStatus = "RETURNED"
)

// Redemption is the points an order was paid with: its ORDER_REDEEMED
// entry and, once returned, its REDEMPTION_RETURNED entry.
type Redemption struct {
	OrderNo    string
	UserID     string
	Points     int64 // positive: what the entry took off the balance
	Status     RedemptionStatus
	EventID    string // the ORDER_PAID event of the payment that redeemed
	CreatedAt  time.Time
	ReturnedAt *time.Time
}

// RedeemRequest asks to take points off a user's balance for an order.
type RedeemRequest struct {
	OrderNo string
	UserID  string
	Points  int64
	// EventID is the ORDER_PAID event of the payment attempt (optional).
	EventID string
	// NotAfter: no redemption is created after it (zero: no deadline). It
	// is what lets the order service's check-back that finds no redemption
	// after it decide for good.
	NotAfter time.Time
}

// ReturnOutcome is what returning an order's redemption did.
type ReturnOutcome string

// Return outcomes.
const (
	// ReturnReturned: the points went back to the balance now.
	ReturnReturned ReturnOutcome = "RETURNED"
	// ReturnAlreadyReturned: they went back before; nothing changed.
	ReturnAlreadyReturned ReturnOutcome = "ALREADY_RETURNED"
	// ReturnVoided: the order had no redemption; none can be made any more.
	ReturnVoided ReturnOutcome = "VOIDED"
)

// Redemptions is the part of the Store that redeems and returns.
type Redemptions interface {
	// Redeem takes r.Points off the balance and appends the order's
	// ORDER_REDEEMED entry, in one transaction, or changes nothing: when the
	// order has a redemption it returns that one (created false), when the
	// balance is short an INSUFFICIENT_POINTS Conflict, when the order was
	// voided an ORDER_CANCELLED Conflict, after notAfter REDEMPTION_TOO_LATE.
	Redeem(ctx context.Context, r Redemption, notAfter time.Time) (got Redemption, created bool, err error)
	// Redemption returns the order's redemption, or found=false.
	Redemption(ctx context.Context, orderNo string) (r Redemption, found bool, err error)
	// ReturnRedemption gives the order's redemption back once, or voids the
	// order when it has none, so a redemption still on its way is refused.
	// When consumer is not empty it claims (consumer, eventID) in the same
	// transaction, and a claimed event wraps apperr.ErrAlreadyApplied.
	ReturnRedemption(ctx context.Context, consumer, eventID, orderNo string, at time.Time) (ReturnOutcome, error)
}

// Redeem redeems r.Points of r.UserID's balance for r.OrderNo, once per
// order: created is false when the order already had this redemption
// (also a returned one, whose Status says so).
//
// Errors: Invalid (INVALID_ORDER_NO, INVALID_USER_ID, INVALID_POINTS,
// INVALID_EVENT_ID), Conflict INSUFFICIENT_POINTS (details balance,
// points; nothing taken), REDEMPTION_MISMATCH (the order's redemption has
// another user or amount), ORDER_CANCELLED, REDEMPTION_TOO_LATE.
func (s *Service) Redeem(ctx context.Context, r RedeemRequest) (Redemption, bool, error) {
	if err := r.validate(); err != nil {
		return Redemption{}, false, err
	}
	got, created, err := s.store.Redeem(ctx, Redemption{
		OrderNo: r.OrderNo, UserID: r.UserID, Points: r.Points, Status: RedemptionRedeemed,
		EventID: r.EventID, CreatedAt: s.timestamp(),
	}, r.NotAfter)
	if err != nil {
		return Redemption{}, false, err
	}
	if !created && (got.UserID != r.UserID || got.Points != r.Points) {
		return Redemption{}, false, apperr.New(apperr.Conflict, CodeRedemptionMismatch,
			"the order already redeemed points with another user or amount").
			With("orderNo", r.OrderNo).With("points", got.Points)
	}
	return got, created, nil
}

// RedemptionOf returns the order's redemption; NotFound when it has none.
func (s *Service) RedemptionOf(ctx context.Context, orderNo string) (Redemption, error) {
	if err := ValidateOrderNo(orderNo); err != nil {
		return Redemption{}, err
	}
	r, found, err := s.store.Redemption(ctx, orderNo)
	if err != nil {
		return Redemption{}, err
	}
	if !found {
		return Redemption{}, apperr.New(apperr.NotFound, CodeRedemptionNotFound, "the order redeemed no points").
			With("orderNo", orderNo)
	}
	return r, nil
}

// ReturnRedemption gives an order's redemption back exactly once: the
// compensation when the order is cancelled (ORDER_CANCELLED, this
// service's consumer) or refunded (ORDER_REFUNDED: the refund consumer calls
// it with its own consumer group, or with consumer "" when it claimed the
// event itself; the ledger's unique (order, REDEMPTION_RETURNED) keeps it
// once either way). An order without a redemption is voided: a redemption
// still on its way is then refused with ORDER_CANCELLED.
//
// A claimed event comes back wrapping apperr.ErrAlreadyApplied; an event
// the ledger cannot hold is Invalid.
func (s *Service) ReturnRedemption(ctx context.Context, consumer, eventID, orderNo string) (ReturnOutcome, error) {
	if err := validateID(CodeInvalidEventID, "eventId", eventID, MaxEventIDLen); err != nil {
		return "", err
	}
	if err := ValidateOrderNo(orderNo); err != nil {
		return "", err
	}
	out, err := s.store.ReturnRedemption(ctx, consumer, eventID, orderNo, s.timestamp())
	if err != nil && !errors.Is(err, apperr.ErrAlreadyApplied) {
		return "", fmt.Errorf("return the redemption of order %s: %w", orderNo, err)
	}
	return out, err
}

func (r RedeemRequest) validate() error {
	if err := ValidateOrderNo(r.OrderNo); err != nil {
		return err
	}
	if err := validateID(CodeInvalidUserID, "userId", r.UserID, MaxIDLen); err != nil {
		return err
	}
	if r.EventID != "" {
		if err := validateID(CodeInvalidEventID, "eventId", r.EventID, MaxEventIDLen); err != nil {
			return err
		}
	}
	if r.Points < 1 || r.Points > MaxRedeemPoints {
		return apperr.New(apperr.Invalid, CodeInvalidPoints, fmt.Sprintf("points must be an integer from 1 to %d", MaxRedeemPoints)).
			With("field", "points")
	}
	return nil
}

// InsufficientPoints is the Conflict of a redemption the balance cannot
// cover.
func InsufficientPoints(balance, points int64) error {
	return apperr.New(apperr.Conflict, CodeInsufficientPoints, "not enough points").
		With("balance", balance).With("points", points)
}

// RedemptionCancelled is the Conflict of a redemption for a voided order.
func RedemptionCancelled(orderNo string) error {
	return apperr.New(apperr.Conflict, CodeRedemptionCancelled, "the order was cancelled; nothing redeemed").
		With("orderNo", orderNo)
}

// RedemptionTooLate is the Conflict of a redemption after its deadline.
func RedemptionTooLate(orderNo string, notAfter time.Time) error {
	return apperr.New(apperr.Conflict, CodeRedemptionTooLate, "the redemption came after its deadline; nothing redeemed").
		With("orderNo", orderNo).With("notAfter", notAfter.UTC().Format(time.RFC3339Nano))
}
