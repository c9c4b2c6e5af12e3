package ordering

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// PayOutcome is what a pay request achieved.
type PayOutcome string

// Pay outcomes that are not errors.
const (
	// OutcomePaid: this request paid the order.
	OutcomePaid PayOutcome = "PAID"
	// OutcomeAlreadyPaid: the order was paid before (or by a concurrent
	// request); nothing was charged twice.
	OutcomeAlreadyPaid PayOutcome = "ALREADY_PAID"
	// OutcomePending: the outcome is not known yet (the payment service did
	// not answer in time); the broker's check-back settles it.
	OutcomePending PayOutcome = "PENDING"
)

// payCallBudget bounds the whole pay flow once started: it no longer
// follows the HTTP request, so a client that hangs up does not cut a
// payment in half.
const payCallBudget = 30 * time.Second

// Pay pays the user's order with money only, or with the points an
// earlier pay of it applied: PayWithPoints without a choice.
func (s *Service) Pay(ctx context.Context, userID, orderNo string) (PayOutcome, *Order, error) {
	return s.PayWithPoints(ctx, userID, orderNo, nil)
}

// PayWithPoints pays the user's order (SPEC §2.3), pointsToUse of it with
// points (nil: as an earlier pay of the order chose, else none; points.go
// has the rules). It sends the ORDER_PAID half message; the local
// transaction redeems the points, charges the rest and, in one database
// transaction, moves the order to PAID and logs the transaction id; the
// message is committed if and only if that transaction committed.
//
// Errors: NotFound (no such order for this user), Invalid INVALID_POINTS,
// Conflict ORDER_NOT_PAYABLE (cancelled or past its deadline),
// INSUFFICIENT_POINTS or POINTS_ALREADY_APPLIED (nothing taken),
// PaymentRequired (declined; points redeemed for the order stay held for it
// until it is paid or cancelled), Unavailable (the broker or the points
// service is down; nothing happened), Unavailable FAULT_INJECTED (a
// training fault at PointPayLocal; nothing charged).
func (s *Service) PayWithPoints(ctx context.Context, userID, orderNo string, pointsToUse *int64) (PayOutcome, *Order, error) {
	o, err := s.Get(ctx, userID, orderNo)
	if err != nil {
		return "", nil, err
	}
	switch {
	case o.Status.RefundStarted():
		return "", nil, notPayable(o, "the order is refunded")
	case o.Status.Charged():
		return OutcomeAlreadyPaid, o, nil
	case o.Status == Cancelled:
		return "", nil, notPayable(o, "the order is cancelled")
	case !s.now().Before(o.PaymentDeadline):
		return "", nil, notPayable(o, "the payment deadline has passed")
	}

	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), payCallBudget)
	defer cancel()
	ev := contracts.OrderPaid{
		EventID: newID("evt-"), OrderNo: o.No, UserID: o.UserID, Lines: o.contractLines(),
		TotalCents: o.TotalCents, Address: o.Address, PaidAt: s.now(),
	}
	if ev.PointsRedeemed, err = s.choosePoints(ctx, o, pointsToUse, ev.PaidAt); err != nil {
		return "", nil, err
	}
	var result payResult
	err = s.events.Paid.Publish(ctx, ev, func(ctx context.Context, txID string) error {
		var txErr error
		result, txErr = s.payLocal(ctx, o, txID, ev)
		return txErr
	})
	if err != nil {
		return "", nil, apperr.Wrap(apperr.Unavailable, CodeBrokerUnavailable, "the payment could not be started; nothing was charged", err)
	}
	s.cfg.Log.InfoContext(ctx, "pay finished", "order_no", o.No, "outcome", result.outcome, "points", ev.PointsRedeemed, "error", result.err)
	if result.err != nil {
		return "", nil, result.err
	}
	if result.paid != nil {
		return result.outcome, result.paid, nil
	}
	current, err := s.store.Get(ctx, o.No)
	if err != nil {
		return "", nil, err
	}
	return result.outcome, current, nil
}

// payResult is what the local transaction learned, for the HTTP answer.
type payResult struct {
	outcome PayOutcome
	err     error
	// paid is the order as this request's transition left it, when it
	// made the order PAID: the answer, without reading it again.
	paid *Order
}

// payLocal is the local transaction of the ORDER_PAID half message. Its
// error decides the message (nil commits; Unavailable leaves it to the
// check-back; anything else rolls it back); the payResult is the answer to
// the customer. The points are redeemed first and the rest is charged only
// after they were: checks.go relies on that order.
func (s *Service) payLocal(ctx context.Context, o *Order, txID string, ev contracts.OrderPaid) (payResult, error) {
	log := s.cfg.Log.With("order_no", o.No, "tx_id", txID)
	if _, ok := s.cfg.Faults.At(ctx, PointPayLocal); ok {
		// The customer hears "unavailable"; the message must hear
		// "rolled back", not Unavailable's "unknown": nothing happened.
		return payResult{err: faults.Injected(apperr.Unavailable, PointPayLocal, "the payment could not be processed; nothing was charged")},
			errLocalFault
	}
	notAfter := ev.PaidAt.Add(s.cfg.ChargeWindow)
	if ev.PointsRedeemed > 0 {
		if res, err := s.redeem(ctx, log, o, ev, notAfter); err != nil {
			return res, err
		}
	}
	if ev.ChargedCents() > 0 {
		if res, err := s.charge(ctx, log, o, ev.ChargedCents(), notAfter); err != nil {
			return res, err
		}
	}

	// The history says when the order became PAID (now), not when the
	// payment started (the event's PaidAt), as the check-back's does.
	change := paidChange(s.now())
	err := s.store.Transition(ctx, o.No, txID, change)
	switch {
	case err == nil:
		log.InfoContext(ctx, "order paid")
		return payResult{outcome: OutcomePaid, paid: o.paid(txID, ev.PointsRedeemed, change)}, nil
	case errors.Is(err, ErrStateChanged):
		return s.notPendingAfterCharge(ctx, o)
	case errors.Is(err, ErrTxDecided):
		// A check-back got here first: it either completed the payment
		// with this transaction id or decided it rolled back.
		// If it rolled back, the order is still payable and its charge
		// and redemption stand: the next pay request reuses them (both
		// are idempotent by order).
		if err := loggedLocal(ctx, s.store, txID); err != nil {
			return payResult{outcome: OutcomePending}, err
		}
		return payResult{outcome: OutcomePaid}, nil
	default:
		log.ErrorContext(ctx, "recording the payment failed; the check-back will settle it", "error", err)
		return payResult{outcome: OutcomePending}, apperr.Wrap(apperr.Unavailable, CodeOutcomeUnknown, "recording the payment failed", err)
	}
}

