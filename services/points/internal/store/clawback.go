package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// ClawBack implements points.Store: claim, read the credit, append its
// negative, add, in one transaction. It follows Record's argument: the
// claim and the UNIQUE (order_no, reason) key make a redelivered or second
// ORDER_REFUNDED event a duplicate, and the balance moves by one atomic
// upsert. The credit it negates is append-only and never changes, so
// reading it without a lock is safe; a credit whose transaction has not
// committed yet reads as missing, and the whole transaction (the claim
// included) rolls back with ErrCreditNotYet, to be retried.
func (s *Store) ClawBack(ctx context.Context, consumer string, e points.Entry) (points.Entry, error) {
	var row entryRow
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := inbox.Claim(tx, consumer, e.EventID); err != nil {
			return err
		}
		var credit entryRow
		err := tx.Where("order_no = ? AND reason = ?", e.OrderNo, string(points.ReasonOrderPaid)).Take(&credit).Error
		if database.IsNotFound(err) {
			return points.ErrCreditNotYet
		}
		if err != nil {
			return fmt.Errorf("read the credit: %w", err)
		}
		row = entryRow{UserID: credit.UserID, OrderNo: e.OrderNo, Reason: string(points.ReasonOrderRefunded),
			Points: -credit.Points, EventID: e.EventID, CreatedAt: e.CreatedAt}
		if err := tx.Create(&row).Error; err != nil {
			if database.IsDuplicate(err) {
				return errLedgerKeyTaken
			}
			return fmt.Errorf("append clawback: %w", err)
		}
		return addToBalance(tx, row)
	})
	switch {
	case errors.Is(err, apperr.ErrAlreadyApplied):
		return points.Entry{}, fmt.Errorf("event %s was processed before: %w", e.EventID, err)
	case errors.Is(err, errLedgerKeyTaken):
		return points.Entry{}, fmt.Errorf("order %s already has its clawback (event %s changed nothing): %w",
			e.OrderNo, e.EventID, apperr.ErrAlreadyApplied)
	case err != nil:
		return points.Entry{}, fmt.Errorf("store: claw back order %s: %w", e.OrderNo, err)
	}
	return row.toDomain(), nil
}
