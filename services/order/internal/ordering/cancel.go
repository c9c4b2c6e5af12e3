package ordering

import (
	"context"
	"errors"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Cancellation reasons recorded in the history and the event.
const (
	ReasonUserCancelled   = "cancelled by the customer"
	ReasonDeadlinePassed  = "payment deadline passed"
	overdueSweepBatchSize = 100
)

// Cancel cancels the user's unpaid order; cancelling a cancelled order
// returns it unchanged, an order that was paid (in any state since: shipped,
// refunded, ...) is a Conflict ORDER_ALREADY_PAID: Refund cancels a paid one.
func (s *Service) Cancel(ctx context.Context, userID, orderNo string) (*Order, error) {
	o, err := s.Get(ctx, userID, orderNo)
	if err != nil {
		return nil, err
	}
	return s.cancel(ctx, o, ReasonUserCancelled)
}

// cancel moves o to CANCELLED and publishes ORDER_CANCELLED if and only if
// that change commits; inventory releases the stock and payment refunds or
// voids the order's charge when they consume it.
func (s *Service) cancel(ctx context.Context, o *Order, reason string) (*Order, error) {
	switch o.Status {
	case Cancelled:
		return o, nil
	case PendingPayment:
	default:
		return nil, apperr.New(apperr.Conflict, CodeOrderAlreadyPaid, "a paid order cannot be cancelled; refund it instead").
			With("orderNo", o.No).With("status", string(o.Status))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), payCallBudget)
	defer cancel()
	now := s.now()
	ev := contracts.OrderCancelled{
		EventID: newID("evt-"), OrderNo: o.No, UserID: o.UserID, Lines: o.contractLines(),
		Reason: reason, CancelledAt: now,
	}
	change := StatusChange{From: PendingPayment, To: Cancelled, Reason: reason, At: now}
	err := s.events.Cancelled.Publish(ctx, ev, func(ctx context.Context, txID string) error {
		err := s.store.Transition(ctx, o.No, txID, change)
		switch {
		case err == nil, errors.Is(err, ErrStateChanged):
			return err
		case errors.Is(err, ErrTxDecided):
			return loggedLocal(ctx, s.store, txID)
		default:
			s.cfg.Log.Error("recording the cancellation failed", "order_no", o.No, "error", err)
			return apperr.Wrap(apperr.Unavailable, CodeOutcomeUnknown, "recording the cancellation failed", err)
		}
	})
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, CodeBrokerUnavailable, "the order could not be cancelled now; try again", err)
	}
	current, err := s.store.Get(ctx, o.No)
	if err != nil {
		return nil, err
	}
	s.cfg.Log.Info("cancel finished", "order_no", o.No, "status", current.Status, "reason", reason)
	switch {
	case current.Status == Cancelled:
		return current, nil
	case current.Status.Charged():
		return nil, apperr.New(apperr.Conflict, CodeOrderAlreadyPaid, "the order was paid first").With("orderNo", o.No)
	}
	return nil, apperr.New(apperr.Unavailable, CodeCancelPending, "the cancellation is not settled yet; try again").With("orderNo", o.No)
}

// HandleTimeout processes the delayed ORDER_TIMEOUT message: an order still
// unpaid at its deadline is cancelled; a paid or cancelled one is left
// alone. A message that arrives early (a delay level shorter than the
// remaining time) schedules itself again.
func (s *Service) HandleTimeout(ctx context.Context, ev contracts.OrderTimeout) error {
	o, err := s.store.Get(ctx, ev.OrderNo)
	if isKind(err, apperr.NotFound, "") {
		s.cfg.Log.Warn("timeout for an unknown order", "order_no", ev.OrderNo)
		return nil
	}
	if err != nil {
		return err
	}
	if o.Status != PendingPayment {
		return nil
	}
	if now := s.now(); now.Before(o.PaymentDeadline) {
		next := ev
		next.EventID = newID("evt-")
		return s.events.Timeouts.ScheduleTimeout(ctx, next, o.PaymentDeadline)
	}
	_, err = s.cancel(ctx, o, ReasonDeadlinePassed)
	if isKind(err, apperr.Conflict, CodeOrderAlreadyPaid) {
		return nil // payment won the race
	}
	return err
}
