package ordering

import (
	"context"
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Points pay part of an order (issue 17): the customer asks for
// pointsToUse points, worth contracts.PointsValueCents (100 points = 1.00),
// at most the order's total. The points service is the pay flow's second
// participant: the local transaction redeems the points first and charges
// the rest (ChargedCents) after, and when points cover the whole total it
// charges nothing. checks.go explains how the check-back decides with two
// participants.
//
// The split between points and money is fixed per order by its first pay
// attempt (the order store's PointsSplits), so every attempt of an order
// redeems and charges the same amounts. Without that, a retry with other
// points could redeem while an earlier attempt's charge of the full total is
// still on its way, and the order would end paid with both.

// Error codes of paying with points. INSUFFICIENT_POINTS is contracts'.
const (
	// CodeInvalidPoints: pointsToUse is negative or more than the total
	// (Invalid, details.max).
	CodeInvalidPoints = "INVALID_POINTS"
	// CodePointsAlreadyApplied: an earlier pay of the order fixed another
	// points amount (Conflict, details.pointsApplied).
	CodePointsAlreadyApplied = "POINTS_ALREADY_APPLIED"
)

// RedemptionStatus is the state of an order's redemption in the points
// service.
type RedemptionStatus string

// Redemption states.
const (
	RedemptionRedeemed RedemptionStatus = "REDEEMED"
	RedemptionReturned RedemptionStatus = "RETURNED"
)

// Redemption is the points service's record of the points an order redeemed.
type Redemption struct {
	OrderNo string
	UserID  string
	Points  int64
	Status  RedemptionStatus
}

// Points redeems points for orders (the points service), idempotently by
// order number.
type Points interface {
	// Redeem takes points off the user's balance once per order; repeated,
	// it returns the order's redemption (also a RETURNED one). Errors:
	// Conflict INSUFFICIENT_POINTS (nothing taken), ORDER_CANCELLED (the
	// order was voided), REDEMPTION_TOO_LATE (the call came after
	// notAfter); Unavailable when the outcome is unknown.
	Redeem(ctx context.Context, orderNo, userID string, points int64, eventID string, notAfter time.Time) (Redemption, error)
	// GetRedemption returns the order's redemption, or found=false.
	GetRedemption(ctx context.Context, orderNo string) (r Redemption, found bool, err error)
	// Balance returns the user's points balance.
	Balance(ctx context.Context, userID string) (int64, error)
}

// PointsSplit is the points part of an order's payment, fixed by its first
// pay attempt, and when the latest attempt with it started.
type PointsSplit struct {
	Points      int64
	AttemptedAt time.Time
}

// PointsSplits keeps each order's PointsSplit (part of the Store).
type PointsSplits interface {
	// PointsSplit returns the order's split, or found=false.
	PointsSplit(ctx context.Context, orderNo string) (s PointsSplit, found bool, err error)
	// StartPointsAttempt records points as the order's split unless it has
	// one, and when the split holds points moves its AttemptedAt forward to
	// at; it returns the split as stored.
	StartPointsAttempt(ctx context.Context, orderNo string, points int64, at time.Time) (PointsSplit, error)
	// ChangePointsSplit replaces the split from by points (attempted at),
	// if it is still exactly from; changed=false otherwise.
	ChangePointsSplit(ctx context.Context, orderNo string, from PointsSplit, points int64, at time.Time) (changed bool, err error)
}

// choosePoints decides the points part of a pay attempt starting at `at`
// and fixes it for the order. requested nil means "as before": the split
// an earlier attempt fixed, or none.
//
// A split can change only after every attempt with it is over: its
// participants refuse calls after the attempt's start plus ChargeWindow,
// so once that has passed and the order has neither a redemption nor a
// charge, nothing of the old split can still happen. Any other change is a
// Conflict POINTS_ALREADY_APPLIED.
func (s *Service) choosePoints(ctx context.Context, o *Order, requested *int64, at time.Time) (int64, error) {
	// The split as read with the order.
	before, found := PointsSplit{Points: o.PointsApplied, AttemptedAt: o.PointsAttemptedAt}, !o.PointsAttemptedAt.IsZero()
	want := before.Points
	if requested != nil {
		want = *requested
		if want < 0 || contracts.PointsValueCents(want) > o.TotalCents {
			return 0, apperr.New(apperr.Invalid, CodeInvalidPoints,
				fmt.Sprintf("pointsToUse must be between 0 and %d (the order total)", o.TotalCents)).
				With("field", "pointsToUse").With("max", o.TotalCents)
		}
	}
	if found && before.Points != want {
		if err := s.pointsChangeable(ctx, o, before); err != nil {
			return 0, err
		}
	}
	if want > 0 && (!found || before.Points != want) {
		if err := s.checkBalance(ctx, o.UserID, want); err != nil && !s.fixedMeanwhile(ctx, o.No, want) {
			return 0, err
		}
	}
	split, err := s.store.StartPointsAttempt(ctx, o.No, want, at)
	if err != nil || split.Points == want {
		return want, err
	}
	// Another split is fixed (maybe by a concurrent first attempt).
	if err := s.pointsChangeable(ctx, o, split); err != nil {
		return 0, err
	}
	if changed, err := s.store.ChangePointsSplit(ctx, o.No, split, want, at); err != nil {
		return 0, err
	} else if !changed {
		return 0, pointsApplied(o, split)
	}
	s.cfg.Log.InfoContext(ctx, "points of the order's payment changed", "order_no", o.No, "from", split.Points, "to", want)
	return want, nil
}

// checkBalance refuses, before anything is fixed or sent, points the
// user does not have (the redemption checks again, atomically).
func (s *Service) checkBalance(ctx context.Context, userID string, points int64) error {
	balance, err := s.points.Balance(ctx, userID)
	if err != nil {
		return err
	}
	if balance < points {
		return apperr.New(apperr.Conflict, contracts.CodeInsufficientPoints, "not enough points").
			With("balance", balance).With("points", points)
	}
	return nil
}

// fixedMeanwhile reports whether a concurrent attempt fixed want as the
// order's split: its redemption may be what the balance misses (an attempt
// fixes its split before it redeems).
func (s *Service) fixedMeanwhile(ctx context.Context, orderNo string, want int64) bool {
	split, found, err := s.store.PointsSplit(ctx, orderNo)
	return err == nil && found && split.Points == want
}

// pointsChangeable answers nil when no attempt with split can still redeem
// or charge (see choosePoints), else POINTS_ALREADY_APPLIED.
func (s *Service) pointsChangeable(ctx context.Context, o *Order, split PointsSplit) error {
	if !s.now().After(split.AttemptedAt.Add(s.cfg.ChargeWindow + chargeClockSlack)) {
		return pointsApplied(o, split)
	}
	if _, found, err := s.points.GetRedemption(ctx, o.No); err != nil || found {
		return firstErr(err, pointsApplied(o, split))
	}
	if _, found, err := s.payments.GetCharge(ctx, o.No); err != nil || found {
		return firstErr(err, pointsApplied(o, split))
	}
	return nil
}

func pointsApplied(o *Order, split PointsSplit) error {
	return apperr.New(apperr.Conflict, CodePointsAlreadyApplied,
		"an earlier payment of this order applied other points; pay with the same pointsToUse").
		With("orderNo", o.No).With("pointsApplied", split.Points)
}

func firstErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
