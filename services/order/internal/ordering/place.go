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
	if o, found, err := s.replay(ctx, userID, key, hash); found || err != nil {
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
	o = &Order{
		No:              newOrderNo(now),
		UserID:          userID,
		Status:          PendingPayment,
		Address:         req.Address,
		PaymentDeadline: now.Add(s.cfg.PaymentTimeout),
		CreatedAt:       now,
		UpdatedAt:       now,
		History:         []StatusChange{{To: PendingPayment, Reason: "order placed", At: now}},
	}
	log := s.cfg.Log.With("order_no", o.No, "user_id", userID)
	// Reserve first: an order must never exist without its stock. A crash
	// after this leaves a reservation without an order, which inventory's
	// sweeper releases after the deadline plus the grace period.
	priced, err := s.inventory.Reserve(ctx, o.No, lines, o.PaymentDeadline.Add(s.cfg.ReservationGrace))
	if err != nil {
		return nil, false, err
	}
	o.Lines = priced
	o.TotalCents = sumLines(priced)

	err = s.store.Create(ctx, o, &IdempotencyKey{UserID: userID, Key: key, RequestHash: hash, OrderNo: o.No})
	if err != nil {
		s.releaseQuietly(ctx, o.No, "order not created")
		if errors.Is(err, ErrKeyTaken) { // a concurrent request with the same key won
			if o, found, rerr := s.replay(ctx, userID, key, hash); found || rerr != nil {
				return o, false, rerr
			}
		}
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

// replay returns the order an earlier request with the same key created.
func (s *Service) replay(ctx context.Context, userID, key, hash string) (*Order, bool, error) {
	k, found, err := s.store.FindKey(ctx, userID, key)
	if err != nil || !found {
		return nil, false, err
	}
	if k.RequestHash != hash {
		return nil, true, apperr.New(apperr.Unprocessable, contracts.CodeIdempotencyKeyReused,
			"this Idempotency-Key was used for a different request").With("orderNo", k.OrderNo)
	}
	o, err := s.store.Get(ctx, k.OrderNo)
	return o, true, err
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
