// Package store keeps carts in SQL (SQLite or MySQL/MariaDB) with gorm and
// implements cart.Store.
//
// Concurrency: every transaction that changes a user's cart first upserts
// that user's row in carts (INSERT ... ON CONFLICT/ON DUPLICATE KEY UPDATE
// version = version + 1). On MySQL that takes the row's exclusive lock, so a
// user's cart writes queue there and always lock in the same order (carts,
// then keys or inbox, then lines), which rules out deadlocks between them;
// SQLite's single connection serialises all writes anyway. Quantities change
// only through single UPDATE/upsert statements (quantity = quantity + ?),
// and the limits are checked after the write inside the same transaction,
// which rolls the write back when it broke one: never read-then-write.
package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// cartRow is a user's cart header. It holds no business data: it is the row
// every write to the user's lines locks first (see the package doc).
type cartRow struct {
	UserID    string `gorm:"primaryKey;size:64"`
	Version   int64  `gorm:"not null"`
	UpdatedAt time.Time
}

func (cartRow) TableName() string { return "carts" }

// lineRow is one cart line. The UNIQUE key (user_id, sku) gives a user at
// most one line per SKU and is the conflict target of the upserts; the id
// only orders lines by when they were first added (timestamps tie within a
// millisecond on MySQL).
type lineRow struct {
	ID        uint64    `gorm:"primaryKey"`
	UserID    string    `gorm:"size:64;not null;uniqueIndex:ux_cart_lines_user_sku,priority:1"`
	SKU       string    `gorm:"size:64;not null;uniqueIndex:ux_cart_lines_user_sku,priority:2"`
	Quantity  int       `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

func (lineRow) TableName() string { return "cart_lines" }

// keyRow remembers an Idempotency-Key of an add that was applied, with the
// fingerprint of its body. Keys are per user: two users may pick the same.
type keyRow struct {
	UserID      string    `gorm:"primaryKey;size:64"`
	Key         string    `gorm:"primaryKey;size:128;column:idem_key"`
	Fingerprint string    `gorm:"size:64;not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (keyRow) TableName() string { return "cart_idempotency_keys" }

// Migrate creates or extends the cart tables and the inbox table.
func Migrate(db *gorm.DB) error {
	if err := database.Migrate(db, &cartRow{}, &lineRow{}, &keyRow{}, &checkoutRow{}); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := inbox.Migrate(db); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Store implements cart.Store on a gorm database.
type Store struct {
	db *gorm.DB
}

var _ cart.Store = (*Store)(nil)

// New returns a Store on db; call Migrate first.
func New(db *gorm.DB) *Store {
	return &Store{db: db}
}

// Lines implements cart.Store.
func (s *Store) Lines(ctx context.Context, userID string) ([]cart.Line, error) {
	lines, err := readLines(s.db.WithContext(ctx), userID)
	if err != nil {
		return nil, fmt.Errorf("store: lines of %s: %w", userID, database.MapError(err))
	}
	return lines, nil
}

// lockCart upserts the user's cart header, taking its lock for the rest of
// the transaction. It must be the first statement of every transaction that
// changes the user's lines. On MySQL it also means every plain read later in
// the transaction sees all the user's earlier writes: REPEATABLE READ takes
// its snapshot at the first plain read, which comes after this lock.
func lockCart(tx *gorm.DB, userID string) error {
	row := cartRow{UserID: userID, Version: 1}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.Assignments(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": time.Now().UTC()}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("lock cart of %s: %w", userID, err)
	}
	return nil
}

// readLines returns the user's lines in the order they were first added.
func readLines(tx *gorm.DB, userID string) ([]cart.Line, error) {
	var rows []lineRow
	err := tx.Where("user_id = ?", userID).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read lines: %w", err)
	}
	lines := make([]cart.Line, len(rows))
	for i, r := range rows {
		lines[i] = cart.Line{SKU: r.SKU, Quantity: r.Quantity}
	}
	return lines, nil
}

// checkLineCount fails with cart.Full when the user's cart has more than
// cart.MaxLines lines; called after a write that may have added one, so the
// transaction rolls that write back.
func checkLineCount(tx *gorm.DB, userID, sku string) error {
	var n int64
	if err := tx.Model(&lineRow{}).Where("user_id = ?", userID).Count(&n).Error; err != nil {
		return fmt.Errorf("count lines: %w", err)
	}
	if n > cart.MaxLines {
		return cart.Full(sku)
	}
	return nil
}
