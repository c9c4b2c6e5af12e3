package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/rocketmart/rocketmart/services/order/internal/ordering"
	"github.com/rocketmart/rocketmart/services/platform/database"
)

// pointsSplitRow is the points part of an order's payment, fixed by its
// first pay attempt (ordering/points.go). It lives beside the orders table
// rather than in it: only orders someone tried to pay have one.
type pointsSplitRow struct {
	OrderNo     string    `gorm:"primaryKey;size:64"`
	Points      int64     `gorm:"not null"`
	AttemptedAt time.Time `gorm:"not null"`
}

func (pointsSplitRow) TableName() string { return "order_points_splits" }

// PointsSplit implements ordering.PointsSplits.
func (s *Store) PointsSplit(ctx context.Context, orderNo string) (ordering.PointsSplit, bool, error) {
	var rows []pointsSplitRow
	if err := s.db.WithContext(ctx).Where("order_no = ?", orderNo).Limit(1).Find(&rows).Error; err != nil {
		return ordering.PointsSplit{}, false, fmt.Errorf("store: read points split of %s: %w", orderNo, err)
	}
	if len(rows) == 0 {
		return ordering.PointsSplit{}, false, nil
	}
	return rows[0].domain(), true, nil
}

// StartPointsAttempt implements ordering.PointsSplits: insert the split
// unless the order has one (the primary key decides between concurrent
// first attempts). The first attempt of an order, the common case, ends
// there: the insert stored this split. Otherwise, in one transaction, move
// the stored split's attempt time forward if it holds these points (never
// backward) and read it back.
func (s *Store) StartPointsAttempt(ctx context.Context, orderNo string, points int64, at time.Time) (ordering.PointsSplit, error) {
	first := pointsSplitRow{OrderNo: orderNo, Points: points, AttemptedAt: at}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&first)
	if res.Error != nil {
		return ordering.PointsSplit{}, fmt.Errorf("store: insert points split of %s: %w", orderNo, res.Error)
	}
	if res.RowsAffected == 1 {
		return first.domain(), nil
	}
	var out pointsSplitRow
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		err := tx.Model(&pointsSplitRow{}).Where("order_no = ? AND points = ? AND attempted_at < ?", orderNo, points, at).
			Update("attempted_at", at).Error
		if err != nil {
			return fmt.Errorf("mark points attempt: %w", err)
		}
		return tx.Where("order_no = ?", orderNo).Take(&out).Error
	})
	if err != nil {
		return ordering.PointsSplit{}, fmt.Errorf("store: points split of %s: %w", orderNo, err)
	}
	return out.domain(), nil
}

// ChangePointsSplit implements ordering.PointsSplits with one conditional
// update: an attempt that started with the old split in between moved its
// attempt time, so the update matches nothing.
func (s *Store) ChangePointsSplit(ctx context.Context, orderNo string, from ordering.PointsSplit, points int64, at time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&pointsSplitRow{}).
		Where("order_no = ? AND points = ? AND attempted_at = ?", orderNo, from.Points, from.AttemptedAt).
		Updates(map[string]any{"points": points, "attempted_at": at})
	if res.Error != nil {
		return false, fmt.Errorf("store: change points split of %s: %w", orderNo, res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (r pointsSplitRow) domain() ordering.PointsSplit {
	return ordering.PointsSplit{Points: r.Points, AttemptedAt: r.AttemptedAt.UTC()}
}

// loadPoints sets the orders' PointsApplied and PointsAttemptedAt from
// their splits.
func (s *Store) loadPoints(ctx context.Context, orders []*ordering.Order) error {
	if len(orders) == 0 {
		return nil
	}
	byNo, nos := byOrderNo(orders)
	var rows []pointsSplitRow
	if err := s.db.WithContext(ctx).Where("order_no IN ?", nos).Find(&rows).Error; err != nil {
		return fmt.Errorf("store: read points splits: %w", err)
	}
	for _, r := range rows {
		o := byNo[r.OrderNo]
		o.PointsApplied, o.PointsAttemptedAt = r.Points, r.AttemptedAt.UTC()
	}
	return nil
}

// byOrderNo indexes orders by number, and lists the numbers, for the
// queries that load one more part of several orders at once.
func byOrderNo(orders []*ordering.Order) (map[string]*ordering.Order, []string) {
	byNo := make(map[string]*ordering.Order, len(orders))
	nos := make([]string, len(orders))
	for i, o := range orders {
		byNo[o.No], nos[i] = o, o.No
	}
	return byNo, nos
}
