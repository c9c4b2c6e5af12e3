package ordering

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/rocketmart/rocketmart/services/contracts"
	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/faults"
)

// PlaceRequest is a checkout: explicit lines, or the user's cart when Lines
// is empty, shipped to Address.
type PlaceRequest struct {
	Lines   []LineRequest
	Address contracts.Address
}

// Place creates an order in PENDING_PAYMENT with its stock reserved, or
// returns the order the same idempotency key created before (created is
// then false). The same key with a different request is Unprocessable.
//
// The key is claimed, with the order number, before any stock is reserved,
// so a retry after a crash (or a failure) between reserving and creating
// the order continues the same attempt: it finds the number, inventory's
// reserve answers the reservation it already made, and the order is
// created on it, with the first attempt's payment deadline (the
// reservation's expiry was computed from it). One key, one reservation, one
// order. A retry after that deadline is Conflict CHECKOUT_EXPIRED: the
// reservation may be gone, and the attempt is released.
func (s *Service) Place(ctx context.Context, userID, key string, req PlaceRequest) (o *Order, created bool, err error) {
	if err := validateKey(key); err != nil {
		return nil, false, err
	}
	if err := validateAddress(req.Address); err != nil {
		return nil, false, err
	}
	if len(req.Lines) > 0 {
		if err := validateLines(req.Lines); err != nil {
			return nil, false, err
		}
	}
	hash := requestHash(req)
	attempt, o, found, err := s.replay(ctx, userID, key, hash)
	if o != nil || err != nil {
		return o, false, err
	}

	lines := req.Lines
	if len(lines) == 0 {
		if lines, err = s.cart.Lines(ctx, userID); err != nil {
			return nil, false, err
		}
		if len(lines) == 0 {
			return nil, false, apperr.New(apperr.Conflict, CodeCartEmpty, "the cart is empty and the request names no lines")
		}
		if err := validateLines(lines); err != nil {
			return nil, false, err
		}
	}

	now := s.now()
	if !found {
		attempt = IdempotencyKey{UserID: userID, Key: key, RequestHash: hash, OrderNo: newOrderNo(now), CreatedAt: now}
		if err := s.store.ClaimKey(ctx, attempt); errors.Is(err, ErrKeyTaken) {
			// A concurrent request with the same key claimed it first:
			// answer its order, or continue its attempt.
			attempt, o, found, err = s.replay(ctx, userID, key, hash)
			switch {
			case o != nil || err != nil:
				return o, false, err
			case !found:
				return nil, false, errors.New("ordering: the idempotency key was taken, then not found")
			}
		} else if err != nil {
			return nil, false, err
		}
	}
	deadline := attempt.CreatedAt.Add(s.cfg.PaymentTimeout)
	log := s.cfg.Log.With("order_no", attempt.OrderNo, "user_id", userID)
	if !now.Before(deadline) {
		s.releaseQuietly(ctx, attempt.OrderNo, "checkout attempt expired")
		return nil, false, checkoutExpired(attempt)
	}
	// Reserve first: an order must never exist without its stock. A crash
	// after this leaves a reservation without an order: the retry with the
	// same key continues from here, and inventory's sweeper releases it
	// after the deadline plus the grace period if no retry comes.
	res, err := s.inventory.Reserve(ctx, attempt.OrderNo, lines, deadline.Add(s.cfg.ReservationGrace))
	if err != nil {
		return nil, false, err
	}
	if !res.Held {
		return nil, false, checkoutExpired(attempt)
	}
	if found {
		log.Info("checkout retried: continuing its attempt on the reservation it made", "deadline", deadline)
	}
	if hit, ok := s.cfg.Faults.At(ctx, PointPlaceAfterReserve); ok && hit.Action == faults.Fail {
		return nil, false, faults.Injected(apperr.Unavailable, PointPlaceAfterReserve,
			"the order could not be created after its stock was reserved; retry with the same Idempotency-Key")
	}

	o = &Order{
		No:              attempt.OrderNo,
		UserID:          userID,
		Status:          PendingPayment,
		Address:         req.Address,
		Lines:           res.Lines,
		TotalCents:      sumLines(res.Lines),
		PaymentDeadline: deadline,
		CreatedAt:       now,
		UpdatedAt:       now,
		History:         []StatusChange{{To: PendingPayment, Reason: "order placed", At: now}},
	}
	switch err := s.store.Create(ctx, o, &attempt); {
	case errors.Is(err, ErrOrderExists): // a concurrent retry of this attempt created it
		o, err := s.store.Get(ctx, attempt.OrderNo)
		return o, false, err
	case err != nil:
		// The reservation stays: a retry with the same key creates the
		// order on it; without one, inventory's sweeper releases it.
		return nil, false, err
	}
	log.Info("order placed", "total_cents", o.TotalCents, "deadline", o.PaymentDeadline)

	timeout := contracts.OrderTimeout{EventID: newID("evt-"), OrderNo: o.No, UserID: userID, Deadline: o.PaymentDeadline}
	if err := s.events.Timeouts.ScheduleTimeout(ctx, timeout, o.PaymentDeadline); err != nil {
		// The overdue sweeper cancels the order at its deadline anyway.
		log.Warn("could not schedule the payment timeout; the sweeper will cancel the order", "error", err)
	}
	return o, true, nil
}

