package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// RefundClaimed applies an ORDER_REFUNDED event in one transaction: claim
// the event, then refund the charge with the same conditional update as
// Refund and CancelOrder (… WHERE status = SUCCEEDED), so however many
// paths ask (this consumer, the order service's confirmation, a
// redelivery), the wallet is credited once. A missing charge rolls the
// claim back (the broker redelivers, then dead-letters).
func (s *Store) RefundClaimed(ctx context.Context, ev payment.EventRef, orderNo, reason string, at time.Time) (payment.Charge, bool, error) {
	var out chargeRow
	var refunded bool
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := inbox.Claim(tx, ev.Consumer, ev.EventID); err != nil {
			return err
		}
		var err error
		out, refunded, err = refund(tx, orderNo, reason, at)
		return err
	})
	if err != nil {
		return payment.Charge{}, false, err
	}
	return out.toDomain(), refunded, nil
}
