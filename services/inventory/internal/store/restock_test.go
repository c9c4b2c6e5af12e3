package store_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/inventory/internal/store"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
)

// stockBeforeRestocks is the stock table as databases made before restocks
// have it: no restocked column, and a CHECK that a restock would break.
type stockBeforeRestocks struct {
	SKU       string `gorm:"primaryKey;size:32"`
	Initial   int    `gorm:"not null;check:chk_stock_conserved,initial = available + reserved + sold AND available >= 0 AND reserved >= 0 AND sold >= 0"`
	Available int    `gorm:"not null"`
	Reserved  int    `gorm:"not null"`
	Sold      int    `gorm:"not null"`
}

func (stockBeforeRestocks) TableName() string { return "stock" }

// A database from before restocks (a kept data/ directory, a MySQL schema)
// is migrated in place: its rows keep their units with restocked 0, the old
// CHECK goes, the new one guards the new rule, and restocking works.
func TestMigrateAddsRestocksToAnOldDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := database.Migrate(db, &stockBeforeRestocks{}); err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&stockBeforeRestocks{SKU: tent, Initial: 20, Available: 17, Reserved: 2, Sold: 1}).Error; err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, db) // Migrate, then Seed, which leaves the tent's row alone
		if db.Migrator().HasConstraint("stock", "chk_stock_conserved") {
			t.Error("the old CHECK is still there")
		}
		if got, want := e.stock(t)[tent], (inventory.Stock{SKU: tent, Initial: 20, Available: 17, Reserved: 2, Sold: 1}); got != want {
			t.Errorf("migrated tent stock %+v, want %+v", got, want)
		}
		if _, st, created, err := e.svc.Restock(context.Background(), "after-migration", tent, 10); err != nil || !created || st.Available != 27 || st.Restocked != 10 {
			t.Fatalf("restock after migration: %+v created %v, %v", st, created, err)
		}
		if err := db.Exec("UPDATE stock SET restocked = restocked + 1 WHERE sku = ?", tent).Error; err == nil {
			t.Error("the database accepted a restocked count without its units")
		}
		if err := store.Migrate(db); err != nil { // and again, as every start does
			t.Fatalf("second migration: %v", err)
		}
		e.stock(t)
	})
}
