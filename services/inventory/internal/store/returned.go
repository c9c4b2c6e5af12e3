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

// colReturned is not a column: returned units are available again, so a
// return moves them from sold to available and the per-SKU conservation
// (initial + restocked = available + reserved + sold) holds unchanged. The
// RETURNED reservation keeps the record of what came back.
const colReturned = colAvailable

// ReturnClaimed claims the event and returns a sold reservation's stock in
// the same transaction, with the same conditional update as every other
// move (… WHERE status = SOLD), so the stock comes back once however many
// deliveries race. A reservation not sold yet (ORDER_PAID still on its way)
// rolls the claim back and the broker retries.
func (s *Store) ReturnClaimed(ctx context.Context, consumer, eventID, orderNo string, now time.Time) (inventory.Transition, error) {
	var tr inventory.Transition
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := inbox.Claim(tx, consumer, eventID); err != nil {
			return err
		}
		var err error
		if tr, err = transition(tx, orderNo, inventory.Sold, inventory.Returned, colSold, colReturned, now); err != nil {
			return err
		}
		switch {
		case !tr.Found:
			return inventory.ErrReservationNotFound(orderNo)
		case tr.Reservation.Status != inventory.Returned:
			return inventory.ErrReservationNotSold(orderNo, tr.Reservation.Status)
		}
		return nil
	})
	if err != nil {
		return inventory.Transition{}, fmt.Errorf("store: return %s for event %s: %w", orderNo, eventID, err)
	}
	return tr, nil
}
