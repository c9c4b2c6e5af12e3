package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/inbox"
)

// EndForRefund claims the ORDER_REFUNDED event and ends the order's shipment
// in one transaction. Each possible end is one conditional UPDATE (… WHERE
// status IN the states it ends), so a concurrent ship or deliver either
// commits first (and the shipment is then returned rather than cancelled)
// or finds the shipment ended and moves nothing: on MySQL the second
// update waits for the first's row lock and re-reads the status; on SQLite
// transactions run one at a time.
func (s *Store) EndForRefund(ctx context.Context, consumer, eventID string, end shipping.RefundEnd) (shipping.Transition, error) {
	var tr shipping.Transition
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		tr = shipping.Transition{}
		if err := inbox.Claim(tx, consumer, eventID); err != nil {
			return err
		}
		moves := []struct {
			from []string
			to   shipping.Status
			note string
		}{
			{[]string{string(shipping.AwaitingShipment)}, shipping.Cancelled, end.CancelNote},
			{[]string{string(shipping.Shipped), string(shipping.Delivered)}, shipping.Returned, end.ReturnNote},
		}
		changed := false
		for _, m := range moves {
			res := tx.Model(&shipmentRow{}).Where("order_no = ? AND status IN ?", end.OrderNo, m.from).
				Updates(map[string]any{"status": string(m.to), "updated_at": end.At})
			if res.Error != nil {
				return fmt.Errorf("end shipment: %w", res.Error)
			}
			if res.RowsAffected == 1 {
				changed = true
				if err := insertEvent(tx, end.OrderNo, shipping.TrackingEvent{Status: m.to, Note: m.note, At: end.At}); err != nil {
					return err
				}
				break
			}
		}
		got, err := load(tx, shipping.Filter{OrderNo: end.OrderNo})
		if err != nil {
			return err
		}
		if len(got) == 0 {
			// Rolls the claim back: ORDER_PAID has not created the
			// shipment yet, and the redelivery must find no claim.
			return shipping.ErrNotFound(end.OrderNo)
		}
		tr = shipping.Transition{Found: true, Changed: changed, Shipment: got[0]}
		return nil
	})
	if err != nil {
		return shipping.Transition{}, fmt.Errorf("store: end shipment %s for event %s: %w", end.OrderNo, eventID, err)
	}
	return tr, nil
}
