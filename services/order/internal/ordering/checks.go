package ordering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// Checks answers the broker's check-backs for the order service's half
// messages. It reads durable state only — the transaction log, the order
// row, the payment service's charge record, the points service's
// redemption record — so a restarted process or another instance answers
// the same. It needs neither the Service nor the producers, so it is built
// first and handed to them.
type Checks struct {
	store    Store
	payments Payments
	points   Points
	log      *slog.Logger
	now      func() time.Time
	faults   *faults.Set
	// chargeWindow is Config.ChargeWindow.
	chargeWindow time.Duration
}

// NewChecks returns the check-backs over store, payments and points; cfg
// gives the clock, the logger and the fault switches, on which it declares
// PointCheckStrategy.
func NewChecks(store Store, payments Payments, points Points, cfg Config) *Checks {
	cfg = cfg.withDefaults()
	cfg.Faults.Declare(checkStrategyPoint)
	return &Checks{store: store, payments: payments, points: points, log: cfg.Log, now: cfg.now, faults: cfg.Faults, chargeWindow: cfg.ChargeWindow}
}

// Paid answers a check-back for an ORDER_PAID half message whose local
// transaction outcome the broker never learned. An error means "ask again
// later".
//
// A payment that reached its last participant for a still-pending order
// completes here (PAID + log, one transaction), so a payment whose answer
// timed out ends paid rather than refunded. Anything else without a logged
// commit is decided rolled back for good (txlog's rule), which a late local
// transaction then respects.
//
// Two participants (points, then money). The local transaction redeems the
// event's points first and charges the rest only once the redemption
// succeeded. The split between them is fixed per order by its first attempt
// (points.go) and changes only when every attempt with the old split is
// over and left neither a redemption nor a charge, so the attempts that can
// still act all call the same participants with the same amounts in the
// same order. The check-back therefore asks only the LAST participant of
// the event — the charge, or the redemption when points cover the whole
// total — and only for the event's amount (lastParticipant).
//
//   - "charge exists" implies "redemption exists": a charge of this event's
//     amount was made by an attempt with this event's points, which charges
//     only after its redemption succeeded, and a redemption is returned only
//     when the order is cancelled or refunded, which a pending order is not.
//     So a found charge completes the payment with both parts in place.
//   - No charge (or no redemption, points only) yet: both participants
//     refuse calls after the attempt's PaidAt + ChargeWindow, so until then
//     the answer is "ask again" (errChargeMayBeInFlight), and after it "no"
//     is final: deciding "rolled back" cannot strand a late charge.
//   - A rolled-back decision may leave a redemption (the charge was declined
//     or never made): it stays held for the pending order, the next pay
//     reuses it, and if the order times out or is cancelled instead, the
//     points service returns it once when it consumes ORDER_CANCELLED (its
//     void marker refuses a redemption still on its way).
//
// A trainer may swap it for a naive strategy (PointCheckStrategy).
func (c *Checks) Paid(ctx context.Context, txID string, ev contracts.OrderPaid) (bool, error) {
	if strategy := c.faults.Naive(ctx, PointCheckStrategy); strategy != "" {
		return c.naivePaid(ctx, strategy, txID, ev)
	}
	log := c.log.With("order_no", ev.OrderNo, "tx_id", txID, "check", contracts.TopicOrderPaid)
	if committed, found, err := c.store.LookupTx(ctx, txID); err != nil {
		return false, fmt.Errorf("transaction log unreadable: %w", err)
	} else if found {
		return committed, nil
	}

	o, err := c.store.Get(ctx, ev.OrderNo)
	if err != nil && !isKind(err, apperr.NotFound, "") {
		return false, fmt.Errorf("order unreadable: %w", err)
	}
	var charged, done bool // a charge succeeded; the last participant succeeded
	if o != nil && o.Status == PendingPayment {
		if charged, done, err = c.lastParticipant(ctx, ev); err != nil {
			return false, err
		}
	}
	if !done && o != nil && o.Status == PendingPayment && !ev.PaidAt.IsZero() && c.now().Before(ev.PaidAt.Add(c.chargeWindow+chargeClockSlack)) {
		// The charge (or redemption) may still be on its way: neither
		// participant creates one after PaidAt + ChargeWindow. Deciding
		// "rolled back" now could leave a late charge on an order that is
		// not paid.
		log.InfoContext(ctx, "check: no charge yet, but one may still land; ask again")
		return false, errChargeMayBeInFlight
	}
	if done {
		err := c.store.Transition(ctx, ev.OrderNo, txID, paidChange(c.now()))
		switch {
		case err == nil:
			log.InfoContext(ctx, "check: payment found, order paid", "points", ev.PointsRedeemed)
			return true, nil
		case errors.Is(err, ErrTxDecided):
			return c.logged(ctx, txID)
		case !errors.Is(err, ErrStateChanged):
			return false, fmt.Errorf("recording the payment failed: %w", err)
		}
	}

	committed, err := c.store.ResolveTx(ctx, txID)
	if err != nil {
		return false, fmt.Errorf("resolve: %w", err)
	}
	if !committed && charged {
		if current, err := c.store.Get(ctx, ev.OrderNo); err == nil && current.Status == Cancelled {
			refund(ctx, c.payments, c.log, ev.OrderNo, "order cancelled before its payment completed")
		}
	}
	log.InfoContext(ctx, "check answered", "committed", committed, "charged", charged, "paid", done)
	return committed, nil
}

