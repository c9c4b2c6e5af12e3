package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/database"
)

// bulkTopUpRow is one operator's bulk top-up, unique per idempotency key.
// Its lines are bulkLineRow; each line's amount is in its wallet's
// top_ups_cents, as a user's own top-up is.
type bulkTopUpRow struct {
	ID             string    `gorm:"primaryKey;size:32"`
	IdempotencyKey string    `gorm:"size:128;not null;uniqueIndex:uq_bulk_top_ups_key"`
	CreatedAt      time.Time `gorm:"not null"`
}

func (bulkTopUpRow) TableName() string { return "bulk_top_ups" }

// bulkLineRow is one wallet's credit in a bulk top-up.
type bulkLineRow struct {
	BulkID       string `gorm:"primaryKey;size:32"`
	UserID       string `gorm:"primaryKey;size:64"`
	AmountCents  int64  `gorm:"not null"`
	BalanceCents int64  `gorm:"not null"`
}

func (bulkLineRow) TableName() string { return "bulk_top_up_lines" }

// errBulkExists rolls back a bulk top-up whose key was used before.
var errBulkExists = errors.New("store: bulk idempotency key already used")

// BulkTopUp credits the wallets in user id order (so two bulk top-ups
// lock rows in one order and cannot deadlock each other), then records the
// bulk top-up under its UNIQUE key, all in one transaction: a key used
// before makes the insert fail and rolls every credit back. Like TopUp,
// the credits come first, so concurrent requests with one key queue on the
// wallet rows rather than race for the key.
func (s *Store) BulkTopUp(ctx context.Context, b payment.BulkTopUp) (payment.BulkTopUp, bool, error) {
	var lines []bulkLineRow
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		lines = lines[:0] // a deadlock victim runs again from here
		for _, l := range b.Lines {
			res := tx.Model(&walletRow{}).Where("user_id = ?", l.UserID).Updates(map[string]any{
				"balance_cents": gorm.Expr("balance_cents + ?", l.AmountCents),
				"top_ups_cents": gorm.Expr("top_ups_cents + ?", l.AmountCents),
			})
			if res.Error != nil {
				return fmt.Errorf("store: credit %s: %w", l.UserID, res.Error)
			}
			if res.RowsAffected == 0 {
				return payment.WalletNotFoundError(l.UserID)
			}
			var w walletRow
			if err := tx.Where("user_id = ?", l.UserID).Take(&w).Error; err != nil {
				return fmt.Errorf("store: read wallet %s: %w", l.UserID, err)
			}
			lines = append(lines, bulkLineRow{BulkID: b.ID, UserID: l.UserID, AmountCents: l.AmountCents, BalanceCents: w.BalanceCents})
		}
		if err := tx.Create(&bulkTopUpRow{ID: b.ID, IdempotencyKey: b.Key, CreatedAt: b.CreatedAt}).Error; err != nil {
			if database.IsDuplicate(err) {
				return errBulkExists
			}
			return fmt.Errorf("store: insert bulk top-up: %w", err)
		}
		if err := tx.Create(&lines).Error; err != nil {
			return fmt.Errorf("store: insert bulk top-up lines: %w", err)
		}
		return nil
	})
	switch {
	case errors.Is(err, errBulkExists):
		return s.bulkTopUp(ctx, b.Key)
	case err != nil:
		return payment.BulkTopUp{}, false, err
	}
	return bulkToDomain(bulkTopUpRow{ID: b.ID, IdempotencyKey: b.Key, CreatedAt: b.CreatedAt}, lines), true, nil
}

// bulkTopUp reads the bulk top-up recorded under key.
func (s *Store) bulkTopUp(ctx context.Context, key string) (payment.BulkTopUp, bool, error) {
	db := s.db.WithContext(ctx)
	var row bulkTopUpRow
	if err := db.Where("idempotency_key = ?", key).Take(&row).Error; err != nil {
		return payment.BulkTopUp{}, false, fmt.Errorf("store: read bulk top-up %s: %w", key, err)
	}
	var lines []bulkLineRow
	if err := db.Where("bulk_id = ?", row.ID).Order("user_id").Find(&lines).Error; err != nil {
		return payment.BulkTopUp{}, false, fmt.Errorf("store: read bulk top-up lines %s: %w", row.ID, err)
	}
	return bulkToDomain(row, lines), false, nil
}

func bulkToDomain(row bulkTopUpRow, lines []bulkLineRow) payment.BulkTopUp {
	out := payment.BulkTopUp{ID: row.ID, Key: row.IdempotencyKey, CreatedAt: row.CreatedAt.UTC()}
	for _, l := range lines {
		out.Lines = append(out.Lines, payment.BulkLine{UserID: l.UserID, AmountCents: l.AmountCents, BalanceCents: l.BalanceCents})
	}
	return out
}
