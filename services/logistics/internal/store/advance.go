package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/txlog"
)

// errUnchanged rolls back a logged step whose shipment did not move.
var errUnchanged = errors.New("the shipment did not move")

// Advance moves the shipment from step.From to step.To with one conditional
// UPDATE and, only when that update matched the row, appends step.Event, in
// one transaction. With step.TxID it first logs that transaction id as
// committed (txlog: a check-back that decided "rolled back" first makes the
// whole step fail), and rolls the log entry back with everything else when
// the shipment did not move, so the log holds exactly the moves that
// happened. Of concurrent callers exactly one matches: on MySQL the
// others' updates wait for its row lock and then find the new status; on
// SQLite transactions run one at a time. The shipment is read after the
// update, so a loser answers with the winner's outcome.
func (s *Store) Advance(ctx context.Context, step shipping.Step) (shipping.Transition, error) {
	var tr shipping.Transition
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		tr = shipping.Transition{}
		if step.TxID != "" {
			if err := txlog.RecordCommit(tx, step.TxID); err != nil {
				return err
			}
		}
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
		if !changed && step.TxID != "" {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return tr, nil
	}
	if err != nil {
		return shipping.Transition{}, fmt.Errorf("store: move shipment %s from %s to %s: %w", step.OrderNo, step.From, step.To, err)
	}
	return tr, nil
}

// Due lists shipments in status last changed before t, oldest first.
func (s *Store) Due(ctx context.Context, status shipping.Status, t time.Time, limit int) ([]string, error) {
	var nos []string
	err := s.db.WithContext(ctx).Model(&shipmentRow{}).
		Where("status = ? AND updated_at < ?", string(status), t.UTC()).
		Order("updated_at").Limit(limit).Pluck("order_no", &nos).Error
	if err != nil {
		return nil, fmt.Errorf("store: list %s shipments due: %w", status, err)
	}
	return nos, nil
}

// ResolveTx applies txlog's check rule to a check-back.
func (s *Store) ResolveTx(ctx context.Context, txID string) (bool, error) {
	outcome, err := txlog.Resolve(ctx, s.db, txID)
	return outcome == txlog.Committed, err
}
