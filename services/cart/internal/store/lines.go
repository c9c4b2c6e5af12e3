package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/platform/database"
)

// lineKey is the conflict target of line upserts.
var lineKey = []clause.Column{{Name: "user_id"}, {Name: "sku"}}

// Add implements cart.Store.
func (s *Store) Add(ctx context.Context, userID string, line cart.Line, key cart.IdempotencyKey) ([]cart.Line, error) {
	var lines []cart.Line
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockCart(tx, userID); err != nil {
			return err
		}
		if key.Key != "" {
			replay, err := claimKey(tx, userID, key)
			if err != nil {
				return err
			}
			if replay {
				lines, err = readLines(tx, userID)
				return err
			}
		}
		now := time.Now().UTC()
		row := lineRow{UserID: userID, SKU: line.SKU, Quantity: line.Quantity, CreatedAt: now, UpdatedAt: now}
		err := tx.Clauses(clause.OnConflict{
			Columns: lineKey,
			// In both dialects the bare column is the stored value.
			DoUpdates: clause.Assignments(map[string]any{"quantity": gorm.Expr("quantity + ?", line.Quantity), "updated_at": now}),
		}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("upsert line: %w", err)
		}
		// Reading our own write: the row is locked by the upsert until the
		// transaction ends, so the value cannot change underneath.
		var got int
		if err := tx.Model(&lineRow{}).Where("user_id = ? AND sku = ?", userID, line.SKU).
			Select("quantity").Scan(&got).Error; err != nil {
			return fmt.Errorf("read quantity: %w", err)
		}
		if got > cart.MaxQuantity {
			return cart.QuantityTooLarge(line.SKU, got-line.Quantity, line.Quantity)
		}
		if err := checkLineCount(tx, userID, line.SKU); err != nil {
			return err
		}
		lines, err = readLines(tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: add %s to cart of %s: %w", line.SKU, userID, err)
	}
	return lines, nil
}

// claimKey records key for the user. It reports replay when the key was
// recorded before with the same fingerprint (the add was applied already)
// and fails with cart.KeyReused when it came with another one. A failed add
// rolls its key back with everything else, so a retry is judged afresh.
func claimKey(tx *gorm.DB, userID string, key cart.IdempotencyKey) (replay bool, err error) {
	err = tx.Create(&keyRow{UserID: userID, Key: key.Key, Fingerprint: key.Fingerprint, CreatedAt: time.Now().UTC()}).Error
	if err == nil {
		return false, nil
	}
	if !database.IsDuplicate(err) {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	var prev keyRow
	if err := tx.Where("user_id = ? AND idem_key = ?", userID, key.Key).Take(&prev).Error; err != nil {
		return false, fmt.Errorf("read idempotency key: %w", err)
	}
	if prev.Fingerprint != key.Fingerprint {
		return false, cart.KeyReused()
	}
	return true, nil
}

// Set implements cart.Store.
func (s *Store) Set(ctx context.Context, userID string, line cart.Line) ([]cart.Line, error) {
	var lines []cart.Line
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockCart(tx, userID); err != nil {
			return err
		}
		now := time.Now().UTC()
		row := lineRow{UserID: userID, SKU: line.SKU, Quantity: line.Quantity, CreatedAt: now, UpdatedAt: now}
		err := tx.Clauses(clause.OnConflict{
			Columns:   lineKey,
			DoUpdates: clause.Assignments(map[string]any{"quantity": line.Quantity, "updated_at": now}),
		}).Create(&row).Error
		if err != nil {
			return fmt.Errorf("upsert line: %w", err)
		}
		if err := checkLineCount(tx, userID, line.SKU); err != nil {
			return err
		}
		lines, err = readLines(tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: set %s in cart of %s: %w", line.SKU, userID, err)
	}
	return lines, nil
}

// Remove implements cart.Store.
func (s *Store) Remove(ctx context.Context, userID, sku string) ([]cart.Line, error) {
	var lines []cart.Line
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockCart(tx, userID); err != nil {
			return err
		}
		if err := tx.Where("user_id = ? AND sku = ?", userID, sku).Delete(&lineRow{}).Error; err != nil {
			return fmt.Errorf("delete line: %w", err)
		}
		var err error
		lines, err = readLines(tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: remove %s from cart of %s: %w", sku, userID, err)
	}
	return lines, nil
}

// Clear implements cart.Store.
func (s *Store) Clear(ctx context.Context, userID string) error {
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockCart(tx, userID); err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", userID).Delete(&lineRow{}).Error; err != nil {
			return fmt.Errorf("delete lines: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: clear cart of %s: %w", userID, err)
	}
	return nil
}
