package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/logistics/internal/shipping"
	"github.com/rocketmart/rocketmart/services/platform/database"
)

// Shipment returns one shipment or shipping.ErrNotFound.
func (s *Store) Shipment(ctx context.Context, orderNo string) (shipping.Shipment, error) {
	list, err := s.List(ctx, shipping.Filter{OrderNo: orderNo})
	if err != nil {
		return shipping.Shipment{}, err
	}
	if len(list) == 0 {
		return shipping.Shipment{}, shipping.ErrNotFound(orderNo)
	}
	return list[0], nil
}

// List returns the matching shipments, newest first. The three reads run in
// one transaction, so a shipment's status and its events come from the same
// snapshot on MySQL (and SQLite's single connection serialises them anyway).
func (s *Store) List(ctx context.Context, f shipping.Filter) ([]shipping.Shipment, error) {
	var out []shipping.Shipment
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		out, err = load(tx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: list shipments: %w", err)
	}
	return out, nil
}

// matching selects the shipments f matches.
func matching(db *gorm.DB, f shipping.Filter) *gorm.DB {
	q := db.Model(&shipmentRow{})
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.OrderNo != "" {
		q = q.Where("order_no = ?", f.OrderNo)
	}
	return q
}

// load reads the shipments f matches with their lines and events, in three
// queries whatever their number. Lines and events are selected by a
// subquery rather than a list of order numbers, so a listing of every
// shipment never runs into a placeholder limit.
func load(tx *gorm.DB, f shipping.Filter) ([]shipping.Shipment, error) {
	var rows []shipmentRow
	if err := matching(tx, f).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read shipments: %w", err)
	}
	out := make([]shipping.Shipment, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	index := make(map[string]int, len(rows))
	for i, r := range rows {
		index[r.OrderNo] = i
		out = append(out, fromRow(r))
	}
	orderNos := matching(tx, f).Select("order_no")

	var lines []lineRow
	if err := tx.Where("order_no IN (?)", orderNos).Order("order_no, position").Find(&lines).Error; err != nil {
		return nil, fmt.Errorf("read shipment lines: %w", err)
	}
	for _, l := range lines {
		if i, ok := index[l.OrderNo]; ok {
			out[i].Lines = append(out[i].Lines, shipping.Line{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity})
		}
	}

	var events []eventRow
	if err := tx.Where("order_no IN (?)", orderNos).Order("id").Find(&events).Error; err != nil {
		return nil, fmt.Errorf("read tracking events: %w", err)
	}
	for _, e := range events {
		if i, ok := index[e.OrderNo]; ok {
			out[i].Events = append(out[i].Events, shipping.TrackingEvent{
				Status: shipping.Status(e.Status), Note: e.Note, At: e.OccurredAt.UTC()})
		}
	}
	return out, nil
}
