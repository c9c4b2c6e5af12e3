package ordering

import (
	"context"
	"errors"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Refund reasons recorded in the history and the ORDER_REFUNDED event.
const (
	ReasonRefundBeforeShipping = "cancelled by the customer after payment, before shipping"
	ReasonReturnRequested      = "return requested by the customer"
	ReasonReturnAccepted       = "return accepted"
	ReasonRefundConfirmed      = "refund confirmed by the payment service"
)

// Refund cancels the user's paid order that has not shipped (SPEC §2.6): in
// one local transaction the order moves PAID → REFUNDING and ORDER_REFUNDED
// is published if and only if that commits; payment refunds the charge,
// points claws back the credit, inventory returns the stock and logistics
// cancels the shipment when they consume it, and the order becomes
// REFUNDED once payment confirmed the refund (FinishRefund).
//
// Errors: NotFound; Conflict ORDER_ALREADY_SHIPPED (shipped or delivered:
// request a return after delivery instead), ORDER_ALREADY_REFUNDED
// (refunding or refunded; details.status), ORDER_NOT_PAID (pending or
// cancelled: cancel it instead); Unavailable BROKER_UNAVAILABLE or
// REFUND_PENDING (nothing changed, or not known yet: retry). Each error
// changes nothing.
func (s *Service) Refund(ctx context.Context, userID, orderNo string) (*Order, error) {
	o, err := s.Get(ctx, userID, orderNo)
	if err != nil {
		return nil, err
	}
	if o.Status != Paid {
		return nil, refundConflict(o)
	}
	return s.startRefund(ctx, o, ReasonRefundBeforeShipping)
}

// RequestReturn records the user's request to return a delivered order
// within the return window (Config.ReturnWindow since delivery): COMPLETED
// → RETURN_REQUESTED, which an admin accepts (AcceptReturn). Requesting it
// again returns the order unchanged.
//
// Errors: NotFound; Conflict ORDER_NOT_DELIVERED, RETURN_WINDOW_CLOSED,
// ORDER_ALREADY_REFUNDED, ORDER_NOT_PAID.
func (s *Service) RequestReturn(ctx context.Context, userID, orderNo string) (*Order, error) {
	o, err := s.Get(ctx, userID, orderNo)
	if err != nil {
		return nil, err
	}
	switch o.Status {
	case ReturnRequested:
		return o, nil
	case Completed:
	default:
		return nil, refundConflict(o)
	}
	now := s.now()
	if delivered, ok := o.reachedAt(Completed); ok && now.After(delivered.Add(s.cfg.ReturnWindow)) {
		return nil, apperr.New(apperr.Conflict, contracts.CodeReturnWindowClosed, "the return window has closed").
			With("orderNo", o.No).With("deliveredAt", delivered).With("returnWindow", s.cfg.ReturnWindow.String())
	}
	applied, err := s.store.Advance(ctx, o.No, nil, StatusChange{From: Completed, To: ReturnRequested, Reason: ReasonReturnRequested, At: now})
	if err != nil {
		return nil, err
	}
	current, err := s.store.Get(ctx, o.No)
	if err != nil {
		return nil, err
	}
	if len(applied) == 0 && current.Status != ReturnRequested {
		return nil, refundConflict(current)
	}
	return current, nil
}

// AcceptReturn accepts a requested return (an admin or trainer): the order
// moves RETURN_REQUESTED → REFUNDING with ORDER_REFUNDED, as Refund does.
//
// Errors: NotFound; Conflict NO_RETURN_REQUESTED (details.status),
// ORDER_ALREADY_REFUNDED; Unavailable as Refund.
func (s *Service) AcceptReturn(ctx context.Context, orderNo string) (*Order, error) {
	o, err := s.store.Get(ctx, orderNo)
	if err != nil {
		return nil, err
	}
	switch {
	case o.Status.RefundStarted():
		return nil, refundConflict(o)
	case o.Status != ReturnRequested:
		return nil, apperr.New(apperr.Conflict, contracts.CodeNoReturnRequested, "the customer has not requested a return of this order").
			With("orderNo", o.No).With("status", string(o.Status))
	}
	return s.startRefund(ctx, o, ReasonReturnAccepted)
}

// startRefund moves o from its status to REFUNDING and publishes
// ORDER_REFUNDED if and only if that change commits.
func (s *Service) startRefund(ctx context.Context, o *Order, reason string) (*Order, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), payCallBudget)
	defer cancel()
	now := s.now()
	ev := contracts.OrderRefunded{
		EventID: newID("evt-"), OrderNo: o.No, UserID: o.UserID, Lines: o.contractLines(),
		TotalCents: o.TotalCents, PointsRedeemed: o.PointsApplied, Reason: reason, RefundedAt: now,
	}
	change := StatusChange{From: o.Status, To: Refunding, Reason: reason, At: now}
	var localErr error
	err := s.events.Refunded.Publish(ctx, ev, func(ctx context.Context, txID string) error {
		localErr = s.store.Transition(ctx, o.No, txID, change)
		switch {
		case localErr == nil, errors.Is(localErr, ErrStateChanged):
			return localErr
		case errors.Is(localErr, ErrTxDecided):
			localErr = loggedLocal(ctx, s.store, txID)
			return localErr
		default:
			s.cfg.Log.Error("recording the refund failed", "order_no", o.No, "error", localErr)
			localErr = apperr.Wrap(apperr.Unavailable, CodeOutcomeUnknown, "recording the refund failed", localErr)
			return localErr
		}
	})
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, CodeBrokerUnavailable, "the refund could not be started now; nothing changed, try again", err)
	}
	current, err := s.store.Get(ctx, o.No)
	if err != nil {
		return nil, err
	}
	s.cfg.Log.InfoContext(ctx, "refund started", "order_no", o.No, "status", current.Status, "reason", reason, "error", localErr)
	switch {
	case localErr == nil:
		return current, nil
	case errors.Is(localErr, ErrStateChanged):
		// A concurrent request or a shipment event moved the order first.
		return nil, refundConflict(current)
	}
	return nil, apperr.New(apperr.Unavailable, CodeRefundPending, "the refund is not settled yet; look at the order again").With("orderNo", o.No)
}

