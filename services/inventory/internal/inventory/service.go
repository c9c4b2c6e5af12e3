package inventory

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// Service is the inventory's use cases; HTTP handlers and message consumers
// call it, and it calls a Store and, for the expiry sweeper, an OrderLookup.
type Service struct {
	store  Store
	orders OrderLookup
	log    *slog.Logger
	clock  func() time.Time
	faults *faults.Set // training faults (UseFaults); nil arms nothing
}

// NewService returns a Service. clock nil means time.Now; log nil discards.
func NewService(store Store, orders OrderLookup, log *slog.Logger, clock func() time.Time) *Service {
	if clock == nil {
		clock = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, orders: orders, log: log, clock: clock}
}

// now is the clock in UTC at millisecond precision: MySQL keeps DATETIME(3),
// so a reservation answered at creation equals the one read back later.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// Seed creates the demo catalogue where it is missing, so restarts never
// double-seed and never reset stock.
func (s *Service) Seed(ctx context.Context) (int, error) {
	n, err := s.store.Seed(ctx, Catalogue())
	if err != nil {
		return 0, fmt.Errorf("seed catalogue: %w", err)
	}
	return n, nil
}

// Products lists the catalogue with available stock.
func (s *Service) Products(ctx context.Context) ([]Product, error) {
	return s.store.Products(ctx)
}

// Product returns one product or ErrUnknownSKU.
func (s *Service) Product(ctx context.Context, sku string) (Product, error) {
	return s.store.Product(ctx, sku)
}

// Stock lists every SKU's units by state, for the audit.
func (s *Service) Stock(ctx context.Context) ([]Stock, error) {
	return s.store.Stock(ctx)
}

// ReserveRequest asks to hold stock for an order.
type ReserveRequest struct {
	OrderNo   string
	Lines     []LineRequest
	ExpiresAt time.Time
}

// LineRequest is one SKU and quantity to reserve.
type LineRequest struct {
	SKU      string
	Quantity int
}

// Reserve holds stock for every line of an order or for none. It is
// idempotent by order number: repeating a request returns the reservation
// it made (created false), whatever its status now; the same order number
// with other lines is ErrReservationMismatch. expiresAt is not compared, so a
// retry that computed a fresh expiry still matches.
func (s *Service) Reserve(ctx context.Context, req ReserveRequest) (Reservation, bool, error) {
	now := s.now()
	if err := validateReserve(req, now); err != nil {
		return Reservation{}, false, err
	}
	r := Reservation{
		OrderNo:   req.OrderNo,
		Status:    Reserved,
		ExpiresAt: req.ExpiresAt.UTC().Truncate(time.Millisecond),
		CreatedAt: now,
		UpdatedAt: now,
	}
	for _, l := range req.Lines {
		r.Lines = append(r.Lines, Line{SKU: l.SKU, Quantity: l.Quantity})
	}
	got, created, err := s.store.Reserve(s.reserveStrategy(ctx), r)
	if err != nil {
		return Reservation{}, false, err
	}
	if !created && !sameLines(got.Lines, req.Lines) {
		return Reservation{}, false, ErrReservationMismatch(req.OrderNo)
	}
	return got, created, nil
}

// sameLines compares quantities per SKU, ignoring line order.
func sameLines(have []Line, want []LineRequest) bool {
	if len(have) != len(want) {
		return false
	}
	qty := make(map[string]int, len(have))
	for _, l := range have {
		qty[l.SKU] = l.Quantity
	}
	return !slices.ContainsFunc(want, func(l LineRequest) bool {
		q, ok := qty[l.SKU]
		return !ok || q != l.Quantity
	})
}

// Reservation returns the reservation of orderNo.
func (s *Service) Reservation(ctx context.Context, orderNo string) (Reservation, error) {
	if err := validateOrderNo(orderNo); err != nil {
		return Reservation{}, err
	}
	return s.store.Reservation(ctx, orderNo)
}

