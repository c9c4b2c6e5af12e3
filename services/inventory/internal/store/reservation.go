package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/inventory/internal/inventory"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// errExists leaves the reserve transaction when the order number is taken.
var errExists = errors.New("reservation exists")

// errShort leaves the reserve transaction when a line cannot be covered; the
// short list is read after the rollback.
var errShort = errors.New("stock short")

// Reserve creates the reservation and moves its units, all or nothing.
//
// The reservation row is inserted first: its primary key makes a concurrent
// request for the same order wait for this one and then find it, instead of
// both taking stock. Stock rows are updated in SKU order so that two
// multi-line reservations always lock rows in the same order and cannot
// deadlock on MySQL.
//
// Under the training fault reserve.strategy=naive,value=read-then-write
// (inventory.VariantReadThenWrite in ctx) it runs the lab's naive twin
// instead, reserveReadThenWrite, which can oversell.
func (s *Store) Reserve(ctx context.Context, r inventory.Reservation) (inventory.Reservation, bool, error) {
	if faults.VariantFrom(ctx) == inventory.VariantReadThenWrite {
		return s.reserveReadThenWrite(ctx, r)
	}
	var short string
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := createReservation(tx, r); err != nil {
			return err
		}
		for _, l := range bySKU(r.Lines) {
			res := tx.Model(&stockRow{}).Where("sku = ? AND available >= ?", l.SKU, l.Quantity).
				Updates(map[string]any{
					"available": gorm.Expr("available - ?", l.Quantity),
					"reserved":  gorm.Expr("reserved + ?", l.Quantity),
				})
			if res.Error != nil {
				return fmt.Errorf("reserve %s: %w", l.SKU, res.Error)
			}
			if res.RowsAffected == 0 {
				short = l.SKU
				return errShort
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, errExists):
		got, err := s.Reservation(ctx, r.OrderNo)
		return got, false, err
	case errors.Is(err, errShort):
		return inventory.Reservation{}, false, s.outOfStock(ctx, r.Lines, short)
	case err != nil:
		return inventory.Reservation{}, false, fmt.Errorf("store: reserve %s: %w", r.OrderNo, err)
	}
	return r, true, nil
}

// createReservation inserts the reservation row, then its lines with the
// catalogue's names and prices (filled into r.Lines). A taken order number
// is errExists.
func createReservation(tx *gorm.DB, r inventory.Reservation) error {
	err := tx.Create(&reservationRow{OrderNo: r.OrderNo, Status: string(r.Status),
		ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}).Error
	if database.IsDuplicate(err) {
		return errExists
	}
	if err != nil {
		return fmt.Errorf("insert reservation: %w", err)
	}
	if err := fillCatalogue(tx, r.Lines); err != nil {
		return err
	}
	rows := make([]lineRow, 0, len(r.Lines))
	for i, l := range r.Lines {
		rows = append(rows, lineRow{OrderNo: r.OrderNo, SKU: l.SKU, Position: i, Name: l.Name,
			Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents})
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("insert reservation lines: %w", err)
	}
	return nil
}

// fillCatalogue copies each line's product name and price into the line, or
// fails with ErrUnknownSKU for the first SKU the catalogue lacks.
func fillCatalogue(tx *gorm.DB, lines []inventory.Line) error {
	skus := make([]string, 0, len(lines))
	for _, l := range lines {
		skus = append(skus, l.SKU)
	}
	var products []productRow
	if err := tx.Where("sku IN ?", skus).Find(&products).Error; err != nil {
		return fmt.Errorf("load products: %w", err)
	}
	bySKU := make(map[string]productRow, len(products))
	for _, p := range products {
		bySKU[p.SKU] = p
	}
	for i := range lines {
		p, ok := bySKU[lines[i].SKU]
		if !ok {
			return inventory.ErrUnknownSKU(lines[i].SKU)
		}
		lines[i].Name, lines[i].UnitPriceCents = p.Name, p.PriceCents
	}
	return nil
}

