package store

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
)

// maxTxAttempts bounds how often a transaction InnoDB chose as a deadlock
// victim is run again. Deadlocks are expected here: a charge and a cancel of
// the same order lock the charge and the void marker in opposite orders on
// purpose (see CancelOrder), and InnoDB resolves that by rolling one back.
const maxTxAttempts = 8

// mysqlDeadlock is ER_LOCK_DEADLOCK: InnoDB rolled the whole transaction
// back, so running it again from the start is safe.
const mysqlDeadlock = 1213

// inTx runs fn in one transaction and runs it again, from scratch, when
// MySQL picked it as a deadlock victim. fn must build everything it writes
// inside itself, since an attempt's state is gone after the rollback.
//
// On MySQL the transaction runs at READ COMMITTED. Every decision here rests
// on conditional updates, unique keys and locking reads, none of which needs
// REPEATABLE READ's snapshot; its gap locks would only make a lookup of a
// missing charge block inserts of neighbouring order numbers and turn busy
// moments into needless deadlocks.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	var opts []*sql.TxOptions
	if database.Dialect(s.db) == "mysql" {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	}
	for attempt := 1; ; attempt++ {
		err := database.MapError(s.db.WithContext(ctx).Transaction(fn, opts...))
		if !isDeadlock(err) || attempt == maxTxAttempts {
			return err
		}
		// A short random pause keeps the two victims of a cycle from
		// colliding again in lock step.
		pause := time.Duration(attempt) * time.Duration(1+rand.IntN(4)) * time.Millisecond
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}

func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == mysqlDeadlock
}
