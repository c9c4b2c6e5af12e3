package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/database"
)

// Advance moves the shipment from step.From to step.To with one conditional
// UPDATE and, only when that update matched the row, appends step.Event, in
// one transaction. Of concurrent callers exactly one matches: on MySQL the
// others' updates wait for its row lock and then find the new status; on
// SQLite transactions run one at a time. The shipment is read after the
// update, so a loser answers with the winner's outcome.
func (s *Store) Advance(ctx context.Context, step shipping.Step) (shipping.Transition, error) {
	var tr shipping.Transition
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		tr = shipping.Transition{}
		updates := map[string]any{"status": string(step.To), "updated_at": step.Event.At}
		if step.Carrier != "" {
			updates["carrier"] = step.Carrier
		}
		if step.TrackingNo != "" {
			updates["tracking_no"] = step.TrackingNo
		}
		res := tx.Model(&shipmentRow{}).
			Where("order_no = ? AND status = ?", step.OrderNo, string(step.From)).
			Updates(updates)
		if res.Error != nil {
			return fmt.Errorf("update shipment status: %w", res.Error)
		}
		changed := res.RowsAffected == 1
		if changed {
			if err := insertEvent(tx, step.OrderNo, step.Event); err != nil {
				return err
			}
		}
		got, err := load(tx, shipping.Filter{OrderNo: step.OrderNo})
		if err != nil {
			return err
		}
		if len(got) == 1 {
			tr = shipping.Transition{Found: true, Changed: changed, Shipment: got[0]}
		}
		return nil
	})
	if err != nil {
		return shipping.Transition{}, fmt.Errorf("store: move shipment %s from %s to %s: %w", step.OrderNo, step.From, step.To, err)
	}
	return tr, nil
}