// redeem redeems the order's points. A nil error means redeemed (now or
// by an earlier attempt); otherwise the payResult and the error are the
// local transaction's answer.
func (s *Service) redeem(ctx context.Context, log *slog.Logger, o *Order, ev contracts.OrderPaid, notAfter time.Time) (payResult, error) {
	red, err := s.points.Redeem(ctx, o.No, o.UserID, ev.PointsRedeemed, ev.EventID, notAfter)
	switch {
	case isKind(err, apperr.Conflict, contracts.CodeRedemptionTooLate):
		log.WarnContext(ctx, "the redemption reached the points service after its deadline; nothing was redeemed", "error", err)
		return payResult{err: apperr.Wrap(apperr.Unavailable, CodePaymentTooSlow,
			"the points service answered too late; nothing was taken, please pay again", err)}, err
	case isKind(err, apperr.Conflict, contracts.CodeOrderCancelled):
		err := notPayable(o, "the order was cancelled")
		return payResult{err: err}, err
	case isKind(err, apperr.Unavailable, ""):
		// Nothing is charged before the points are known to be redeemed:
		// the check-back rolls back, and a redemption that did happen
		// stays held for the order (the next pay reuses it, a
		// cancellation returns it).
		log.WarnContext(ctx, "redemption outcome unknown; the check-back will settle it", "error", err)
		return payResult{outcome: OutcomePending}, err
	case err != nil:
		// INSUFFICIENT_POINTS and the like: nothing taken, the customer's
		// to fix.
		return payResult{err: err}, err
	case red.Status == RedemptionReturned:
		err := notPayable(o, "the order's points were returned")
		return payResult{err: err}, err
	}
	return payResult{}, nil
}

// charge charges amountCents, the part of the order not paid with points.
// A nil error means charged (now or by an earlier attempt); otherwise the
// payResult and the error are the local transaction's answer.
func (s *Service) charge(ctx context.Context, log *slog.Logger, o *Order, amountCents int64, notAfter time.Time) (payResult, error) {
	charge, err := s.payments.Charge(ctx, o.No, o.UserID, amountCents, notAfter)
	switch {
	case isKind(err, apperr.Conflict, contracts.CodeChargeTooLate):
		log.WarnContext(ctx, "the charge reached the payment service after its deadline; nothing was charged", "error", err)
		return payResult{err: apperr.Wrap(apperr.Unavailable, CodePaymentTooSlow,
			"the payment service answered too late; nothing was charged, please pay again", err)}, err
	case isKind(err, apperr.PaymentRequired, ""):
		return payResult{err: err}, err
	case isKind(err, apperr.Conflict, contracts.CodeOrderCancelled):
		err := notPayable(o, "the order was cancelled")
		return payResult{err: err}, err
	case isKind(err, apperr.Unavailable, ""):
		log.WarnContext(ctx, "charge outcome unknown; the check-back will settle it", "error", err)
		return payResult{outcome: OutcomePending}, err
	case err != nil:
		log.ErrorContext(ctx, "charge failed", "error", err)
		return payResult{err: err}, err
	case charge.Status == ChargeRefunded:
		err := notPayable(o, "the order's charge was refunded")
		return payResult{err: err}, err
	}
	return payResult{}, nil
}

// errLocalFault rolls back the half message of a local transaction a
// training fault failed before it charged anything.
var errLocalFault = errors.New("training fault at " + PointPayLocal + ": the local transaction failed before charging")

// errPaidMeanwhile rolls back a payment whose order a concurrent request
// paid first (with the same, idempotent charge).
var errPaidMeanwhile = errors.New("the order was paid by a concurrent request")

// notPendingAfterCharge handles a successful charge of an order that left
// PENDING_PAYMENT meanwhile: paid by a concurrent request (same charge,
// nothing to undo) or cancelled (refund: compensation).
func (s *Service) notPendingAfterCharge(ctx context.Context, o *Order) (payResult, error) {
	current, err := s.store.Get(ctx, o.No)
	if err != nil {
		return payResult{err: err}, err
	}
	if current.Status.Charged() {
		return payResult{outcome: OutcomeAlreadyPaid}, errPaidMeanwhile
	}
	refund(ctx, s.payments, s.cfg.Log, o.No, "order cancelled before its payment completed")
	err = notPayable(current, "the order was cancelled; the charge is refunded")
	return payResult{err: err}, err
}

func notPayable(o *Order, why string) error {
	return apperr.New(apperr.Conflict, CodeOrderNotPayable, "order is not payable: "+why).
		With("orderNo", o.No).With("status", string(o.Status))
}
