package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// Create claims the event and inserts the shipment, its lines and its
// tracking events in one transaction: the claim exists if and only if the
// shipment it created does.
//
// Two keys can say "already applied", and both roll the whole transaction
// back:
//
//   - the inbox key (consumer, event id): this very event was applied
//     before;
//   - the UNIQUE key on the shipment's order number: another event for the
//     same order created it (a re-sent or re-published ORDER_PAID with a new
//     event id).
//
// In the second case the claim of the new event id is rolled back with the
// failed insert rather than kept. Keeping it would mean committing a
// transaction in which a statement failed, or an INSERT … ON CONFLICT DO
// NOTHING whose "nothing inserted" reads differently per dialect, to record
// an event that changed nothing. Rolled back, the inbox lists exactly the
// events that created shipments, and a redelivery of the new event id is
// recognised again by the same UNIQUE key — one failed insert, same answer:
// duplicate, acknowledge. Concurrent inserts of one order number wait for the
// first transaction on the key and then fail as duplicates (or, when it
// rolled back, one of them wins), so no interleaving creates two shipments.
func (s *Store) Create(ctx context.Context, consumer, eventID string, sh shipping.Shipment) error {
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := inbox.Claim(tx, consumer, eventID); err != nil {
			return err
		}
		row := toRow(sh)
		err := tx.Create(&row).Error
		if database.IsDuplicate(err) {
			// A new error without the driver's: MapError must not turn it
			// into a generic DUPLICATE conflict.
			return fmt.Errorf("order %s has a shipment (event %s changes nothing): %w", sh.OrderNo, eventID, apperr.ErrAlreadyApplied)
		}
		if err != nil {
			return fmt.Errorf("insert shipment: %w", err)
		}
		if len(sh.Lines) > 0 {
			lines := make([]lineRow, 0, len(sh.Lines))
			for i, l := range sh.Lines {
				lines = append(lines, lineRow{OrderNo: sh.OrderNo, Position: i, SKU: l.SKU, Name: l.Name, Quantity: l.Quantity})
			}
			if err := tx.Create(&lines).Error; err != nil {
				return fmt.Errorf("insert shipment lines: %w", err)
			}
		}
		for _, ev := range sh.Events {
			if err := insertEvent(tx, sh.OrderNo, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create shipment %s for event %s: %w", sh.OrderNo, eventID, err)
	}
	return nil
}

// insertEvent appends one tracking event inside tx.
func insertEvent(tx *gorm.DB, orderNo string, ev shipping.TrackingEvent) error {
	row := eventRow{OrderNo: orderNo, Status: string(ev.Status), Note: ev.Note, OccurredAt: ev.At}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("insert tracking event %s: %w", ev.Status, err)
	}
	return nil
}
