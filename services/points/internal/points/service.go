package points

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// OrderPaid is what the points rule needs of an ORDER_PAID event.
type OrderPaid struct {
	EventID    string
	OrderNo    string
	UserID     string
	TotalCents int64
	// PointsRedeemed paid part of the total; they earn no points.
	PointsRedeemed int64
}

// ChargedCents is the part of the order paid with money: what earns points.
func (p OrderPaid) ChargedCents() int64 {
	return p.TotalCents - contracts.PointsValueCents(p.PointsRedeemed)
}

// Service is the points use cases. Handlers and consumers call one method
// each; the rules live here and the atomicity in the Store.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns a Service over store.
func NewService(store Store) *Service {
	return &Service{store: store, now: time.Now}
}

// timestamp is the time recorded in rows: UTC and cut to milliseconds, the
// precision MySQL keeps, so an entry built in memory equals the row read
// back later.
func (s *Service) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Millisecond)
}

// CreditOrderPaid credits the buyer ForOrderTotal(p.ChargedCents()) points
// for a paid order, once: consumer claims p.EventID in the same transaction.
//
// An order under 1.00 earns 0 points and still gets its entry: the audit
// then finds exactly one ORDER_PAID entry for every paid order, and a
// second event for the order is recognised as a duplicate by the same
// unique key as for any other order.
//
// When the event or the order was applied before, nothing changes and the
// error wraps apperr.ErrAlreadyApplied; the returned entry is then the order's
// existing ORDER_PAID entry (zero if it cannot be read), so the caller can
// notice an event that disagrees with what was credited. An invalid event
// is an Invalid apperr.
func (s *Service) CreditOrderPaid(ctx context.Context, consumer string, p OrderPaid) (Entry, error) {
	if err := p.validate(); err != nil {
		return Entry{}, err
	}
	e, err := s.store.Record(ctx, consumer, Entry{
		UserID: p.UserID, OrderNo: p.OrderNo, Reason: ReasonOrderPaid,
		Points: ForOrderTotal(p.ChargedCents()), EventID: p.EventID, CreatedAt: s.timestamp(),
	})
	if errors.Is(err, apperr.ErrAlreadyApplied) {
		existing, lookupErr := s.entryOf(ctx, p.OrderNo, ReasonOrderPaid)
		if lookupErr != nil {
			err = errors.Join(err, lookupErr)
		}
		return existing, err
	}
	if err != nil {
		return Entry{}, fmt.Errorf("credit order %s: %w", p.OrderNo, err)
	}
	return e, nil
}

// entryOf finds the entry of an order for a reason; zero when there is none.
func (s *Service) entryOf(ctx context.Context, orderNo string, reason Reason) (Entry, error) {
	entries, err := s.store.Entries(ctx, Filter{OrderNo: orderNo})
	if err != nil {
		return Entry{}, fmt.Errorf("read entries of order %s: %w", orderNo, err)
	}
	for _, e := range entries {
		if e.Reason == reason {
			return e, nil
		}
	}
	return Entry{}, nil
}

// Statement returns the caller's balance and newest RecentEntries entries.
// A user who has never earned points has balance 0 and no entries.
func (s *Service) Statement(ctx context.Context, userID string) (Statement, error) {
	return s.store.Statement(ctx, userID, RecentEntries)
}

// Ledger returns up to limit of the caller's entries, newest first,
// optionally only those of one order. Another user's order number matches
// nothing, exactly like an unknown one.
func (s *Service) Ledger(ctx context.Context, userID, orderNo string, limit int) ([]Entry, error) {
	if orderNo != "" {
		if err := ValidateOrderNo(orderNo); err != nil {
			return nil, err
		}
	}
	if limit < 1 || limit > MaxLimit {
		return nil, InvalidLimit()
	}
	return s.store.Entries(ctx, Filter{UserID: userID, OrderNo: orderNo, Limit: limit, NewestFirst: true})
}

// AllEntries returns every entry, oldest first, optionally only those of
// one order: the audit's view.
func (s *Service) AllEntries(ctx context.Context, orderNo string) ([]Entry, error) {
	if orderNo != "" {
		if err := ValidateOrderNo(orderNo); err != nil {
			return nil, err
		}
	}
	return s.store.Entries(ctx, Filter{OrderNo: orderNo})
}

// Checks returns every account's balance next to its ledger sum.
func (s *Service) Checks(ctx context.Context) ([]AccountCheck, error) {
	return s.store.Checks(ctx)
}
