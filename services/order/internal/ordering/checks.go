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
// row, the payment service's charge record — so a restarted process or
// another instance answers the same. It needs neither the Service nor the
// producers, so it is built first and handed to them.
type Checks struct {
	store    Store
	payments Payments
	log      *slog.Logger
	now      func() time.Time
	faults   *faults.Set
	// chargeWindow is Config.ChargeWindow.
	chargeWindow time.Duration
}

// NewChecks returns the check-backs over store and payments; cfg gives the
// clock, the logger and the fault switches, on which it declares
// PointCheckStrategy.
func NewChecks(store Store, payments Payments, cfg Config) *Checks {
	cfg = cfg.withDefaults()
	cfg.Faults.Declare(checkStrategyPoint)
	return &Checks{store: store, payments: payments, log: cfg.Log, now: cfg.now, faults: cfg.Faults, chargeWindow: cfg.ChargeWindow}
}

// Paid answers a check-back for an ORDER_PAID half message whose local
// transaction outcome the broker never learned. An error means "ask again
// later".
//
// A charge that succeeded for a still-pending order completes the payment
// here (PAID + log, one transaction), so a payment whose answer timed out
// ends paid rather than refunded. Anything else without a logged commit is
// decided rolled back for good (txlog's rule), which a late local
// transaction then respects.
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
	var charged bool
	if o != nil && o.Status == PendingPayment {
		ch, found, err := c.payments.GetCharge(ctx, ev.OrderNo)
		if err != nil {
			return false, fmt.Errorf("payment service unreachable: %w", err)
		}
		charged = found && ch.Status == ChargeSucceeded
	}
	if !charged && o != nil && o.Status == PendingPayment && !ev.PaidAt.IsZero() && c.now().Before(ev.PaidAt.Add(c.chargeWindow+chargeClockSlack)) {
		// The charge may still be on its way: the payment service creates
		// none after PaidAt + ChargeWindow. Deciding "rolled back" now
		// could leave a late charge on an order that is not paid.
		log.InfoContext(ctx, "check: no charge yet, but one may still land; ask again")
		return false, errChargeMayBeInFlight
	}
	if charged {
		err := c.store.Transition(ctx, ev.OrderNo, txID, paidChange(c.now()))
		switch {
		case err == nil:
			log.InfoContext(ctx, "check: charge found, order paid")
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
	log.InfoContext(ctx, "check answered", "committed", committed, "charged", charged)
	return committed, nil
}

// chargeClockSlack covers the payment service's clock and commit after its
// deadline check (both processes run on one host or NTP-synchronised ones).
const chargeClockSlack = time.Second

// errChargeMayBeInFlight: a check-back that found no charge before the
// charge's deadline passed; the broker asks again.
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
