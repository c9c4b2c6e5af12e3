package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/payment/internal/payment"
	"github.com/rocketmart/rocketmart/services/platform/database"
)

// errTopUpExists rolls back a top-up whose key the user already used.
var errTopUpExists = errors.New("store: idempotency key already used")

// TopUp credits the wallet and records the top-up under the UNIQUE (user,
// key) in one transaction. A key used before makes the insert fail, which
// rolls the credit back: a retried request never credits twice. The credit
// comes first so that concurrent requests of one user queue on the wallet
// row instead of racing for the key.
func (s *Store) TopUp(ctx context.Context, t payment.TopUp) (payment.TopUp, bool, error) {
	var out topUpRow
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&walletRow{}).Where("user_id = ?", t.UserID).Updates(map[string]any{
			"balance_cents": gorm.Expr("balance_cents + ?", t.AmountCents),
			"top_ups_cents": gorm.Expr("top_ups_cents + ?", t.AmountCents),
		})
		if res.Error != nil {
			return fmt.Errorf("store: credit %s: %w", t.UserID, res.Error)
		}
		if res.RowsAffected == 0 {
			return payment.WalletNotFoundError(t.UserID)
		}
		// Read back under our own row lock: the balance this top-up produced.
		var w walletRow
		if err := tx.Where("user_id = ?", t.UserID).Take(&w).Error; err != nil {
			return fmt.Errorf("store: read wallet %s: %w", t.UserID, err)
		}
		out = topUpRow{
			ID: t.ID, UserID: t.UserID, IdempotencyKey: t.Key, AmountCents: t.AmountCents,
			BalanceCents: w.BalanceCents, CreatedAt: t.CreatedAt,
		}
		if err := tx.Create(&out).Error; err != nil {
			if database.IsDuplicate(err) {
				return errTopUpExists
			}
			return fmt.Errorf("store: insert top-up: %w", err)
		}
		return nil
	})
	switch {
	case errors.Is(err, errTopUpExists):
		var existing topUpRow
		err := s.db.WithContext(ctx).Where("user_id = ? AND idempotency_key = ?", t.UserID, t.Key).Take(&existing).Error
		if err != nil {
			return payment.TopUp{}, false, fmt.Errorf("store: read top-up %s/%s: %w", t.UserID, t.Key, err)
		}
		return existing.toDomain(), false, nil
	case err != nil:
		return payment.TopUp{}, false, err
	}
	return out.toDomain(), true, nil
}
