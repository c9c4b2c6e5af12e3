package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// Advance claims the event (when claim is set) and applies each step whose
// From matches the order at that moment, in one transaction. Each step is a
// conditional UPDATE … WHERE status = From, never a read followed by a
// write: two consumers (or a consumer and a refund request) that race on
// one order serialise on its row lock on MySQL, the second re-reading the
// status the first committed; SQLite runs one write transaction at a time.
// So an order moves through each state at most once and never back.
func (s *Store) Advance(ctx context.Context, orderNo string, claim *ordering.EventClaim, steps ...ordering.StatusChange) ([]ordering.StatusChange, error) {
	var applied []ordering.StatusChange
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		applied = nil
		if claim != nil {
			if err := inbox.Claim(tx, claim.Consumer, claim.EventID); err != nil {
				return err
			}
		}
		for _, c := range steps {
			ok, err := move(tx, orderNo, c, map[string]any{})
			if err != nil {
				return err
			}
			if ok {
				applied = append(applied, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: advance order %s: %w", orderNo, err)
	}
	return applied, nil
}

// move changes the order from c.From to c.To (with set's other columns) if
// and only if it is in c.From, and then records c in its history.
func move(tx *gorm.DB, orderNo string, c ordering.StatusChange, set map[string]any) (bool, error) {
	set["status"], set["updated_at"] = string(c.To), c.At
	res := tx.Model(&orderRow{}).Where("order_no = ? AND status = ?", orderNo, string(c.From)).Updates(set)
	if res.Error != nil {
		return false, fmt.Errorf("store: update order %s: %w", orderNo, res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	err := tx.Create(&historyRow{OrderNo: orderNo, FromStatus: string(c.From), ToStatus: string(c.To), Reason: c.Reason, At: c.At}).Error
	if err != nil {
		return false, fmt.Errorf("store: insert history of %s: %w", orderNo, err)
	}
	return true, nil
}
