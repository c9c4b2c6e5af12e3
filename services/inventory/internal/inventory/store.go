package inventory

import (
	"context"
	"time"
)

// SeedProduct is a catalogue entry to create at start-up with its initial
// stock.
type SeedProduct struct {
	Product      Product
	InitialStock int
}

// Store keeps the catalogue, the stock and the reservations. Implementations
// run each method that changes stock in one database transaction and move
// units only with conditional updates, so concurrent callers can never
// oversell or release twice. The one exception is on purpose: Reserve with
// VariantReadThenWrite in its context (a trainer armed the naive
// reservation) reads, then writes, and can oversell.
type Store interface {
	// Seed inserts the products and their stock that do not exist yet and
	// leaves existing ones alone; it returns how many products it inserted.
	Seed(ctx context.Context, products []SeedProduct) (int, error)
	// Products lists the catalogue with available stock, ordered by SKU.
	Products(ctx context.Context) ([]Product, error)
	// Product returns one product, or ErrUnknownSKU.
	Product(ctx context.Context, sku string) (Product, error)
	// Reserve creates r (status RESERVED, lines with SKU and quantity; the
	// store fills in names and prices) and moves its units from available to
	// reserved, all or nothing. When r.OrderNo is already reserved it changes
	// nothing and returns the existing reservation with created false.
	// Errors: ErrUnknownSKU, ErrOutOfStock listing every short line.
	Reserve(ctx context.Context, r Reservation) (res Reservation, created bool, err error)
	// Reservation returns the reservation of orderNo, or
	// ErrReservationNotFound.
	Reservation(ctx context.Context, orderNo string) (Reservation, error)
	// Release moves the reservation from RESERVED to RELEASED and its units
	// back to available, if and only if it is RESERVED.
	Release(ctx context.Context, orderNo string, now time.Time) (Transition, error)
	// ReleaseClaimed claims eventID for consumer (inbox) and, in the same
	// transaction, does what Release does. A duplicate claim changes nothing
	// and returns an error wrapping apperr.ErrAlreadyApplied.
	ReleaseClaimed(ctx context.Context, consumer, eventID, orderNo string, now time.Time) (Transition, error)
	// Sell moves the reservation from RESERVED to SOLD and its units from
	// reserved to sold, if and only if it is RESERVED.
	Sell(ctx context.Context, orderNo string, now time.Time) (Transition, error)
	// SellClaimed claims eventID for consumer and, in the same transaction,
	// does what Sell does. A missing or released reservation rolls both
	// back with ErrReservationNotFound or ErrReservationReleased; a
	// duplicate claim changes nothing and returns an error wrapping
	// apperr.ErrAlreadyApplied.
	SellClaimed(ctx context.Context, consumer, eventID, orderNo string, now time.Time) (Transition, error)
	// ReturnClaimed claims eventID for consumer and, in the same
	// transaction, moves the reservation from SOLD to RETURNED and its units
	// from sold back to available, if and only if it is SOLD. A missing
	// reservation, or one that is not sold or returned, rolls both back
	// with ErrReservationNotFound or ErrReservationNotSold; a duplicate
	// claim changes nothing and wraps apperr.ErrAlreadyApplied.
	ReturnClaimed(ctx context.Context, consumer, eventID, orderNo string, now time.Time) (Transition, error)
	// Reservations lists every reservation with its lines, for the audit.
	Reservations(ctx context.Context) ([]Reservation, error)
	// Restock adds r.Quantity units to r.SKU's available and restocked
	// counts and records r, unless a restock under r.Key exists: then it
	// changes nothing and returns that one with created false. Either way
	// it returns the restocked SKU's stock after the call. Errors:
	// ErrUnknownSKU.
	Restock(ctx context.Context, r Restock) (got Restock, stock Stock, created bool, err error)
	// Stock lists every SKU's units by state, ordered by SKU.
	Stock(ctx context.Context) ([]Stock, error)
	// Expired lists up to limit order numbers whose reservation is RESERVED
	// and expired before now, oldest first.
	Expired(ctx context.Context, now time.Time, limit int) ([]string, error)
}
