package ordering

import (
	"context"
	"fmt"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// naivePaid answers an ORDER_PAID check-back with a naive strategy, a
// lab's twin of Paid, selected by a trainer at PointCheckStrategy. They
// exist to be broken in a workshop; each comment says what breaks it.
// None of them reads the transaction log or decides anything in it, which
// is the first thing Paid does.
func (c *Checks) naivePaid(ctx context.Context, strategy string, txID string, ev contracts.OrderPaid) (bool, error) {
	c.log.WarnContext(ctx, "check answered by a naive strategy (training fault)", "order_no", ev.OrderNo, "tx_id", txID, "strategy", strategy)
	switch strategy {
	case StrategyAlwaysCommit:
		// Commits whatever happened. The broker only asks when it did
		// not learn the outcome, and "not learned" includes a payment
		// that was declined or never reached the payment service: the
		// shop then publishes ORDER_PAID for an unpaid order, and
		// inventory, logistics and points act on money never taken.
		return true, nil
	case StrategyAlwaysRollback:
		// Rolls back whatever happened. A payment that committed (order
		// PAID, buyer charged) but whose commit never reached the broker
		// (pay.after-commit, pay.end-transaction) loses its ORDER_PAID for
		// good: the paid order is never shipped and earns no points, and
		// nothing will ever retry it.
		return false, nil
	case StrategyOrderRowOnly:
		// Commits if and only if the order row says PAID. It survives a
		// lost END_TRANSACTION, so it looks right; but when the charge
		// succeeded and only its answer was lost, the order is still
		// PENDING_PAYMENT and this rolls back: the buyer's money is taken
		// for an order that stays unpaid, which nothing completes or
		// refunds until the order's deadline cancels it. Paid asks the
		// payment service for the charge and completes the payment instead.
		o, err := c.store.Get(ctx, ev.OrderNo)
		switch {
		case isKind(err, apperr.NotFound, ""):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("order unreadable: %w", err)
		}
		return o.Status == Paid, nil
	}
	return false, fmt.Errorf("unknown naive check-back strategy %q", strategy)
}
