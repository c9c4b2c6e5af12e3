// Package inventory is the inventory service's domain: the product
// catalogue, stock per SKU and the reservations that hold stock for an order
// until it is paid (sold) or cancelled (released).
//
// Stock is conserved per SKU: initial + restocked = available + reserved +
// sold, none of them ever negative. Every change moves units between those columns with a
// conditional update inside one database transaction (see Store), never by
// reading a quantity and writing a new one.
package inventory

import (
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// Product is a catalogue entry with the units a buyer can still reserve.
type Product struct {
	SKU         string
	Name        string
	Description string
	PriceCents  int64
	Available   int
}

// Stock is one SKU's units by state: Initial (seeded) + Restocked (every
// restock since) = Available + Reserved + Sold.
type Stock struct {
	SKU       string
	Initial   int
	Restocked int
	Available int
	Reserved  int
	Sold      int
}

// Status is where a reservation is in its life.
type Status string

// Reservation states. RESERVED moves to RELEASED (order cancelled or
// abandoned, units back to available) or to SOLD (order paid, units counted
// as sold); SOLD moves to RETURNED when the paid order is refunded (units
// from sold back to available). RELEASED and RETURNED are final.
const (
	Reserved Status = "RESERVED"
	Released Status = "RELEASED"
	Sold     Status = "SOLD"
	Returned Status = "RETURNED"
)

// Line is one product of a reservation, with the catalogue's name and price
// at reservation time: the order service takes its prices from here.
type Line struct {
	SKU            string
	Name           string
	Quantity       int
	UnitPriceCents int64
}

// Reservation holds stock for one order, identified by its order number.
type Reservation struct {
	OrderNo   string
	Status    Status
	Lines     []Line
	ExpiresAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Transition is what a conditional status change of a reservation found:
// whether the reservation exists, whether this call moved it, and the
// reservation as it is after the call.
type Transition struct {
	Found       bool
	Changed     bool
	Reservation Reservation
}

// Shortage is a SKU that cannot cover a requested quantity.
type Shortage struct {
	SKU       string
	Requested int
	Available int
}

// ErrUnknownSKU says a SKU is not in the catalogue.
func ErrUnknownSKU(sku string) *apperr.Error {
	return apperr.New(apperr.NotFound, contracts.CodeUnknownSKU, "no product has this SKU").With("sku", sku)
}

// ErrOutOfStock lists every short SKU of a reservation that reserved nothing.
func ErrOutOfStock(short []Shortage) *apperr.Error {
	list := make([]map[string]any, 0, len(short))
	for _, s := range short {
		list = append(list, map[string]any{"sku": s.SKU, "requested": s.Requested, "available": s.Available})
	}
	msg := "not enough stock for 1 product"
	if len(short) != 1 {
		msg = "not enough stock for some products"
	}
	return apperr.New(apperr.Conflict, contracts.CodeOutOfStock, msg).With("short", list)
}

// ErrReservationNotFound says no reservation exists for an order number.
func ErrReservationNotFound(orderNo string) *apperr.Error {
	return apperr.New(apperr.NotFound, "RESERVATION_NOT_FOUND", "no reservation for this order").
		With("orderNo", orderNo)
}

// ErrReservationMismatch says an order number is already reserved with other
// lines: a retry must repeat the request, not change it.
func ErrReservationMismatch(orderNo string) *apperr.Error {
	return apperr.New(apperr.Conflict, "RESERVATION_MISMATCH",
		"this order number is already reserved with different lines").With("orderNo", orderNo)
}

// ErrReservationSold says the reservation's stock was sold and cannot be
// released.
func ErrReservationSold(orderNo string) *apperr.Error {
	return apperr.New(apperr.Conflict, "RESERVATION_SOLD", "the reservation's stock is already sold").
		With("orderNo", orderNo)
}

// ErrReservationReleased says the reservation was released, so its stock
// can no longer be sold.
func ErrReservationReleased(orderNo string) *apperr.Error {
	return apperr.New(apperr.Conflict, "RESERVATION_RELEASED", "the reservation was released").
		With("orderNo", orderNo)
}

// ErrReservationNotSold says a refunded order's reservation is not sold
// (yet): ORDER_PAID has not reached the inventory, so the return waits.
func ErrReservationNotSold(orderNo string, status Status) *apperr.Error {
	return apperr.New(apperr.Conflict, "RESERVATION_NOT_SOLD", "the reservation is not sold, so nothing can be returned yet").
		With("orderNo", orderNo).With("status", string(status))
}
