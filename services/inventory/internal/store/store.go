// Package store keeps the inventory's catalogue, stock and reservations with
// gorm, on SQLite or MySQL/MariaDB. It owns the transactions: every change
// of stock is a conditional UPDATE (… WHERE available >= ?) inside one
// transaction, never a read followed by a write. The exception is naive.go,
// a training lab's deliberately wrong twin that runs only while a trainer
// arms it.
package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// productRow is a catalogue entry. Its price and name are copied into
// reservation lines, so changing them never alters an existing order.
type productRow struct {
	SKU         string `gorm:"primaryKey;size:32"`
	Name        string `gorm:"size:128;not null"`
	Description string `gorm:"size:1024;not null"`
	PriceCents  int64  `gorm:"not null"`
	CreatedAt   time.Time
}

func (productRow) TableName() string { return "products" }

// stockRow holds one SKU's units by state: initial is what was seeded,
// restocked the sum of the restocks since (restockRow). The CHECK makes the
// database itself refuse any update that would break conservation or go
// negative, a second line behind the conditional updates.
type stockRow struct {
	SKU       string `gorm:"primaryKey;size:32"`
	Initial   int    `gorm:"not null;check:chk_stock_received,initial + restocked = available + reserved + sold AND restocked >= 0 AND available >= 0 AND reserved >= 0 AND sold >= 0"`
	Restocked int    `gorm:"not null;default:0"`
	Available int    `gorm:"not null"`
	Reserved  int    `gorm:"not null"`
	Sold      int    `gorm:"not null"`
}

// oldStockCheck is the CHECK of databases made before restocks existed
// (initial = available + reserved + sold); Migrate drops it, since a
// restock breaks it, after adding chk_stock_received, which implies it
// while restocked is 0.
const oldStockCheck = "chk_stock_conserved"

func (stockRow) TableName() string { return "stock" }

// reservationRow is one order's reservation; the primary key on the order
// number is what makes reserving idempotent.
type reservationRow struct {
	OrderNo   string    `gorm:"primaryKey;size:64"`
	Status    string    `gorm:"size:16;not null;index:idx_reservations_status_expiry,priority:1"`
	ExpiresAt time.Time `gorm:"not null;index:idx_reservations_status_expiry,priority:2"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

func (reservationRow) TableName() string { return "reservations" }

// lineRow is one line of a reservation. Lines never change after the
// reservation is created.
type lineRow struct {
	OrderNo        string `gorm:"primaryKey;size:64"`
	SKU            string `gorm:"primaryKey;size:32"`
	Position       int    `gorm:"not null"`
	Name           string `gorm:"size:128;not null"`
	Quantity       int    `gorm:"not null"`
	UnitPriceCents int64  `gorm:"not null"`
}

func (lineRow) TableName() string { return "reservation_lines" }

// Migrate creates or extends the inventory's tables, including the inbox of
// processed events.
func Migrate(db *gorm.DB) error {
	if err := database.Migrate(db, &productRow{}, &stockRow{}, &reservationRow{}, &lineRow{}, &restockRow{}); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if m := db.Migrator(); m.HasConstraint(&stockRow{}, oldStockCheck) {
		if err := m.DropConstraint(&stockRow{}, oldStockCheck); err != nil {
			return fmt.Errorf("store: drop %s: %w", oldStockCheck, err)
		}
	}
	if err := inbox.Migrate(db); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Store implements inventory.Store.
type Store struct {
	db *gorm.DB
}

// New returns a Store on a migrated database.
func New(db *gorm.DB) *Store { return &Store{db: db} }

var _ inventory.Store = (*Store)(nil)

// Seed inserts missing products and stock rows; existing rows are left as
// they are (insert-if-absent), so a restart never resets stock.
func (s *Store) Seed(ctx context.Context, products []inventory.SeedProduct) (int, error) {
	inserted := 0
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		inserted = 0
		for _, p := range products {
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&productRow{
				SKU: p.Product.SKU, Name: p.Product.Name, Description: p.Product.Description,
				PriceCents: p.Product.PriceCents,
			})
			if res.Error != nil {
				return fmt.Errorf("insert product %s: %w", p.Product.SKU, res.Error)
			}
			inserted += int(res.RowsAffected)
			err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&stockRow{
				SKU: p.Product.SKU, Initial: p.InitialStock, Available: p.InitialStock,
			}).Error
			if err != nil {
				return fmt.Errorf("insert stock %s: %w", p.Product.SKU, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: seed: %w", err)
	}
	return inserted, nil
}

// productView is a product joined with its available stock.
type productView struct {
	SKU         string
	Name        string
	Description string
	PriceCents  int64
	Available   int
}

func (s *Store) productQuery(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Table("products AS p").
		Select("p.sku, p.name, p.description, p.price_cents, s.available").
		Joins("JOIN stock AS s ON s.sku = p.sku")
}

// Products lists the catalogue ordered by SKU.
func (s *Store) Products(ctx context.Context) ([]inventory.Product, error) {
	var rows []productView
	if err := s.productQuery(ctx).Order("p.sku").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list products: %w", err)
	}
	out := make([]inventory.Product, 0, len(rows))
	for _, r := range rows {
		out = append(out, inventory.Product(r))
	}
	return out, nil
}

// Product returns one product or inventory.ErrUnknownSKU.
func (s *Store) Product(ctx context.Context, sku string) (inventory.Product, error) {
	var rows []productView
	if err := s.productQuery(ctx).Where("p.sku = ?", sku).Limit(1).Scan(&rows).Error; err != nil {
		return inventory.Product{}, fmt.Errorf("store: get product %s: %w", sku, err)
	}
	if len(rows) == 0 {
		return inventory.Product{}, inventory.ErrUnknownSKU(sku)
	}
	return inventory.Product(rows[0]), nil
}

// Stock lists every SKU's units by state.
func (s *Store) Stock(ctx context.Context) ([]inventory.Stock, error) {
	var rows []stockRow
	if err := s.db.WithContext(ctx).Order("sku").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list stock: %w", err)
	}
	out := make([]inventory.Stock, 0, len(rows))
	for _, r := range rows {
		out = append(out, inventory.Stock(r))
	}
	return out, nil
}
