package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// inTx runs fn through database.InTxReadCommitted, which retries deadlock
// victims. Deadlocks are expected here: a charge and a cancel of the same
// order lock the charge and the void marker in opposite orders on purpose
// (see CancelOrder), and InnoDB resolves that by rolling one back.
//
// It runs at READ COMMITTED (on MySQL). Every decision here rests
// on conditional updates, unique keys and locking reads, none of which needs
// REPEATABLE READ's snapshot; its gap locks would only make a lookup of a
// missing charge block inserts of neighbouring order numbers and turn busy
// moments into needless deadlocks.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return database.InTxReadCommitted(ctx, s.db, fn)
}
