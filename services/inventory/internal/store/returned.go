package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
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
	tr, err := s.claimed(ctx, consumer, eventID, func(tx *gorm.DB) (inventory.Transition, error) {
		tr, err := transition(tx, orderNo, inventory.Sold, inventory.Returned, colSold, colReturned, now)
		switch {
		case err != nil:
			return tr, err
		case !tr.Found:
			return tr, inventory.ErrReservationNotFound(orderNo)
		case tr.Reservation.Status != inventory.Returned:
			return tr, inventory.ErrReservationNotSold(orderNo, tr.Reservation.Status)
		}
		return tr, nil
	})
	if err != nil {
		return inventory.Transition{}, fmt.Errorf("store: return %s for event %s: %w", orderNo, eventID, err)
	}
	return tr, nil
}
