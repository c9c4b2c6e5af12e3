package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/database"
)

// readThenWriteWindow is how long the naive reservation waits between its
// read and its write. Real code has such a gap anyway (a network hop, a
// slow query, a GC pause); this one makes it wide enough that a lab's
// handful of concurrent buyers, started by a script or a few browser tabs
// clicked together, reliably land in it. Only the naive path waits.
const readThenWriteWindow = 100 * time.Millisecond

// reserveReadThenWrite is THE LAB'S NAIVE TWIN of Reserve, run only while a
// trainer arms reserve.strategy=naive,value=read-then-write. Do not copy it.
//
//  1. Read each SKU's stock (its own statement, no transaction, no lock) and
//     check available >= quantity in Go.
//  2. Wait readThenWriteWindow.
//  3. In one transaction, create the reservation (as Reserve does) and write
//     available = read - quantity, reserved = read + quantity.
//
// Two buyers of the last unit both read 1 available and both write 0: two
// reservations hold one unit. Both columns are written from the read, so
// the row itself stays conserved (initial + restocked = available + reserved + sold)
// and the CHECK constraint cannot see the lost update; the audit sees it as
// reserved units that differ from what the open reservations hold. The
// read holds no connection during the wait, so this races on SQLite's
// single connection too, not only on MySQL.
func (s *Store) reserveReadThenWrite(ctx context.Context, r inventory.Reservation) (inventory.Reservation, bool, error) {
	lines := bySKU(r.Lines)
	skus := make([]string, 0, len(lines))
	for _, l := range lines {
		skus = append(skus, l.SKU)
	}
	var rows []stockRow
	if err := s.db.WithContext(ctx).Where("sku IN ?", skus).Find(&rows).Error; err != nil {
		return inventory.Reservation{}, false, fmt.Errorf("store: naive reserve %s: read stock: %w", r.OrderNo, err)
	}
	read := make(map[string]stockRow, len(rows))
	for _, row := range rows {
		read[row.SKU] = row
	}
	for _, l := range lines {
		row, ok := read[l.SKU]
		if !ok {
			return inventory.Reservation{}, false, inventory.ErrUnknownSKU(l.SKU)
		}
		if row.Available < l.Quantity {
			return inventory.Reservation{}, false, s.outOfStock(ctx, r.Lines, l.SKU)
		}
	}

	t := time.NewTimer(readThenWriteWindow)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return inventory.Reservation{}, false, fmt.Errorf("store: naive reserve %s: %w", r.OrderNo, ctx.Err())
	}

	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := createReservation(tx, r); err != nil {
			return err
		}
		for _, l := range lines {
			row := read[l.SKU]
			err := tx.Model(&stockRow{}).Where("sku = ?", l.SKU).Updates(map[string]any{
				"available": row.Available - l.Quantity,
				"reserved":  row.Reserved + l.Quantity,
			}).Error
			if err != nil {
				return fmt.Errorf("write stock of %s: %w", l.SKU, err)
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, errExists):
		got, err := s.Reservation(ctx, r.OrderNo)
		return got, false, err
	case err != nil:
		return inventory.Reservation{}, false, fmt.Errorf("store: naive reserve %s: %w", r.OrderNo, err)
	}
	return r, true, nil
}
