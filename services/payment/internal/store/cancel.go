package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// CancelOrder applies an ORDER_CANCELLED event in one transaction: claim the
// event (a redelivery finds the claim and changes nothing), then refund the
// order's charge or, when it has none, leave a void marker that makes any
// later charge of the order fail with ORDER_CANCELLED.
//
// Why a charge and a cancel of the same order can never both "win" (a
// SUCCEEDED charge next to a void marker): each transaction first WRITES its
// own row and only then READS the other's with a locking read.
//
//	charge:  insert charges(order_no)        then  locking read voided_orders(order_no)
//	cancel:  insert voided_orders(order_no)  then  locking read charges(order_no)
//
// A locking read sees the latest committed row and, if another transaction
// has inserted that key but not finished, waits for it. Each write comes
// before its own read, so at least one of the two reads happens after the
// other transaction's write, and that read finds the row (committed, or
// waited for until it commits): the charge sees the marker and rolls back
// with ORDER_CANCELLED, or the cancel sees the charge and refunds it. If both
// reads wait on each other, InnoDB reports a deadlock, rolls one back, and
// inTx runs it again, now after the other has committed. This needs no gap
// locks, so it holds under READ COMMITTED as well as REPEATABLE READ.
//
// On SQLite the pool has one connection, so the two transactions cannot
// interleave at all; and across processes both begin with a write, which
// takes SQLite's single write lock for the whole transaction.
//
// When the cancel finds a charge it removes its own marker again: the
// order's fate is then the refunded charge, which later charge requests get
// back as it is.
func (s *Store) CancelOrder(ctx context.Context, ev payment.EventRef, orderNo string, at time.Time) (payment.CancelOutcome, error) {
	var outcome payment.CancelOutcome
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := inbox.Claim(tx, ev.Consumer, ev.EventID); err != nil {
			return err
		}
		// DoNothing: another cancel event of the same order may have left
		// the marker already; it is the same fact.
		marker := voidRow{OrderNo: orderNo, EventID: ev.EventID, VoidedAt: at}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&marker).Error; err != nil {
			return fmt.Errorf("store: void order %s: %w", orderNo, err)
		}
		var charges []chargeRow
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("order_no = ?", orderNo).Limit(1).Find(&charges).Error
		if err != nil {
			return fmt.Errorf("store: look up charge %s: %w", orderNo, err)
		}
		if len(charges) == 0 {
			outcome = payment.CancelVoided
			return nil
		}
		if err := tx.Where("order_no = ?", orderNo).Delete(&voidRow{}).Error; err != nil {
			return fmt.Errorf("store: remove void marker %s: %w", orderNo, err)
		}
		_, refunded, err := refund(tx, orderNo, payment.CancelRefundReason, at)
		if err != nil {
			return err
		}
		outcome = payment.CancelAlreadyRefunded
		if refunded {
			outcome = payment.CancelRefunded
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return outcome, nil
}
