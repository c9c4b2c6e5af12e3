package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/database"
)

// restockRow is one restock, unique per idempotency key. The restocked
// column of a SKU's stock row is the sum of its restocks.
type restockRow struct {
	ID             string    `gorm:"primaryKey;size:32"`
	IdempotencyKey string    `gorm:"size:128;not null;uniqueIndex:uq_restocks_key"`
	SKU            string    `gorm:"size:32;not null"`
	Quantity       int       `gorm:"not null"`
	CreatedAt      time.Time `gorm:"not null"`
}

func (restockRow) TableName() string { return "restocks" }

func (r restockRow) toDomain() inventory.Restock {
	return inventory.Restock{ID: r.ID, Key: r.IdempotencyKey, SKU: r.SKU, Quantity: r.Quantity, CreatedAt: r.CreatedAt.UTC()}
}

// errRestockExists rolls back a restock whose key was used before.
var errRestockExists = errors.New("store: idempotency key already used")

// Restock adds the units and records the restock under its UNIQUE key in
// one transaction. A key used before makes the insert fail, which rolls
// the units back: a retried request never restocks twice. The stock update
// comes first so that concurrent restocks of one SKU queue on its row; two
// requests with one key for different SKUs meet on the key's index entry,
// where the second waits for the first to commit and then fails.
func (s *Store) Restock(ctx context.Context, r inventory.Restock) (inventory.Restock, inventory.Stock, bool, error) {
	row := restockRow{ID: r.ID, IdempotencyKey: r.Key, SKU: r.SKU, Quantity: r.Quantity, CreatedAt: r.CreatedAt}
	var st stockRow
	err := database.InTxReadCommitted(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&stockRow{}).Where("sku = ?", r.SKU).Updates(map[string]any{
			"available": gorm.Expr("available + ?", r.Quantity),
			"restocked": gorm.Expr("restocked + ?", r.Quantity),
		})
		if res.Error != nil {
			return fmt.Errorf("restock %s: %w", r.SKU, res.Error)
		}
		if res.RowsAffected == 0 {
			return inventory.ErrUnknownSKU(r.SKU)
		}
		if err := tx.Create(&row).Error; err != nil {
			if database.IsDuplicate(err) {
				return errRestockExists
			}
			return fmt.Errorf("insert restock: %w", err)
		}
		// Read back under our own row lock: the stock this restock produced.
		return tx.Where("sku = ?", r.SKU).Take(&st).Error
	})
	switch {
	case errors.Is(err, errRestockExists):
		var existing restockRow
		if err := s.db.WithContext(ctx).Where("idempotency_key = ?", r.Key).Take(&existing).Error; err != nil {
			return inventory.Restock{}, inventory.Stock{}, false, fmt.Errorf("store: read restock %s: %w", r.Key, err)
		}
		if err := s.db.WithContext(ctx).Where("sku = ?", existing.SKU).Take(&st).Error; err != nil {
			return inventory.Restock{}, inventory.Stock{}, false, fmt.Errorf("store: read stock %s: %w", existing.SKU, err)
		}
		return existing.toDomain(), inventory.Stock(st), false, nil
	case err != nil:
		return inventory.Restock{}, inventory.Stock{}, false, fmt.Errorf("store: %w", err)
	}
	return row.toDomain(), inventory.Stock(st), true, nil
}
