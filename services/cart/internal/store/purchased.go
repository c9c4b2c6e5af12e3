package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/cart/internal/cart"
	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// RemovePurchased implements cart.Store. Each line is two conditional
// statements that cannot both match a row: delete it when the purchase takes
// all it holds, otherwise subtract. So no line ever goes to 0 or below, and
// a SKU the user already removed is simply not matched.
func (s *Store) RemovePurchased(ctx context.Context, userID, eventID string, lines []cart.Line) error {
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockCart(tx, userID); err != nil {
			return err
		}
		if err := inbox.Claim(tx, contracts.ConsumerCartOrderPaid, eventID); err != nil {
			if errors.Is(err, mq.ErrDuplicate) {
				return fmt.Errorf("%w: %w", cart.ErrAlreadyApplied, err)
			}
			return err
		}
		for _, l := range lines {
			err := tx.Where("user_id = ? AND sku = ? AND quantity <= ?", userID, l.SKU, l.Quantity).
				Delete(&lineRow{}).Error
			if err != nil {
				return fmt.Errorf("delete bought line %s: %w", l.SKU, err)
			}
			err = tx.Model(&lineRow{}).Where("user_id = ? AND sku = ? AND quantity > ?", userID, l.SKU, l.Quantity).
				Update("quantity", gorm.Expr("quantity - ?", l.Quantity)).Error
			if err != nil {
				return fmt.Errorf("decrement bought line %s: %w", l.SKU, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: remove purchase %s from cart of %s: %w", eventID, userID, err)
	}
	return nil
}
