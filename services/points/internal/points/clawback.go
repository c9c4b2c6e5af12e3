package points

import (
	"context"
	"errors"
	"fmt"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
)

// ReasonOrderRefunded claws back a refunded order's credit: a negative
// entry of exactly the size of the order's ORDER_PAID entry, under its own
// unique (order number, reason), so one per refunded order.
//
// The clawback rule: a refund takes back every point its order earned,
// whatever the balance holds now. When the user has spent them meanwhile
// the balance goes negative, and later credits pay it back first; nothing
// is capped or forgiven, so credits − clawbacks = balance holds for every
// account, and the audit checks clawback = −credit for every refunded order.
const ReasonOrderRefunded Reason = "ORDER_REFUNDED"

// ErrCreditNotYet says a refunded order's ORDER_PAID credit is not in the
// ledger yet (the two events travel on different topics, in no promised
// order): the clawback is retried until it is.
var ErrCreditNotYet = errors.New("the order's ORDER_PAID credit is not recorded yet")

// OrderRefunded is what the clawback needs of an ORDER_REFUNDED event.
type OrderRefunded struct {
	EventID string
	OrderNo string
	UserID  string
}

// ClawBack applies an ORDER_REFUNDED event once: consumer claims its event
// id, and the order's ORDER_PAID credit is taken back with a negative
// ORDER_REFUNDED entry, in one transaction (Store.ClawBack). A repeated
// event, or a second event for the order, changes nothing and wraps
// apperr.ErrAlreadyApplied; a credit not recorded yet wraps ErrCreditNotYet
// (retried); an invalid event is an Invalid apperr.
func (s *Service) ClawBack(ctx context.Context, consumer string, r OrderRefunded) (Entry, error) {
	if err := (OrderPaid{EventID: r.EventID, OrderNo: r.OrderNo, UserID: r.UserID}).validate(); err != nil {
		return Entry{}, err
	}
	e, err := s.store.ClawBack(ctx, consumer, Entry{
		UserID: r.UserID, OrderNo: r.OrderNo, Reason: ReasonOrderRefunded, EventID: r.EventID, CreatedAt: s.timestamp(),
	})
	if err != nil && !errors.Is(err, apperr.ErrAlreadyApplied) {
		return Entry{}, fmt.Errorf("claw back order %s: %w", r.OrderNo, err)
	}
	return e, err
}
