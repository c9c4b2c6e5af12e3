package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// txAttempts bounds how often a transaction InnoDB rolled back as a
// deadlock victim is run again.
const txAttempts = 8

// mysqlDeadlock is ER_LOCK_DEADLOCK: InnoDB rolled the whole transaction
// back, so nothing of it committed and running it again is safe.
const mysqlDeadlock = 1213

// InTx runs fn in one transaction bound to ctx: committed when fn returns
// nil, rolled back when it returns an error or panics. The returned error
// goes through MapError, so a duplicate claim or a missing row comes back
// with its apperr kind. Inside fn use tx only (see the package doc).
//
// When MySQL picks the transaction as a deadlock victim, InTx runs fn again
// from the start (up to 8 times, after a short random pause), so fn must
// build everything it writes and decides inside itself.
func InTx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return InTxOptions(ctx, db, nil, fn)
}

// InTxReadCommitted is InTx at READ COMMITTED on MySQL (SQLite has one
// isolation level and takes no option). It is for stores whose every
// decision rests on unique keys, conditional updates and locking reads,
// none of which needs REPEATABLE READ's snapshot, and whose gap locks would
// only add lock waits and deadlocks; each caller says why in its own doc.
func InTxReadCommitted(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	var opts *sql.TxOptions
	if Dialect(db) == "mysql" {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return InTxOptions(ctx, db, opts, fn)
}

// InTxOptions is InTx with transaction options, e.g. an isolation level.
func InTxOptions(ctx context.Context, db *gorm.DB, opts *sql.TxOptions, fn func(tx *gorm.DB) error) error {
	var txOpts []*sql.TxOptions
	if opts != nil {
		txOpts = append(txOpts, opts)
	}
	for attempt := 1; ; attempt++ {
		err := db.WithContext(ctx).Transaction(fn, txOpts...)
		if !isDeadlock(err) || attempt == txAttempts {
			return MapError(err)
		}
		// A random pause keeps the two victims of a cycle from meeting again
		// in lock step.
		pause := time.Duration(attempt*(1+rand.IntN(4))) * time.Millisecond
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return MapError(errors.Join(err, ctx.Err()))
		case <-t.C:
		}
	}
}

func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == mysqlDeadlock
}

// mysqlTableOptions are the options of every table Migrate creates on MySQL.
const mysqlTableOptions = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

// Migrate creates or extends the tables for models with gorm's AutoMigrate;
// the package doc says what it does not do. On MySQL new tables get a
// binary collation, so order numbers, SKUs, user ids and idempotency keys
// compare case-sensitively as they do on SQLite: MySQL's default collation
// would make "k1" and "K1" one unique key.
func Migrate(db *gorm.DB, models ...any) error {
	if Dialect(db) == "mysql" {
		db = db.Set("gorm:table_options", mysqlTableOptions)
	}
	if err := db.AutoMigrate(models...); err != nil {
		return fmt.Errorf("database: migrate: %w", err)
	}
	return nil
}
