package database_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

type counter struct {
	ID int `gorm:"primaryKey;autoIncrement:false"`
	N  int
}

// InTxReadCommitted commits fn's writes and, on MySQL, runs fn at READ
// COMMITTED: a row another transaction commits meanwhile is visible to a
// second read, which REPEATABLE READ's snapshot would hide.
func TestInTxReadCommitted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := database.Migrate(db, &counter{}); err != nil {
			t.Fatal(err)
		}
		err := database.InTxReadCommitted(t.Context(), db, func(tx *gorm.DB) error {
			if database.Dialect(db) == "mysql" {
				// The first read fixes REPEATABLE READ's snapshot; a row
				// committed after it is seen by the second read only at
				// READ COMMITTED. (SQLite has one connection: no meanwhile.)
				var before, after int64
				if err := tx.Model(&counter{}).Count(&before).Error; err != nil {
					return err
				}
				if err := db.Create(&counter{ID: 8}).Error; err != nil {
					return err
				}
				if err := tx.Model(&counter{}).Count(&after).Error; err != nil {
					return err
				}
				if after != before+1 {
					t.Errorf("a row committed meanwhile: count %d then %d; want it visible at READ COMMITTED", before, after)
				}
			}
			return tx.Create(&counter{ID: 7, N: 1}).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		var got counter
		if err := db.First(&got, 7).Error; err != nil || got.N != 1 {
			t.Errorf("after commit: %+v, %v", got, err)
		}
	})
}

// Two transactions that lock two rows in opposite orders deadlock; InnoDB
// rolls one back and InTx runs it again, so both end up committed.
func TestInTxRetriesDeadlockVictims(t *testing.T) {
	db := dbtest.MySQL(t)
	if err := database.Migrate(db, &counter{}); err != nil {
		t.Fatal(err)
	}
	db.Create(&[]counter{{ID: 1}, {ID: 2}})

	var attempts atomic.Int32
	var firstLocks sync.WaitGroup // both hold their first row before crossing
	firstLocks.Add(2)
	bump := func(tx *gorm.DB, id int) error {
		return tx.Model(&counter{}).Where("id = ?", id).Update("n", gorm.Expr("n + 1")).Error
	}
	cross := func(first, second int) error {
		var once sync.Once
		return database.InTx(context.Background(), db, func(tx *gorm.DB) error {
			attempts.Add(1)
			if err := bump(tx, first); err != nil {
				return err
			}
			once.Do(func() { firstLocks.Done(); firstLocks.Wait() })
			return bump(tx, second)
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- cross(1, 2) }()
	go func() { errs <- cross(2, 1) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("a transaction failed instead of being retried: %v", err)
		}
	}
	var rows []counter
	db.Order("id").Find(&rows)
	if rows[0].N != 2 || rows[1].N != 2 {
		t.Errorf("counters %+v, want both 2: each transaction applied exactly once", rows)
	}
	if got := attempts.Load(); got < 3 {
		t.Errorf("%d attempts: no deadlock happened, the test proves nothing", got)
	}
}

// keyed has a unique string key, to see how the database compares it.
type keyed struct {
	ID  int    `gorm:"primaryKey"`
	Key string `gorm:"size:32;uniqueIndex"`
}

// Keys differing only in case are two keys on both databases: Migrate gives
// MySQL tables a binary collation.
func TestMigrateKeysAreCaseSensitive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := database.Migrate(db, &keyed{}); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"order-1", "ORDER-1"} {
			if err := db.Create(&keyed{Key: k}).Error; err != nil {
				t.Fatalf("insert %q: %v (case-insensitive collation?)", k, err)
			}
		}
	})
}