// outOfStock reads the stock after the rollback and lists every line it
// cannot cover. Stock may have been released in between; the line that
// failed is then reported with what is there now, so the answer never lists
// nothing.
func (s *Store) outOfStock(ctx context.Context, lines []inventory.Line, failed string) error {
	skus := make([]string, 0, len(lines))
	for _, l := range lines {
		skus = append(skus, l.SKU)
	}
	var rows []stockRow
	if err := s.db.WithContext(ctx).Where("sku IN ?", skus).Find(&rows).Error; err != nil {
		return fmt.Errorf("store: read stock after a short reservation: %w", err)
	}
	available := make(map[string]int, len(rows))
	for _, r := range rows {
		available[r.SKU] = r.Available
	}
	var short []inventory.Shortage
	for _, l := range lines {
		if a := available[l.SKU]; a < l.Quantity || l.SKU == failed {
			short = append(short, inventory.Shortage{SKU: l.SKU, Requested: l.Quantity, Available: a})
		}
	}
	return inventory.ErrOutOfStock(short)
}

// bySKU returns the lines sorted by SKU, the lock order of stock rows.
func bySKU(lines []inventory.Line) []inventory.Line {
	return slices.SortedFunc(slices.Values(lines), func(a, b inventory.Line) int { return strings.Compare(a.SKU, b.SKU) })
}

// Reservation returns the reservation of orderNo with its lines in request
// order, or inventory.ErrReservationNotFound.
func (s *Store) Reservation(ctx context.Context, orderNo string) (inventory.Reservation, error) {
	r, found, err := load(s.db.WithContext(ctx), orderNo)
	if err != nil {
		return inventory.Reservation{}, fmt.Errorf("store: get reservation %s: %w", orderNo, err)
	}
	if !found {
		return inventory.Reservation{}, inventory.ErrReservationNotFound(orderNo)
	}
	return r, nil
}

// load reads a reservation and its lines with db (a transaction or not).
func load(db *gorm.DB, orderNo string) (inventory.Reservation, bool, error) {
	var rows []reservationRow
	if err := db.Where("order_no = ?", orderNo).Limit(1).Find(&rows).Error; err != nil {
		return inventory.Reservation{}, false, err
	}
	if len(rows) == 0 {
		return inventory.Reservation{}, false, nil
	}
	var lines []lineRow
	if err := db.Where("order_no = ?", orderNo).Order("position").Find(&lines).Error; err != nil {
		return inventory.Reservation{}, false, err
	}
	return toReservation(rows[0], lines), true, nil
}

// Reservations lists every reservation with its lines, oldest first, in
// two queries and one read transaction so the lines match the headers.
func (s *Store) Reservations(ctx context.Context) ([]inventory.Reservation, error) {
	var out []inventory.Reservation
	err := database.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var rows []reservationRow
		if err := tx.Order("created_at, order_no").Find(&rows).Error; err != nil {
			return err
		}
		var lines []lineRow
		if err := tx.Order("order_no, position").Find(&lines).Error; err != nil {
			return err
		}
		byOrder := map[string][]lineRow{}
		for _, l := range lines {
			byOrder[l.OrderNo] = append(byOrder[l.OrderNo], l)
		}
		out = make([]inventory.Reservation, 0, len(rows))
		for _, r := range rows {
			out = append(out, toReservation(r, byOrder[r.OrderNo]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list reservations: %w", err)
	}
	return out, nil
}

func toReservation(row reservationRow, lines []lineRow) inventory.Reservation {
	r := inventory.Reservation{
		OrderNo:   row.OrderNo,
		Status:    inventory.Status(row.Status),
		ExpiresAt: row.ExpiresAt.UTC(),
		CreatedAt: row.CreatedAt.UTC(),
		UpdatedAt: row.UpdatedAt.UTC(),
	}
	for _, l := range lines {
		r.Lines = append(r.Lines, inventory.Line{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, UnitPriceCents: l.UnitPriceCents})
	}
	return r
}