// Release gives a reservation's units back. Releasing a released
// reservation is a no-op that answers it again (safe to retry); a sold one
// is ErrReservationSold.
func (s *Service) Release(ctx context.Context, orderNo string) (Reservation, error) {
	if err := validateOrderNo(orderNo); err != nil {
		return Reservation{}, err
	}
	tr, err := s.store.Release(ctx, orderNo, s.now())
	if err != nil {
		return Reservation{}, err
	}
	switch {
	case !tr.Found:
		return Reservation{}, ErrReservationNotFound(orderNo)
	case tr.Reservation.Status == Sold:
		return Reservation{}, ErrReservationSold(orderNo)
	}
	if tr.Changed {
		s.log.InfoContext(ctx, "reservation released", "order_no", orderNo, "reason", "request")
	}
	return tr.Reservation, nil
}

// Sell turns a reserved order's units into sold ones; selling a sold
// reservation is a no-op. A released reservation cannot be sold: its units
// may already be held for someone else.
func (s *Service) Sell(ctx context.Context, orderNo string) (Reservation, error) {
	tr, err := s.store.Sell(ctx, orderNo, s.now())
	if err != nil {
		return Reservation{}, err
	}
	switch {
	case !tr.Found:
		return Reservation{}, ErrReservationNotFound(orderNo)
	case tr.Reservation.Status == Released:
		return Reservation{}, ErrReservationReleased(orderNo)
	}
	return tr.Reservation, nil
}

// SellPaid sells the reservation of a paid order on behalf of a message
// consumer, recording eventID in the same transaction. Selling a sold
// reservation (the same order paid event published twice under two event
// ids) changes nothing. A missing or released reservation is an error the
// broker retries and finally dead-letters: a paid order whose stock is gone
// needs an operator, and the audit names it. An order number the inventory
// could never have reserved for is Invalid: no retry helps.
func (s *Service) SellPaid(ctx context.Context, consumer, eventID, orderNo string) error {
	if err := validateOrderNo(orderNo); err != nil {
		return err
	}
	tr, err := s.store.SellClaimed(ctx, consumer, eventID, orderNo, s.now())
	if err != nil {
		return err
	}
	log := s.log.With("order_no", orderNo, "event_id", eventID)
	if tr.Changed {
		log.InfoContext(ctx, "reservation sold", "reason", "order paid")
	} else {
		log.InfoContext(ctx, "paid order's reservation was already sold")
	}
	return nil
}

// Reservations lists every reservation, for the consistency audit.
func (s *Service) Reservations(ctx context.Context) ([]Reservation, error) {
	return s.store.Reservations(ctx)
}

// ReleaseCancelled releases the reservation of a cancelled order on behalf
// of a message consumer, recording eventID in the same transaction so a
// redelivery changes nothing (the error then wraps apperr.ErrAlreadyApplied). A
// missing or already released reservation needs nothing; a sold one is
// logged, since an order cannot be both paid and cancelled. An order number
// the inventory could never have reserved for is Invalid: no retry helps.
func (s *Service) ReleaseCancelled(ctx context.Context, consumer, eventID, orderNo string) error {
	if err := validateOrderNo(orderNo); err != nil {
		return err
	}
	tr, err := s.store.ReleaseClaimed(ctx, consumer, eventID, orderNo, s.now())
	if err != nil {
		return err
	}
	log := s.log.With("order_no", orderNo, "event_id", eventID)
	switch {
	case !tr.Found:
		log.InfoContext(ctx, "cancelled order has no reservation; nothing to release")
	case tr.Changed:
		log.InfoContext(ctx, "reservation released", "reason", "order cancelled")
	case tr.Reservation.Status == Sold:
		log.WarnContext(ctx, "cancelled order's reservation is already sold; left as is")
	default:
		log.InfoContext(ctx, "cancelled order's reservation was already released")
	}
	return nil
}
