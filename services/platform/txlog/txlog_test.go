package txlog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/txlog"
)

func TestResolve(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := txlog.Migrate(db); err != nil {
			t.Fatal(err)
		}
		// Committed before the check: the check sees the commit.
		if err := database.InTx(ctx, db, func(tx *gorm.DB) error { return txlog.RecordCommit(tx, "tx-1") }); err != nil {
			t.Fatal(err)
		}
		if got, err := txlog.Resolve(ctx, db, "tx-1"); err != nil || got != txlog.Committed {
			t.Errorf("tx-1: %v %v, want committed", got, err)
		}
		// Never committed: the check decides rolled back, for good.
		if got, err := txlog.Resolve(ctx, db, "tx-2"); err != nil || got != txlog.RolledBack {
			t.Errorf("tx-2: %v %v, want rolled_back", got, err)
		}
		// The local transaction finishing after that check must roll back.
		err := database.InTx(ctx, db, func(tx *gorm.DB) error { return txlog.RecordCommit(tx, "tx-2") })
		if !errors.Is(err, txlog.ErrDecided) {
			t.Errorf("commit after a rollback decision: err = %v, want ErrDecided", err)
		}
		if got, _ := txlog.Resolve(ctx, db, "tx-2"); got != txlog.RolledBack {
			t.Errorf("tx-2 after the late commit attempt: %v, want still rolled_back", got)
		}
		// A local transaction that rolls back leaves nothing: the check says rolled back.
		database.InTx(ctx, db, func(tx *gorm.DB) error {
			if err := txlog.RecordCommit(tx, "tx-3"); err != nil {
				return err
			}
			return errors.New("business failure after recording")
		})
		if got, _ := txlog.Resolve(ctx, db, "tx-3"); got != txlog.RolledBack {
			t.Errorf("tx-3: %v, want rolled_back", got)
		}
	})
}

// A check that arrives while the local transaction has recorded its commit
// but not yet committed waits for it and answers committed (never
// rollback-then-commit).
func TestResolveWaitsForARunningLocalTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := txlog.Migrate(db); err != nil {
			t.Fatal(err)
		}
		recorded := make(chan struct{})
		release := make(chan struct{})
		localDone := make(chan error, 1)
		go func() {
			localDone <- database.InTx(ctx, db, func(tx *gorm.DB) error {
				if err := txlog.RecordCommit(tx, "tx-running"); err != nil {
					return err
				}
				close(recorded)
				<-release // the rest of the local transaction is still running
				return nil
			})
		}()
		<-recorded
		waits := checkWaiting(t, db)
		resolved := make(chan txlog.Outcome, 1)
		go func() {
			got, err := txlog.Resolve(ctx, db, "tx-running")
			if err != nil {
				t.Error(err)
			}
			resolved <- got
		}()
		// Release the local transaction only once the check is provably
		// blocked behind it, so this interleaving is the one tested.
		deadline := time.Now().Add(10 * time.Second)
		for !waits() {
			if time.Now().After(deadline) {
				t.Fatal("the check never waited for the running local transaction")
			}
			time.Sleep(5 * time.Millisecond)
		}
		close(release)
		if err := <-localDone; err != nil {
			t.Fatalf("local transaction: %v", err)
		}
		if got := <-resolved; got != txlog.Committed {
			t.Errorf("check during the local transaction answered %v, want committed", got)
		}
	})
}

// checkWaiting returns a probe that reports whether a query is blocked behind
// the running transaction: on SQLite, a goroutine waiting for the single
// connection; on MySQL, another connection of this test's schema inside the
// check's INSERT (MariaDB does not always list that wait in INNODB_TRX).
func checkWaiting(t *testing.T, db *gorm.DB) func() bool {
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	if database.Dialect(db) == "sqlite" {
		before := sqlDB.Stats().WaitCount
		return func() bool { return sqlDB.Stats().WaitCount > before }
	}
	return func() bool {
		var n int64
		err := sqlDB.QueryRow(`SELECT COUNT(*) FROM information_schema.PROCESSLIST
			WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND INFO LIKE 'INSERT INTO ` + "`tx_log`" + `%'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
}

func TestLookup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := txlog.Migrate(db); err != nil {
			t.Fatal(err)
		}
		if _, found, err := txlog.Lookup(ctx, db, "tx-1"); err != nil || found {
			t.Errorf("unknown tx: found=%v err=%v", found, err)
		}
		database.InTx(ctx, db, func(tx *gorm.DB) error { return txlog.RecordCommit(tx, "tx-1") })
		if got, found, err := txlog.Lookup(ctx, db, "tx-1"); err != nil || !found || got != txlog.Committed {
			t.Errorf("committed tx: %v %v %v", got, found, err)
		}
		// Lookup decides nothing: a commit after a lookup still succeeds.
		txlog.Lookup(ctx, db, "tx-2")
		if err := database.InTx(ctx, db, func(tx *gorm.DB) error { return txlog.RecordCommit(tx, "tx-2") }); err != nil {
			t.Errorf("commit after lookup: %v", err)
		}
	})
}
