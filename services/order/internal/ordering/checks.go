package ordering

import (
	"context"
	"errors"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// CheckPaid answers the broker's check-back for an ORDER_PAID half message
// whose local transaction outcome it never learned. It reads durable state
// only: the transaction log, the order row and the payment service's charge
// record, so a restarted process or another instance answers the same.
//
// A charge that succeeded for a still-pending order completes the payment
// here (PAID + log, one transaction), so a payment whose answer timed out
// ends paid rather than refunded. Anything else without a logged commit is
// decided rolled back for good (txlog's rule), which a late local
// transaction then respects.
func (s *Service) CheckPaid(ctx context.Context, txID, orderNo string) TxOutcome {
	log := s.cfg.Log.With("order_no", orderNo, "tx_id", txID, "check", "ORDER_PAID")
	if committed, found, err := s.store.LookupTx(ctx, txID); err != nil {
		log.Warn("check: transaction log unreadable", "error", err)
		return TxUnknown
	} else if found {
		return outcomeOf(committed)
	}

	o, err := s.store.Get(ctx, orderNo)
	if err != nil && !isKind(err, apperr.NotFound, "") {
		log.Warn("check: order unreadable", "error", err)
		return TxUnknown
	}
	var charged bool
	if o != nil && o.Status == PendingPayment {
		c, found, err := s.payments.GetCharge(ctx, orderNo)
		if err != nil {
			log.Warn("check: payment service unreachable; asking again later", "error", err)
			return TxUnknown
		}
		charged = found && c.Status == ChargeSucceeded
	}
	if charged {
		err := s.store.MarkPaid(ctx, orderNo, txID, s.now())
		switch {
		case err == nil:
			log.Info("check: charge found, order paid")
			return TxCommit
		case errors.Is(err, ErrTxDecided):
			return s.loggedOutcome(ctx, txID)
		case !errors.Is(err, ErrStateChanged):
			log.Warn("check: recording the payment failed", "error", err)
			return TxUnknown
		}
	}

	committed, err := s.store.ResolveTx(ctx, txID)
	if err != nil {
		log.Warn("check: resolve failed", "error", err)
		return TxUnknown
	}
	if !committed && charged {
		if current, err := s.store.Get(ctx, orderNo); err == nil && current.Status == Cancelled {
			s.refund(ctx, orderNo, "order cancelled before its payment completed")
		}
	}
	log.Info("check answered", "committed", committed, "charged", charged)
	return outcomeOf(committed)
}

// CheckCancelled answers a check-back for an ORDER_CANCELLED half message:
// the cancellation committed if and only if its transaction id is logged.
func (s *Service) CheckCancelled(ctx context.Context, txID string) TxOutcome {
	committed, err := s.store.ResolveTx(ctx, txID)
	if err != nil {
		s.cfg.Log.Warn("check: resolve failed", "tx_id", txID, "check", "ORDER_CANCELLED", "error", err)
		return TxUnknown
	}
	return outcomeOf(committed)
}

// loggedOutcome answers from the transaction log after a transition found
// its transaction id already there (ErrTxDecided): a check-back or the
// other path decided first. Unreadable means "ask again later".
func (s *Service) loggedOutcome(ctx context.Context, txID string) TxOutcome {
	committed, _, err := s.store.LookupTx(ctx, txID)
	if err != nil {
		return TxUnknown
	}
	return outcomeOf(committed)
}

func outcomeOf(committed bool) TxOutcome {
	if committed {
		return TxCommit
	}
	return TxRollback
}
