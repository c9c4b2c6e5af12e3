package store

import (
	"context"
	"errors"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// InnoDB error numbers a transaction may be retried after: it was chosen as
// a deadlock victim and rolled back, nothing of it committed.
const mysqlDeadlock = 1213

// deadlockAttempts bounds retries of a deadlocked transaction.
const deadlockAttempts = 3

// inTx is database.InTx retried when MySQL picks the transaction as a
// deadlock victim. Lock order (SKU order) avoids deadlocks between
// reservations, but InnoDB can still pick a victim among several requests
// waiting on the same new order number when the first one rolls back.
func inTx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	var err error
	for range deadlockAttempts {
		if err = database.InTx(ctx, db, fn); !isDeadlock(err) {
			return err
		}
	}
	return err
}

func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == mysqlDeadlock
}
