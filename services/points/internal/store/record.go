package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
	"github.com/rocketmart/rocketmart/services/points/internal/points"
)

// errLedgerKeyTaken rolls back a Record whose (order, reason) already has an
// entry.
var errLedgerKeyTaken = errors.New("the ledger already has an entry for this order and reason")

// Record implements points.Store: claim, append, add, in one transaction.
//
//  1. inbox.Claim inserts (consumer, event id) under its primary key. A
//     redelivered event finds the claim; a concurrent delivery of the same
//     event waits for the first one's transaction and then finds it.
//  2. The entry is inserted under UNIQUE (order_no, reason). A second event
//     for the same order (another event id, so the claim succeeded) fails
//     here; a concurrent one waits for the first and then fails.
//  3. The balance is added with one upsert (INSERT … ON CONFLICT/ON
//     DUPLICATE KEY UPDATE balance = balance + ?), which creates the
//     account on the first entry and never writes back a value read before.
//
// What happens to the claim when step 2 fails: the whole transaction rolls
// back, so the second event's id is NOT recorded as processed. That is on
// purpose. Every claim that exists then has its own ledger entry (a claim
// proves the effect), and nothing is lost by forgetting the claim: the
// ledger is append-only, so a redelivery of that event hits the same unique
// key again and is again acknowledged as a duplicate. Keeping the claim
// would mean committing a transaction with a claim and no effect.
//
// Every statement is built inside fn, so database.InTx can run it again
// after a deadlock.
//
// Under the training fault consume.points-order-paid=naive,value=no-claim
// (faults.VariantNoClaim in ctx) the claim claims nothing and steps 2 and 3
// are the lab's naive twin, creditNaively (naive.go), which credits again on
// every delivery.
func (s *Store) Record(ctx context.Context, consumer string, e points.Entry) (points.Entry, error) {
	var row entryRow
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := inbox.Claim(tx, consumer, e.EventID); err != nil {
			return err
		}
		row = entryRow{
			UserID: e.UserID, OrderNo: e.OrderNo, Reason: string(e.Reason),
			Points: e.Points, EventID: e.EventID, CreatedAt: e.CreatedAt,
		}
		if faults.VariantFrom(ctx) == faults.VariantNoClaim {
			return creditNaively(tx, &row)
		}
		if err := tx.Create(&row).Error; err != nil {
			if database.IsDuplicate(err) {
				return errLedgerKeyTaken
			}
			return fmt.Errorf("append entry: %w", err)
		}
		return addToBalance(tx, row)
	})
	switch {
	case errors.Is(err, apperr.ErrAlreadyApplied):
		return points.Entry{}, fmt.Errorf("event %s was processed before: %w", e.EventID, err)
	case errors.Is(err, errLedgerKeyTaken):
		return points.Entry{}, fmt.Errorf("order %s already has its %s entry (event %s changed nothing): %w",
			e.OrderNo, e.Reason, e.EventID, apperr.ErrAlreadyApplied)
	case err != nil:
		return points.Entry{}, fmt.Errorf("store: record %s entry of order %s: %w", e.Reason, e.OrderNo, err)
	}
	return row.toDomain(), nil
}

// addToBalance adds the entry's points to its user's balance with one
// upsert, creating the account on the first entry.
func addToBalance(tx *gorm.DB, e entryRow) error {
	account := accountRow{UserID: e.UserID, Balance: e.Points, CreatedAt: e.CreatedAt, UpdatedAt: e.CreatedAt}
	err := tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.Assignments(map[string]any{
			"balance":    gorm.Expr("balance + ?", e.Points),
			"updated_at": e.CreatedAt,
		}),
	}).Create(&account).Error
	if err != nil {
		return fmt.Errorf("add %d points to %s: %w", e.Points, e.UserID, err)
	}
	return nil
}