// lastParticipant asks the event's last participant whether it succeeded:
// the charge when money pays part of the order, else the points redemption
// (see Paid for why that is enough). charged reports any succeeded charge
// of the order (a cancelled order's is refunded); done only one of this
// event's amount: the order's points can change once every attempt with
// the old ones is over (points.go), and a charge or redemption of another
// amount belongs to an attempt with other points, which must not be
// completed with this event's.
func (c *Checks) lastParticipant(ctx context.Context, ev contracts.OrderPaid) (charged, done bool, err error) {
	if ev.ChargedCents() > 0 {
		ch, found, err := c.payments.GetCharge(ctx, ev.OrderNo)
		if err != nil {
			return false, false, fmt.Errorf("payment service unreachable: %w", err)
		}
		charged = found && ch.Status == ChargeSucceeded
		return charged, charged && ch.AmountCents == ev.ChargedCents(), nil
	}
	r, found, err := c.points.GetRedemption(ctx, ev.OrderNo)
	if err != nil {
		return false, false, fmt.Errorf("points service unreachable: %w", err)
	}
	return false, found && r.Status == RedemptionRedeemed && r.Points == ev.PointsRedeemed, nil
}

// chargeClockSlack covers the payment service's clock and commit after its
// deadline check (both processes run on one host or NTP-synchronised ones).
const chargeClockSlack = time.Second

// errChargeMayBeInFlight: a check-back that found no charge (or, for an
// order paid with points only, no redemption) before its deadline passed;
// the broker asks again.
var errChargeMayBeInFlight = errors.New("no charge yet, but the charge may still be created until its deadline")

// Cancelled answers a check-back for an ORDER_CANCELLED half message: the
// cancellation committed if and only if its transaction id is logged.
func (c *Checks) Cancelled(ctx context.Context, txID string, _ contracts.OrderCancelled) (bool, error) {
	return c.store.ResolveTx(ctx, txID)
}

// logged reads the decision of txID after a transition found it already in
// the log (ErrTxDecided): a check-back or the other path decided first.
func (c *Checks) logged(ctx context.Context, txID string) (bool, error) {
	committed, _, err := c.store.LookupTx(ctx, txID)
	return committed, err
}

// errRolledBack is a local transaction's answer when a check-back decided
// its transaction id rolled back first.
var errRolledBack = errors.New("a check-back decided the transaction rolled back")

// loggedLocal is a local transaction's answer after ErrTxDecided: nil when
// the log says committed, errRolledBack when rolled back, Unavailable (ask
// the broker to check back) when the log is unreadable.
func loggedLocal(ctx context.Context, store Store, txID string) error {
	committed, _, err := store.LookupTx(ctx, txID)
	switch {
	case err != nil:
		return apperr.Wrap(apperr.Unavailable, CodeOutcomeUnknown, "the transaction log is unreadable", err)
	case committed:
		return nil
	default:
		return errRolledBack
	}
}

// refund refunds an order's charge. A failure is logged, not returned: the
// payment service also refunds when it consumes ORDER_CANCELLED, so the
// refund happens exactly once either way.
func refund(ctx context.Context, payments Payments, log *slog.Logger, orderNo, reason string) {
	if err := payments.Refund(ctx, orderNo, reason); err != nil {
		log.WarnContext(ctx, "refund failed; payment's ORDER_CANCELLED consumer refunds it", "order_no", orderNo, "error", err)
		return
	}
	log.InfoContext(ctx, "charge refunded", "order_no", orderNo, "reason", reason)
}

// paidChange is the history entry of a payment.
func paidChange(at time.Time) StatusChange {
	return StatusChange{From: PendingPayment, To: Paid, Reason: "payment succeeded", At: at}
}
