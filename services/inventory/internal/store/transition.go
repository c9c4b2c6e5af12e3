package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// Stock columns a status change moves units between.
const (
	colAvailable = "available"
	colReserved  = "reserved"
	colSold      = "sold"
)

// Release moves a RESERVED reservation to RELEASED and its units back to
// available, in one transaction.
func (s *Store) Release(ctx context.Context, orderNo string, now time.Time) (inventory.Transition, error) {
	var tr inventory.Transition
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		tr, err = transition(tx, orderNo, inventory.Reserved, inventory.Released, colReserved, colAvailable, now)
		return err
	})
	if err != nil {
		return inventory.Transition{}, fmt.Errorf("store: release %s: %w", orderNo, err)
	}
	return tr, nil
}

// ReleaseClaimed claims the event and releases in the same transaction, so
// the claim exists if and only if the release (or the finding that nothing
// was to be released) committed.
func (s *Store) ReleaseClaimed(ctx context.Context, consumer, eventID, orderNo string, now time.Time) (inventory.Transition, error) {
	tr, err := s.claimed(ctx, consumer, eventID, func(tx *gorm.DB) (inventory.Transition, error) {
		return transition(tx, orderNo, inventory.Reserved, inventory.Released, colReserved, colAvailable, now)
	})
	if err != nil {
		return inventory.Transition{}, fmt.Errorf("store: release %s for event %s: %w", orderNo, eventID, err)
	}
	return tr, nil
}

// claimed claims (consumer, eventID) in the inbox and runs move in the same
// transaction: a move that fails rolls the claim back with it.
func (s *Store) claimed(ctx context.Context, consumer, eventID string, move func(tx *gorm.DB) (inventory.Transition, error)) (inventory.Transition, error) {
	var tr inventory.Transition
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := inbox.Claim(tx, consumer, eventID); err != nil {
			return err
		}
		var err error
		tr, err = move(tx)
		return err
	})
	return tr, err
}

// Sell moves a RESERVED reservation to SOLD and its units from reserved to
// sold, in one transaction.
func (s *Store) Sell(ctx context.Context, orderNo string, now time.Time) (inventory.Transition, error) {
	var tr inventory.Transition
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		tr, err = transition(tx, orderNo, inventory.Reserved, inventory.Sold, colReserved, colSold, now)
		return err
	})
	if err != nil {
		return inventory.Transition{}, fmt.Errorf("store: sell %s: %w", orderNo, err)
	}
	return tr, nil
}

// SellClaimed claims the event and sells in the same transaction. A
// reservation that is missing or RELEASED cannot be sold: the transaction
// rolls back with the domain error, the claim with it, so the message is
// retried (and dead-lettered if that never changes) rather than lost.
func (s *Store) SellClaimed(ctx context.Context, consumer, eventID, orderNo string, now time.Time) (inventory.Transition, error) {
	tr, err := s.claimed(ctx, consumer, eventID, func(tx *gorm.DB) (inventory.Transition, error) {
		tr, err := transition(tx, orderNo, inventory.Reserved, inventory.Sold, colReserved, colSold, now)
		switch {
		case err != nil:
			return tr, err
		case !tr.Found:
			return tr, inventory.ErrReservationNotFound(orderNo)
		case tr.Reservation.Status == inventory.Released:
			return tr, inventory.ErrReservationReleased(orderNo)
		}
		return tr, nil
	})
	if err != nil {
		return inventory.Transition{}, fmt.Errorf("store: sell %s for event %s: %w", orderNo, eventID, err)
	}
	return tr, nil
}

// transition moves the reservation from fromStatus to status with a
// conditional update, and its units from stock column from to column to
// (constants above, never input). Only the caller whose update matched the
// row moves stock, so concurrent callers move it once. The reservation is
// read after the update: on MySQL a loser's update waited for the winner's
// commit, so the read sees the winner's outcome.
func transition(tx *gorm.DB, orderNo string, fromStatus, status inventory.Status, from, to string, now time.Time) (inventory.Transition, error) {
	res := tx.Model(&reservationRow{}).
		Where("order_no = ? AND status = ?", orderNo, string(fromStatus)).
		Updates(map[string]any{"status": string(status), "updated_at": now})
	if res.Error != nil {
		return inventory.Transition{}, fmt.Errorf("update reservation status: %w", res.Error)
	}
	changed := res.RowsAffected == 1
	r, found, err := load(tx, orderNo)
	if err != nil {
		return inventory.Transition{}, fmt.Errorf("read reservation: %w", err)
	}
	if !found {
		return inventory.Transition{}, nil
	}
	if changed {
		for _, l := range bySKU(r.Lines) {
			res := tx.Model(&stockRow{}).Where("sku = ? AND "+from+" >= ?", l.SKU, l.Quantity).
				Updates(map[string]any{
					from: gorm.Expr(from+" - ?", l.Quantity),
					to:   gorm.Expr(to+" + ?", l.Quantity),
				})
			if res.Error != nil {
				return inventory.Transition{}, fmt.Errorf("move stock of %s: %w", l.SKU, res.Error)
			}
			if res.RowsAffected != 1 {
				// Only a bug or a hand edit of the database gets here; the
				// rollback keeps the reservation and its stock consistent.
				return inventory.Transition{}, fmt.Errorf("stock of %s does not hold the %d units the reservation has in %s", l.SKU, l.Quantity, from)
			}
		}
	}
	return inventory.Transition{Found: true, Changed: changed, Reservation: r}, nil
}

// Expired lists RESERVED reservations that expired before now, oldest
// first.
func (s *Store) Expired(ctx context.Context, now time.Time, limit int) ([]string, error) {
	var orderNos []string
	err := s.db.WithContext(ctx).Model(&reservationRow{}).
		Where("status = ? AND expires_at < ?", string(inventory.Reserved), now.UTC()).
		Order("expires_at").Limit(limit).Pluck("order_no", &orderNos).Error
	if err != nil {
		return nil, fmt.Errorf("store: list expired reservations: %w", err)
	}
	return orderNos, nil
}
