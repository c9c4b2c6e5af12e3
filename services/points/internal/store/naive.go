package store

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// creditNaively is THE LAB'S NAIVE TWIN of Record's steps 2 and 3, run only
// while a trainer arms consume.points-order-paid=naive,value=no-claim, when
// inbox.Claim has claimed nothing either. Do not copy it.
//
// It appends the entry, shrugs off the ledger's unique key when the order
// already has one ("it's in the ledger, fine"), and adds the points to the
// balance on every delivery. A redelivered ORDER_PAID therefore credits
// again: one ledger entry, twice the points, and the audit's "points
// balance X, ledger sums to Y". A failed INSERT inside a transaction undoes
// only itself on both SQLite and MySQL, so the transaction goes on.
func creditNaively(tx *gorm.DB, row *entryRow) error {
	if err := tx.Create(row).Error; err != nil && !database.IsDuplicate(err) {
		return fmt.Errorf("append entry: %w", err)
	}
	return addToBalance(tx, *row)
}
