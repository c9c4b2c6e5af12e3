package inbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

type counter struct {
	ID    int `gorm:"primaryKey"`
	Value int
}

// Ten concurrent deliveries of one event apply its effect once.
func TestClaimAppliesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if err := database.Migrate(db, &counter{}); err != nil {
			t.Fatal(err)
		}
		if err := inbox.Migrate(db); err != nil {
			t.Fatal(err)
		}
		db.Create(&counter{ID: 1})
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = database.InTx(ctx, db, func(tx *gorm.DB) error {
					if err := inbox.Claim(tx, "points", "event-1"); err != nil {
						return err
					}
					return tx.Model(&counter{}).Where("id = 1").Update("value", gorm.Expr("value + 1")).Error
				})
			}()
		}
		wg.Wait()
		ok, dup := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, apperr.ErrAlreadyApplied):
				dup++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		var c counter
		db.First(&c, 1)
		if c.Value != 1 || ok != 1 || dup != 9 {
			t.Errorf("value %d, %d applied, %d duplicates; want 1, 1, 9", c.Value, ok, dup)
		}
		// Another consumer of the same event is independent.
		if err := database.InTx(ctx, db, func(tx *gorm.DB) error { return inbox.Claim(tx, "cart", "event-1") }); err != nil {
			t.Errorf("second consumer: %v", err)
		}
	})
}