// replay finds the user's earlier attempt with this key: its order when it
// created one, or the attempt alone (found, o nil) when it stopped between
// claiming the key and creating the order.
func (s *Service) replay(ctx context.Context, userID, key, hash string) (k IdempotencyKey, o *Order, found bool, err error) {
	k, found, err = s.store.FindKey(ctx, userID, key)
	if err != nil || !found {
		return k, nil, false, err
	}
	if k.RequestHash != hash {
		return k, nil, true, apperr.New(apperr.Unprocessable, contracts.CodeIdempotencyKeyReused,
			"this Idempotency-Key was used for a different request").With("orderNo", k.OrderNo)
	}
	o, err = s.store.Get(ctx, k.OrderNo)
	if apperr.KindOf(err) == apperr.NotFound {
		return k, nil, true, nil
	}
	return k, o, true, err
}

// checkoutExpired refuses to continue an attempt past its payment deadline.
func checkoutExpired(k IdempotencyKey) error {
	return apperr.New(apperr.Conflict, CodeCheckoutExpired,
		"this checkout began too long ago and its stock is no longer held; place the order again with a new Idempotency-Key").
		With("orderNo", k.OrderNo)
}

func (s *Service) releaseQuietly(ctx context.Context, orderNo, why string) {
	if err := s.inventory.Release(context.WithoutCancel(ctx), orderNo); err != nil {
		s.cfg.Log.Warn("release failed; inventory's sweeper will release it", "order_no", orderNo, "why", why, "error", err)
	}
}

// requestHash identifies a request for idempotency: the same key with a
// different hash is a client error.
func requestHash(req PlaceRequest) string {
	b, _ := json.Marshal(req) // plain strings and ints: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func validateKey(key string) error {
	switch {
	case key == "":
		return apperr.New(apperr.Invalid, contracts.CodeIdempotencyKeyRequired, "the Idempotency-Key header is required").
			With("header", "Idempotency-Key")
	case len(key) > MaxKeyLength:
		return apperr.New(apperr.Invalid, contracts.CodeInvalidIdempotencyKey,
			fmt.Sprintf("the Idempotency-Key header is longer than %d characters", MaxKeyLength)).
			With("header", "Idempotency-Key")
	}
	return nil
}

func validateLines(lines []LineRequest) error {
	if len(lines) > MaxLines {
		return invalidField("lines", CodeTooManyLines, fmt.Sprintf("an order has at most %d lines", MaxLines))
	}
	seen := make(map[string]bool, len(lines))
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case strings.TrimSpace(l.SKU) == "" || len(l.SKU) > 64:
			return invalidField(field+".sku", apperr.CodeValidation, "sku is required (at most 64 characters)")
		case l.Quantity < 1 || l.Quantity > MaxQuantity:
			return invalidField(field+".quantity", contracts.CodeInvalidQuantity, fmt.Sprintf("quantity must be 1..%d", MaxQuantity))
		case seen[l.SKU]:
			return invalidField(field+".sku", contracts.CodeDuplicateSKU, "each sku may appear once")
		}
		seen[l.SKU] = true
	}
	return nil
}

func validateAddress(a contracts.Address) error {
	required := []struct{ field, value string }{
		{"address.name", a.Name}, {"address.line1", a.Line1}, {"address.city", a.City},
		{"address.postalCode", a.PostalCode}, {"address.country", a.Country},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			return invalidField(r.field, apperr.CodeValidation, r.field+" is required")
		}
	}
	for _, f := range []struct{ field, value string }{
		{"address.name", a.Name}, {"address.line1", a.Line1}, {"address.line2", a.Line2}, {"address.city", a.City},
		{"address.postalCode", a.PostalCode}, {"address.country", a.Country}, {"address.phone", a.Phone},
	} {
		if len(f.value) > maxFieldChars {
			return invalidField(f.field, apperr.CodeValidation, fmt.Sprintf("%s is longer than %d characters", f.field, maxFieldChars))
		}
	}
	return nil
}

func invalidField(field, code, msg string) error {
	return apperr.New(apperr.Invalid, code, msg).With("field", field)
}