// FinishRefund is the order service's own ORDER_REFUNDED consumer: it asks
// the payment service to refund the order's charge (idempotent by order:
// payment's own ORDER_REFUNDED consumer may have refunded it first, and the
// charge's conditional update refunds it once either way), and once payment
// confirmed it, moves the order REFUNDING → REFUNDED with the event's claim
// in one transaction. Payment unreachable: an error, and the broker
// redelivers. A refunded order or an unknown one changes nothing.
func (s *Service) FinishRefund(ctx context.Context, consumer string, ev contracts.OrderRefunded) error {
	o, err := s.store.Get(ctx, ev.OrderNo)
	if isKind(err, apperr.NotFound, "") {
		s.cfg.Log.WarnContext(ctx, "ORDER_REFUNDED for an unknown order", "order_no", ev.OrderNo, "event_id", ev.EventID)
		return nil
	}
	if err != nil {
		return err
	}
	if o.Status != Refunding {
		return nil // refunded already (another event of the same order)
	}
	// An order paid wholly with points has no charge to refund; the
	// points service gives its redemption back on the same event.
	if o.ChargedCents() > 0 {
		if err := s.payments.Refund(ctx, o.No, ev.Reason); err != nil {
			return err
		}
	}
	_, err = s.store.Advance(ctx, o.No, &EventClaim{Consumer: consumer, EventID: ev.EventID},
		StatusChange{From: Refunding, To: Refunded, Reason: ReasonRefundConfirmed, At: s.now()})
	return err
}

// Refunded answers a check-back for an ORDER_REFUNDED half message: the
// refund committed if and only if its transaction id is logged.
func (c *Checks) Refunded(ctx context.Context, txID string, _ contracts.OrderRefunded) (bool, error) {
	return c.store.ResolveTx(ctx, txID)
}

// refundConflict is the 409 for a refund or return of an order in a state
// that does not allow it; it names the state.
func refundConflict(o *Order) error {
	var e *apperr.Error
	switch o.Status {
	case Refunding, Refunded:
		e = apperr.New(apperr.Conflict, contracts.CodeOrderAlreadyRefunded, "the order is already being refunded or refunded")
	case Shipped, Completed, ReturnRequested:
		e = apperr.New(apperr.Conflict, contracts.CodeOrderAlreadyShipped, "the order has shipped; request a return once it is delivered")
	case Paid:
		e = apperr.New(apperr.Conflict, contracts.CodeOrderNotDelivered, "the order has not been delivered yet; cancel it instead")
	default:
		e = apperr.New(apperr.Conflict, contracts.CodeOrderNotPaid, "the order was never paid; cancel it instead")
	}
	return e.With("orderNo", o.No).With("status", string(o.Status))
}

// reachedAt returns when the order last moved to status.
func (o *Order) reachedAt(status Status) (at time.Time, ok bool) {
	for _, h := range o.History {
		if h.To == status {
			at, ok = h.At, true
		}
	}
	return at, ok
}
